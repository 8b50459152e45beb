import ipaddr from 'ipaddr.js';

/**
 * A thin layer over ipaddr.js for the few CIDR questions the suite asks (containment, overlap, the
 * n-th address of a subnet). Containment and network addresses come from ipaddr.js so there is no
 * hand-written mask arithmetic to get wrong; strings are normalised so they compare as values.
 */

/** Address family of an address or CIDR. */
export type IpFamily = 'ipv4' | 'ipv6';

/** A parsed, canonical CIDR (host bits zero). */
export interface Cidr {
  /** The text as given. */
  readonly text: string;
  /** Normalised network address (`10.10.0.0`, `fd00:10:244::`). */
  readonly network: string;
  readonly prefix: number;
  readonly family: IpFamily;
}

/** Result of {@link checkCidr}: the CIDR, or why the text is not one. */
export type CidrCheck =
  | { readonly ok: true; readonly cidr: Cidr }
  | { readonly ok: false; readonly reason: string };

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

function addressBits(family: IpFamily): number {
  return family === 'ipv4' ? 32 : 128;
}

/**
 * Parses an address strictly: IPv4 only in dotted four-part decimal (ipaddr.js also accepts
 * `10.1` or hex forms, which Kubernetes rejects), IPv6 without a zone id.
 */
function parseStrict(text: string): Addr | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text) && !text.includes('%')) return ipaddr.IPv6.parse(text);
  return null;
}

/** Normalises an address (`010.1.1.1` is refused, `fd00::0001` becomes `fd00::1`); null if it is not one. */
export function parseIp(text: string): { readonly address: string; readonly family: IpFamily } | null {
  const addr = parseStrict(text.trim());
  return addr === null ? null : { address: addr.toString(), family: addr.kind() };
}

/** Says whether `text` is a canonical CIDR and why not (bad address, bad prefix, host bits set). */
export function checkCidr(text: string): CidrCheck {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  if (slash < 0)
    return { ok: false, reason: `"${text}" has no /prefix (write it as address/prefix, e.g. 10.10.0.0/16)` };
  const addrText = trimmed.slice(0, slash);
  const prefixText = trimmed.slice(slash + 1);
  const addr = parseStrict(addrText);
  if (addr === null) return { ok: false, reason: `"${addrText}" is not an IPv4 or IPv6 address` };
  const family = addr.kind();
  const max = addressBits(family);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return { ok: false, reason: `"/${prefixText}" is not a prefix length between 0 and ${max}` };
  }
  const prefix = Number(prefixText);
  const network =
    family === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${addrText}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${addrText}/${prefix}`);
  if (network.toString() !== addr.toString()) {
    return {
      ok: false,
      reason: `"${text}" has host bits set; the network of that prefix is ${network.toString()}/${prefix}`,
    };
  }
  return { ok: true, cidr: { text, network: network.toString(), prefix, family } };
}

/** Parses a canonical CIDR or throws an Error saying why it is not one. */
export function parseCidr(text: string): Cidr {
  const checked = checkCidr(text);
  if (!checked.ok) throw new Error(`invalid CIDR: ${checked.reason}`);
  return checked.cidr;
}

/** Renders a CIDR in normalised form (`10.10.0.0/16`), so two spellings of one subnet compare equal. */
export function cidrString(cidr: Cidr): string {
  return `${cidr.network}/${cidr.prefix}`;
}

function networkAddr(cidr: Cidr): Addr {
  return ipaddr.parse(cidr.network);
}

/** True when `ip` (text) lies inside `cidr`; false for a different family or a non-address. */
export function cidrContainsIp(cidr: Cidr, ip: string): boolean {
  const addr = parseStrict(ip.trim());
  if (addr === null || addr.kind() !== cidr.family) return false;
  return addr.match(networkAddr(cidr), cidr.prefix);
}

/** True when every address of `inner` lies inside `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.family === outer.family && inner.prefix >= outer.prefix && cidrContainsIp(outer, inner.network)
  );
}

/** True when the two CIDRs share at least one address (for CIDRs that means one contains the other). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContainsCidr(a, b) || cidrContainsCidr(b, a);
}

/** Number of addresses in the CIDR. */
export function addressCount(cidr: Cidr): bigint {
  return 2n ** BigInt(addressBits(cidr.family) - cidr.prefix);
}

/**
 * The n-th address of the CIDR counting the network address as 0: kube-apiserver gives
 * `kubernetes` n=1 and kubeadm gives cluster DNS n=10. Throws if n is outside the CIDR.
 */
export function nthAddress(cidr: Cidr, n: number): string {
  if (!Number.isInteger(n) || n < 0 || BigInt(n) >= addressCount(cidr)) {
    throw new Error(`address #${n} is outside ${cidrString(cidr)} (${addressCount(cidr)} addresses)`);
  }
  // Byte arrays as a base-256 number: plain arithmetic on BigInt, no masks.
  const bytes = networkAddr(cidr).toByteArray();
  let value = bytes.reduce((acc, b) => acc * 256n + BigInt(b), 0n) + BigInt(n);
  const out = new Array<number>(bytes.length);
  for (let i = bytes.length - 1; i >= 0; i--) {
    out[i] = Number(value % 256n);
    value /= 256n;
  }
  return ipaddr.fromByteArray(out).toString();
}
