import ipaddr from 'ipaddr.js';
import { parseIpAddr } from '../parse/ip-addr.ts';
import { parseIpset } from '../parse/ipset.ts';
import { parseIptablesSave } from '../parse/iptables-save.ts';
import { parseProcIpVs } from '../parse/proc-ip-vs.ts';
import { parseSysctl } from '../parse/sysctl.ts';
import type {
  IpAddrState,
  IpsetState,
  IptablesState,
  ProcIpVsTable,
  ProcIpVsVirtualServer,
  SysctlState,
} from '../parse/types.ts';
import type { NodeSectionName, NodeSnapshot, Section, Snapshot } from './types.ts';

/**
 * One section of a node, parsed or not. A section that is absent or does not parse is kept as a
 * reason, so a check that needs it fails with that reason while every other check still runs.
 */
export type SectionResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/**
 * A virtual server of a node. It keeps the /proc shape: the persistence timeout stays in jiffies
 * because user space cannot read the kernel HZ reliably (see {@link inferHz}). Addresses are in
 * canonical text (IPv6 compressed), so they compare equal to API addresses.
 */
export type NodeVirtualServer = ProcIpVsVirtualServer;

/** The IPVS table of a node. */
export interface NodeIpvs {
  readonly virtualServers: readonly NodeVirtualServer[];
}

/** Everything the expectations judge about one node, parsed once from its snapshot. */
export interface NodeState {
  readonly name: string;
  readonly ipvs: SectionResult<NodeIpvs>;
  readonly iptables: SectionResult<IptablesState>;
  readonly ip6tables: SectionResult<IptablesState>;
  readonly ipsets: SectionResult<IpsetState>;
  readonly interfaces: SectionResult<IpAddrState>;
  readonly sysctls: SectionResult<SysctlState>;
  /** Body of kube-proxy's `/proxyMode`, trimmed. */
  readonly proxyMode: SectionResult<string>;
  /** kube-proxy `/metrics` text, unparsed. */
  readonly metrics: SectionResult<string>;
  /** `uname -r`, trimmed. */
  readonly kernel: SectionResult<string>;
}

/** The field of {@link NodeState} that holds a parsed section. */
export type NodeStateField = Exclude<keyof NodeState, 'name'>;

/** Which bundle section feeds which NodeState field (for messages that name the raw section). */
export const SECTION_OF_FIELD: Readonly<Record<NodeStateField, NodeSectionName>> = {
  ipvs: 'proc-ip-vs',
  iptables: 'iptables-save',
  ip6tables: 'ip6tables-save',
  ipsets: 'ipset-save',
  interfaces: 'ip-addr',
  sysctls: 'sysctl',
  proxyMode: 'proxy-mode',
  metrics: 'metrics',
  kernel: 'kernel',
};

/** The parsers NodeState uses; injectable so tests do not depend on the parser modules. */
export interface NodeParsers {
  readonly procIpVs: (text: string) => ProcIpVsTable;
  readonly iptablesSave: (text: string) => IptablesState;
  readonly ipset: (text: string) => IpsetState;
  readonly ipAddr: (text: string) => IpAddrState;
  readonly sysctl: (text: string) => SysctlState;
}

/** The real parsers of helpers/parse. */
export const DEFAULT_PARSERS: NodeParsers = {
  procIpVs: parseProcIpVs,
  iptablesSave: parseIptablesSave,
  ipset: parseIpset,
  ipAddr: parseIpAddr,
  sysctl: parseSysctl,
};

/** Canonical text of an IP address (IPv6 compressed, IPv4 dotted); input that is not an IP is returned unchanged. */
export function canonicalIp(address: string): string {
  // ipaddr.parse also takes `30000` or `0x7f.1` as IPv4: only dotted quads and IPv6 are addresses here.
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address).toString();
  if (address.includes(':') && ipaddr.IPv6.isValid(address)) return ipaddr.IPv6.parse(address).toString();
  return address;
}

function section(snapshot: NodeSnapshot, name: NodeSectionName): SectionResult<string> {
  // Bundles are JSON from disk: a section can be missing even though the type says it cannot.
  const s: Section | undefined = snapshot.sections[name];
  if (s === undefined) return { ok: false, reason: `${name} missing from the bundle` };
  if (s.status === 'absent') return { ok: false, reason: `${name} absent: ${s.reason}` };
  return { ok: true, value: s.text };
}

function parsed<T>(
  snapshot: NodeSnapshot,
  name: NodeSectionName,
  parse: (text: string) => T,
): SectionResult<T> {
  const raw = section(snapshot, name);
  if (!raw.ok) return raw;
  try {
    return { ok: true, value: parse(raw.value) };
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: `${name} unparseable: ${why}` };
  }
}

