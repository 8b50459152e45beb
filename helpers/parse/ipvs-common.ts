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
