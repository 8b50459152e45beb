import type { IpsetState, IptablesState, ProcIpVsTable, SysctlState } from '../parse/types.ts';
import type { SymbolTable } from './symbols.ts';

/**
 * The normalised data plane of one node: what may legitimately be compared across two runs.
 * Counters, connection counts and ipset `initval`s are dropped; addresses become symbols.
 */
export interface NormalisedNode {
  /** `table/chain` -> rule texts in order (addresses symbolic). */
  readonly chains: ReadonlyMap<string, readonly string[]>;
  /** set name -> `type` + sorted members. */
  readonly ipsets: ReadonlyMap<string, { readonly type: string; readonly members: readonly string[] }>;
  /** `PROTO addr:port` -> `scheduler flags` and sorted real servers. */
  readonly ipvs: ReadonlyMap<string, { readonly flags: string; readonly realServers: readonly string[] }>;
  readonly sysctls: ReadonlyMap<string, string>;
  readonly proxyMode: string;
}

export interface NodeInputs {
  readonly iptables: IptablesState | null;
  readonly ip6tables: IptablesState | null;
  readonly ipsets: IpsetState | null;
  readonly ipvs: ProcIpVsTable | null;
  readonly sysctls: SysctlState | null;
  readonly proxyMode: string;
}

/** Per-interface sysctl keys of generated interfaces (veths) collapse into one `veth*` key. */
function sysctlKey(key: string): string {
  return key.replace(/^(net\.ipv[46]\.conf)\.veth[0-9a-z]+\./, '$1.veth*.');
}

export function normaliseNode(inputs: NodeInputs, symbols: SymbolTable): NormalisedNode {
  const chains = new Map<string, string[]>();
  for (const [family, state] of [
    ['ipv4', inputs.iptables],
    ['ipv6', inputs.ip6tables],
  ] as const) {
    if (!state) continue;
    for (const [table, t] of Object.entries(state.tables)) {
      for (const [chain, c] of Object.entries(t.chains)) {
        chains.set(
          `${family} ${table}/${chain}${c.policy ? ` (policy ${c.policy})` : ''}`,
          c.rules.map((r) => symbols.rewrite(r.text)),
        );
      }
    }
  }
  const ipsets = new Map<string, { type: string; members: string[] }>();
  for (const s of inputs.ipsets?.sets ?? []) {
    ipsets.set(s.name, { type: s.type, members: s.members.map((m) => symbols.rewrite(m)).sort() });
  }
  const ipvs = new Map<string, { flags: string; realServers: string[] }>();
  for (const vs of inputs.ipvs?.virtualServers ?? []) {
    const key = `${vs.protocol} ${symbols.rewrite(vs.address)}:${vs.port}`;
    const persistent = vs.persistentJiffies === null ? '' : ' persistent';
    ipvs.set(key, {
      flags: `${vs.scheduler}${persistent}${vs.flags.length > 0 ? ` ${vs.flags.join(' ')}` : ''}`,
      realServers: vs.realServers
        .map((rs) => `${symbols.rewrite(rs.address)}:${rs.port} ${rs.forward} weight ${rs.weight}`)
        .sort(),
    });
  }
  const sysctls = new Map<string, string>();
  for (const [k, v] of Object.entries(inputs.sysctls?.values ?? {})) {
    const key = sysctlKey(k);
    const prev = sysctls.get(key);
    sysctls.set(
      key,
      prev === undefined || prev === v ? v : [...new Set([...prev.split('|'), v])].sort().join('|'),
    );
  }
  return { chains, ipsets, ipvs, sysctls, proxyMode: inputs.proxyMode.trim() };
}

/** Items only in `b`, only in `a` (multiset difference, order kept). */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const count = new Map<string, number>();
  for (const x of b) count.set(x, (count.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = count.get(x) ?? 0;
    if (n > 0) count.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

/** Markdown lines describing how node `b` differs from node `a`; empty when they do not. */
export function diffNodes(a: NormalisedNode, b: NormalisedNode): string[] {
  const lines: string[] = [];
  if (a.proxyMode !== b.proxyMode) lines.push(`- proxy mode: \`${a.proxyMode}\` → \`${b.proxyMode}\``);
  const keys = <V>(x: ReadonlyMap<string, V>, y: ReadonlyMap<string, V>): string[] =>
    [...new Set([...x.keys(), ...y.keys()])].sort();

  for (const chain of keys(a.chains, b.chains)) {
    const ra = a.chains.get(chain);
    const rb = b.chains.get(chain);
    if (!ra) lines.push(`- chain added: \`${chain}\` (${rb?.length ?? 0} rules)`);
    else if (!rb) lines.push(`- chain removed: \`${chain}\` (${ra.length} rules)`);
    else {
      const added = minus(rb, ra);
      const removed = minus(ra, rb);
      if (added.length + removed.length > 0) {
        lines.push(`- rules changed in \`${chain}\`:`);
        for (const r of removed) lines.push(`  - \`- ${r}\``);
        for (const r of added) lines.push(`  - \`+ ${r}\``);
      } else if (ra.join('\n') !== rb.join('\n')) {
        lines.push(`- rule order changed in \`${chain}\``);
      }
    }
  }
  for (const name of keys(a.ipsets, b.ipsets)) {
    const sa = a.ipsets.get(name);
    const sb = b.ipsets.get(name);
    if (!sa) lines.push(`- ipset added: \`${name}\` (${sb?.type}, ${sb?.members.length ?? 0} members)`);
    else if (!sb) lines.push(`- ipset removed: \`${name}\` (${sa.type})`);
    else {
      if (sa.type !== sb.type) lines.push(`- ipset \`${name}\` type: ${sa.type} → ${sb.type}`);
      const added = minus(sb.members, sa.members);
      const removed = minus(sa.members, sb.members);
      if (added.length + removed.length > 0) {
        lines.push(
          `- ipset \`${name}\` members:${removed.map((m) => ` −\`${m}\``).join('')}${added.map((m) => ` +\`${m}\``).join('')}`,
        );
      }
    }
  }
  for (const vs of keys(a.ipvs, b.ipvs)) {
    const va = a.ipvs.get(vs);
    const vb = b.ipvs.get(vs);
    if (!va)
      lines.push(
        `- IPVS virtual server added: \`${vs}\` ${vb?.flags} → ${vb?.realServers.join(', ') || 'no real servers'}`,
      );
    else if (!vb) lines.push(`- IPVS virtual server removed: \`${vs}\``);
    else {
      if (va.flags !== vb.flags) lines.push(`- IPVS \`${vs}\` flags: \`${va.flags}\` → \`${vb.flags}\``);
      const added = minus(vb.realServers, va.realServers);
      const removed = minus(va.realServers, vb.realServers);
      if (added.length + removed.length > 0) {
        lines.push(
          `- IPVS \`${vs}\` real servers:${removed.map((m) => ` −\`${m}\``).join('')}${added.map((m) => ` +\`${m}\``).join('')}`,
        );
      }
    }
  }
  for (const k of keys(a.sysctls, b.sysctls)) {
    const va = a.sysctls.get(k);
    const vb = b.sysctls.get(k);
    if (va !== vb) lines.push(`- sysctl \`${k}\`: ${va ?? '(absent)'} → ${vb ?? '(absent)'}`);
  }
  return lines;
}