function canonicalIpvs(table: ProcIpVsTable): NodeIpvs {
  return {
    virtualServers: table.virtualServers.map((vs) => ({
      ...vs,
      address: vs.protocol === 'FWM' ? vs.address : canonicalIp(vs.address),
      realServers: vs.realServers.map((rs) => ({ ...rs, address: canonicalIp(rs.address) })),
    })),
  };
}

function trimmed(snapshot: NodeSnapshot, name: NodeSectionName): SectionResult<string> {
  const raw = section(snapshot, name);
  return raw.ok ? { ok: true, value: raw.value.trim() } : raw;
}

/**
 * Parses every section of a node snapshot; never throws, a bad section becomes a reason. One
 * parameter only, so `snapshot.nodes.map(nodeStateFromSnapshot)` is safe.
 */
export function nodeStateFromSnapshot(snapshot: NodeSnapshot): NodeState {
  return nodeStateWithParsers(snapshot, DEFAULT_PARSERS);
}

/** {@link nodeStateFromSnapshot} with other parsers (tests, or a bundle recorded with other tools). */
export function nodeStateWithParsers(snapshot: NodeSnapshot, parsers: NodeParsers): NodeState {
  const ipvs = parsed(snapshot, 'proc-ip-vs', parsers.procIpVs);
  return {
    name: snapshot.node,
    ipvs: ipvs.ok ? { ok: true, value: canonicalIpvs(ipvs.value) } : ipvs,
    iptables: parsed(snapshot, 'iptables-save', parsers.iptablesSave),
    ip6tables: parsed(snapshot, 'ip6tables-save', parsers.iptablesSave),
    ipsets: parsed(snapshot, 'ipset-save', parsers.ipset),
    interfaces: parsed(snapshot, 'ip-addr', parsers.ipAddr),
    sysctls: parsed(snapshot, 'sysctl', parsers.sysctl),
    proxyMode: trimmed(snapshot, 'proxy-mode'),
    metrics: section(snapshot, 'metrics'),
    kernel: trimmed(snapshot, 'kernel'),
  };
}

/** {@link nodeStateFromSnapshot} for every node of a cluster snapshot, in bundle order. */
export function nodeStatesFromSnapshot(
  snapshot: Snapshot,
  parsers: NodeParsers = DEFAULT_PARSERS,
): NodeState[] {
  return snapshot.nodes.map((n) => nodeStateWithParsers(n, parsers));
}

/** Kernel HZ values seen in practice (CONFIG_HZ choices). */
export const KNOWN_HZ = [100, 250, 300, 1000] as const;

/** A persistence timeout as read from /proc next to the seconds the Service asked for. */
export interface JiffiesSample {
  readonly jiffies: number;
  readonly seconds: number;
}

/** Result of {@link inferHz}: one HZ consistent with every sample, or why there is none. */
export type HzInference =
  | { readonly hz: number; readonly candidates: readonly number[] }
  | { readonly hz: null; readonly candidates: readonly number[]; readonly reason: string };

/**
 * Infers the kernel HZ from persistence timeouts whose seconds are known (sessionAffinity
 * timeoutSeconds): HZ must turn every sample's seconds into its jiffies exactly. Several candidates
 * remain only when no sample is given; then the smallest is not guessed and hz is null.
 */
export function inferHz(samples: readonly JiffiesSample[]): HzInference {
  if (samples.length === 0) {
    return { hz: null, candidates: [...KNOWN_HZ], reason: 'no persistent virtual server to infer HZ from' };
  }
  const candidates = KNOWN_HZ.filter((hz) => samples.every((s) => s.jiffies === s.seconds * hz));
  const [first] = candidates;
  if (candidates.length === 1 && first !== undefined) return { hz: first, candidates };
  const shown = samples.map((s) => `${s.jiffies} jiffies for ${s.seconds}s`).join(', ');
  return {
    hz: null,
    candidates,
    reason:
      candidates.length === 0
        ? `no HZ among ${KNOWN_HZ.join('/')} fits ${shown}`
        : `HZ ambiguous (${candidates.join('/')}) for ${shown}`,
  };
}

/** Seconds of a /proc persistence timeout for a known HZ (may be fractional if HZ is wrong). */
export function persistenceSeconds(jiffies: number, hz: number): number {
  if (!(hz > 0)) throw new RangeError(`HZ must be positive, got ${hz}`);
  return jiffies / hz;
}
