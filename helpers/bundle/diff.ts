import { parseIpset, parseIptablesSave, parseProcIpVs, parseSysctl } from '../parse/index.ts';
import { diffNodes, type NodeInputs, normaliseNode } from './drift.ts';
import { buildSymbols } from './symbols.ts';
import type { Bundle, NodeSnapshot, Section } from './types.ts';

/** Parses one section for the drift report; an absent or unreadable section is reported, not fatal. */
function read<T>(section: Section, parse: (text: string) => T, problems: string[], what: string): T | null {
  if (section.status === 'absent') {
    problems.push(`${what} absent: ${section.reason}`);
    return null;
  }
  try {
    return parse(section.text);
  } catch (e) {
    problems.push(`${what} unreadable: ${(e as Error).message}`);
    return null;
  }
}

function inputsOf(node: NodeSnapshot, problems: string[]): NodeInputs {
  const s = node.sections;
  return {
    iptables: read(s['iptables-save'], parseIptablesSave, problems, 'iptables-save'),
    ip6tables: read(s['ip6tables-save'], parseIptablesSave, problems, 'ip6tables-save'),
    ipsets: read(s['ipset-save'], parseIpset, problems, 'ipset-save'),
    ipvs: read(s['proc-ip-vs'], parseProcIpVs, problems, 'proc-ip-vs'),
    sysctls: read(s.sysctl, parseSysctl, problems, 'sysctl'),
    proxyMode: s['proxy-mode'].status === 'ok' ? s['proxy-mode'].text : '(absent)',
  };
}

/**
 * The normalised data-plane drift from bundle `a` to bundle `b`, as markdown: versions, then per
 * snapshot and node (matched by role, e.g. `worker2`) the chains, rules, ipsets, IPVS services and
 * sysctls that changed. Says so plainly when nothing did.
 */
export function renderDrift(a: Bundle, b: Bundle, names: { a: string; b: string }): string {
  const out: string[] = [`# Data-plane drift: \`${names.a}\` → \`${names.b}\``, ''];
  const fp: string[] = [];
  for (const key of ['kindVersion', 'nodeImage', 'serverVersion', 'kubeProxyImage', 'kernel'] as const) {
    if (a.fingerprint[key] !== b.fingerprint[key])
      fp.push(`| ${key} | \`${a.fingerprint[key]}\` | \`${b.fingerprint[key]}\` |`);
  }
  if (fp.length > 0) out.push('## Versions', '', '| | before | after |', '|---|---|---|', ...fp, '');
  let changes = 0;
  const confA = a.fingerprint.kubeProxyConfig.split('\n');
  const confB = b.fingerprint.kubeProxyConfig.split('\n');
  const confRemoved = confA.filter((l) => l.trim() !== '' && !confB.includes(l));
  const confAdded = confB.filter((l) => l.trim() !== '' && !confA.includes(l));
  if (confRemoved.length + confAdded.length > 0) {
    out.push(
      '## kube-proxy configuration',
      '',
      '```diff',
      ...confRemoved.map((l) => `-${l}`),
      ...confAdded.map((l) => `+${l}`),
      '```',
      '',
    );
    changes++;
  }
  for (const snapA of a.snapshots) {
    const snapB = b.snapshots.find((s) => s.label === snapA.label);
    if (!snapB) {
      out.push(`## Snapshot \`${snapA.label}\``, '', `- only in \`${names.a}\``, '');
      changes++;
      continue;
    }
    const symA = buildSymbols([snapA.api, ...a.snapshots.map((s) => s.api)]);
    const symB = buildSymbols([snapB.api, ...b.snapshots.map((s) => s.api)]);
    const byRole = new Map(snapB.nodes.map((n) => [symB.role(n.node), n]));
    const section: string[] = [];
    for (const nodeA of snapA.nodes) {
      const role = symA.role(nodeA.node);
      const nodeB = byRole.get(role);
      byRole.delete(role);
      if (!nodeB) {
        section.push(`### ${role}`, '', `- node only in \`${names.a}\``, '');
        continue;
      }
      const problems: string[] = [];
      const lines = diffNodes(
        normaliseNode(inputsOf(nodeA, problems), symA),
        normaliseNode(inputsOf(nodeB, problems), symB),
      );
      if (lines.length + problems.length > 0) {
        section.push(`### ${role}`, '', ...problems.map((p) => `- ⚠ ${p}`), ...lines, '');
      }
    }
    for (const role of byRole.keys()) section.push(`### ${role}`, '', `- node only in \`${names.b}\``, '');
    if (section.length > 0) {
      out.push(`## Snapshot \`${snapA.label}\``, '', ...section);
      changes++;
    }
  }
  for (const snapB of b.snapshots) {
    if (!a.snapshots.some((s) => s.label === snapB.label)) {
      out.push(`## Snapshot \`${snapB.label}\``, '', `- only in \`${names.b}\``, '');
      changes++;
    }
  }
  if (changes === 0)
    out.push(
      'No data-plane drift: every node has the same chains, rules, ipsets, IPVS services and sysctls.',
      '',
    );
  return out.join('\n');
}
