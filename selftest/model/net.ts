/** Small IPv4 and hashing helpers the renderers share (pure, no dependencies). */

/** Dotted quad -> unsigned 32-bit number; throws on anything else. */
export function ipv4ToNumber(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${ip}`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new Error(`not an IPv4 address: ${ip}`);
    n = n * 256 + v;
  }
  return n;
}

/** Unsigned 32-bit number -> dotted quad. */
export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** `/proc/net/ip_vs` form of an address: host-order upper-case hex, 8 digits. */
export function ipv4Hex(ip: string): string {
  return ipv4ToNumber(ip).toString(16).toUpperCase().padStart(8, '0');
}

/** `/proc/net/ip_vs` form of a port: upper-case hex, 4 digits. */
export function portHex(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

/** True when `ip` lies inside `cidr` (IPv4 only). */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (base === undefined || bits === undefined) throw new Error(`not a CIDR: ${cidr}`);
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToNumber(base) / size) * size;
  const v = ipv4ToNumber(ip);
  return v >= start && v < start + size;
}

/** The n-th address of a CIDR (n = 1 is the first host, e.g. the kindnet gateway `10.10.N.1`). */
export function nthAddress(cidr: string, n: number): string {
  const [base] = cidr.split('/');
  if (base === undefined) throw new Error(`not a CIDR: ${cidr}`);
  return numberToIpv4(ipv4ToNumber(base) + n);
}

/** FNV-1a 32-bit: a stable stand-in for every "random" value a real system would print (initval, MACs, ports). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A locally administered unicast MAC derived from a seed (stable across runs). */
export function macFromSeed(seed: string): string {
  const h = fnv1a(seed);
  const h2 = fnv1a(`${seed}#2`);
  const bytes = [
    0x02 | ((h2 >>> 8) & 0xfc),
    h2 & 0xff,
    (h >>> 24) & 0xff,
    (h >>> 16) & 0xff,
    (h >>> 8) & 0xff,
    h & 0xff,
  ];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** mulberry32: a tiny seeded PRNG for mutants that need "random" but reproducible data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
