import ipaddr from 'ipaddr.js';
import type { IpvsProtocol, IpvsRealServer } from './types.ts';

/*
 * Pieces shared by the two IPVS table parsers (`ipvsadm -Ln` and /proc/net/ip_vs): both print the
 * same banner, the same protocol and forward names and the same two-level service/destination
 * layout; only the address encoding and the flag columns differ.
 */

/** `IP Virtual Server version 1.2.1 (size=4096)`: kernel IPVS version and connection hash table size. */
export const BANNER = /^IP Virtual Server version (\d+\.\d+\.\d+) \(size=(\d+)\)\s*$/;

/** Columns are padded with spaces (`%-7s`, `%9llu`), so any run of blanks separates two fields. */
export const BLANKS = /\s+/;

/** The forward method names ipvsadm's fwd_name() and the kernel's ip_vs_fwd_name() print. */
export type IpvsForward = IpvsRealServer['forward'];

const FORWARDS: ReadonlySet<string> = new Set<IpvsForward>(['Masq', 'Local', 'Route', 'Tunnel']);

/** Narrows a printed forward column to the four methods IPVS has. */
export function isForward(token: string): token is IpvsForward {
  return FORWARDS.has(token);
}

const PROTOCOLS: ReadonlySet<string> = new Set<IpvsProtocol>(['TCP', 'UDP', 'SCTP']);

/** Narrows a printed protocol column (ipvsadm prints `?` and the kernel `IP_<n>` for others). */
export function isProtocol(token: string): token is IpvsProtocol {
  return PROTOCOLS.has(token);
}

/** Scheduler module names (`rr`, `wlc`, `lblcr`, `mh`, the kernel's `none`...): lower-case words. */
export const SCHEDULER = /^[a-z][a-z0-9_]*$/;

const DECIMAL = /^\d{1,16}$/;

/** A decimal column (`%d`/`%u`) as a number, or null when it is not one or too large to be exact. */
export function decimal(token: string): number | null {
  if (!DECIMAL.test(token)) return null;
  const n = Number(token);
  return Number.isSafeInteger(n) ? n : null;
}

/** A port as a number, or null when the token is not a decimal in 0..65535. */
export function decimalPort(token: string): number | null {
  const n = token.length <= 5 ? decimal(token) : null;
  return n !== null && n <= 65535 ? n : null;
}

const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

/**
 * An IPv6 address in RFC 5952 form (lower case, longest zero run compressed), or null. Both tools
 * print IPv6 differently (ipvsadm via inet_ntop, the kernel as eight 4-digit groups), so both
 * parsers normalise to the form Kubernetes uses for Service and Pod IPs.
 */
export function normalizeIpv6(text: string): string | null {
  // The character check keeps zone ids (`%eth0`) and other ipaddr.js extensions out.
  if (!IPV6_CHARS.test(text) || !ipaddr.IPv6.isValid(text)) return null;
  return ipaddr.IPv6.parse(text).toRFC5952String();
}

/** Builds the key used to refuse a second listing of the same virtual or real server. */
export function endpointKey(protocol: string, address: string, port: number, family = ''): string {
  return `${protocol} ${family} ${address} ${port}`;
}

/** A line that stands for left-out lines (`...`, `…`): the table is incomplete, so it cannot be judged. */
export function isElision(trimmed: string): boolean {
  return trimmed === '...' || trimmed === '…' || trimmed === '[...]' || trimmed === '(...)';
}

/**
 * Fills `into` (cleared first) with the blank-separated words of `text`, as `text.trim().split(BLANKS)`
 * would for a non-blank text; a blank text leaves it empty. ASCII text is scanned character by
 * character (the regex split was the slowest step of a 100k-row table); other text takes the regex,
 * whose `\s` also covers the Unicode spaces.
 */
export function splitBlanks(text: string, into: string[]): void {
  into.length = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      into.length = 0;
      const trimmed = text.trim();
      if (trimmed !== '') for (const word of trimmed.split(BLANKS)) into.push(word);
      return;
    }
    // \s in ASCII: space, \t \n \v \f \r.
    if (c === 32 || (c >= 9 && c <= 13)) {
      if (start >= 0) {
        into.push(text.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) into.push(text.slice(start));
}

/** The real servers of the service being read, and (once there are many) their endpoint keys. */
export interface OpenService {
  readonly realServers: IpvsRealServer[];
  keys: Set<string> | null;
}

/** Up to this many real servers a service's list is scanned for a repeat; past it, a Set is kept. */
const SCAN_LIMIT = 16;

/**
 * True when `rs` (same address and port) is already listed under the open service. Small services
 * (kube-proxy's usual handful of endpoints) are scanned, which is cheaper than building one key
 * string per row; big ones switch to a Set so a 10k-endpoint service stays linear.
 */
export function isRepeatedRealServer(open: OpenService, rs: IpvsRealServer): boolean {
  const list = open.realServers;
  if (open.keys === null) {
    if (list.length < SCAN_LIMIT) {
      for (let k = 0; k < list.length; k++) {
        const o = list[k] as IpvsRealServer;
        if (o.port === rs.port && o.address === rs.address) return true;
      }
      return false;
    }
    open.keys = new Set();
    for (const o of list) open.keys.add(endpointKey('', o.address, o.port));
  }
  const key = endpointKey('', rs.address, rs.port);
  if (open.keys.has(key)) return true;
  open.keys.add(key);
  return false;
}

/**
 * The forward column as the method's own constant, or null when it is none of the four. Returning the
 * literal (not the token) keeps one shared string per method instead of one per row of the table.
 */
export function forwardOf(token: string): IpvsForward | null {
  switch (token) {
    case 'Masq':
      return 'Masq';
    case 'Local':
      return 'Local';
    case 'Route':
      return 'Route';
    case 'Tunnel':
      return 'Tunnel';
    default:
      return null;
  }
}

/** The value of the hex digits `text[from..to)` (at most 13 of them, so exact), or -1 if one is not hex. */
export function hexDigits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 65 && c <= 70) d = c - 55;
    else if (c >= 97 && c <= 102) d = c - 87;
    else return -1;
    n = n * 16 + d;
  }
  return n;
}

/** The value of the decimal digits `text[from..to)` (at most 15, so exact), or -1 if one is not a digit. */
export function decimalDigits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** A 32-bit host-order IPv4 address as a dotted quad. */
export function dottedQuad(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
