/**
 * Support of the network-namespace selftests: load a model node's rendered state into a private
 * namespace with the real tools (ipset restore, iptables-restore, ip6tables-restore, sysctl -w),
 * normalise tool output for the round-trip comparison, and combine real and model sections into
 * one node snapshot while saying which is which.
 */
import type { ApiObjects } from '../../helpers/api/types.ts';
import type { NodeState } from '../../helpers/bundle/node-state.ts';
import type { NodeSectionName, NodeSnapshot, Section } from '../../helpers/bundle/types.ts';
import {
  checkClusterIpsBound,
  checkEffectiveArp,
  checkIpsets,
  checkIptables,
  checkIpvs,
  checkIpvsSchedulers,
  checkKubeIpvs0Device,
  checkProxyMode,
  checkStrictArpAll,
  type Finding,
} from '../../helpers/expect/index.ts';
import type { NetnsHandle } from '../../helpers/live/netns.ts';
import type { ExecResult } from '../../helpers/live/process.ts';
import { parseIpAddr } from '../../helpers/parse/ip-addr.ts';
import { parseSysctl } from '../../helpers/parse/sysctl.ts';

/** Deadline of one command that loads or alters namespace state (all local, milliseconds in practice). */
export const LOAD_TIMEOUT_MS = 15_000;

/** Sections the namespace really has: restored with the real tools and read back by the real snapshot. */
export const REAL_SECTIONS: readonly NodeSectionName[] = [
  'iptables-save',
  'ip6tables-save',
  'ipset-save',
  'sysctl',
  'kernel',
];

/** Sections this machine cannot give, each with why; the selftest takes them from the model. */
export const MODEL_SECTIONS: Readonly<Partial<Record<NodeSectionName, string>>> = {
  'proc-ip-vs':
    'no ip_vs in this kernel (/proc/net/ip_vs does not exist), and no IPVS userspace to program it',
  'ip-addr':
    'no dummy link type in this kernel, so kube-ipvs0 can only be a veth stand-in (the real section shows link kind veth)',
  'proxy-mode': 'no kube-proxy listening on 127.0.0.1:10249 in the namespace',
  metrics: 'no kube-proxy listening on 127.0.0.1:10249 in the namespace',
};

/** One line per section saying where it came from, for titles and assertion messages. */
export function sectionSources(): string {
  const fromModel = Object.keys(MODEL_SECTIONS).join(', ');
  return `real: ${REAL_SECTIONS.join(', ')}; from the model: ${fromModel}`;
}

/**
 * The snapshot the checks judge: the real sections of the namespace, and the model's for those
 * listed in `fromModel`. Pure. Throws if a section claimed real is absent (that is a setup bug, not a
 * verdict), naming the reason the snapshot recorded.
 */
export function combineSnapshots(
  real: NodeSnapshot,
  model: NodeSnapshot,
  fromModel: readonly NodeSectionName[],
): NodeSnapshot {
  const sections: Partial<Record<NodeSectionName, Section>> = {};
  for (const [name, s] of Object.entries(real.sections) as [NodeSectionName, Section][]) {
    if (fromModel.includes(name)) {
      sections[name] = model.sections[name];
    } else {
      if (s.status !== 'ok')
        throw new Error(`section ${name} of ${real.node} should be real but is absent: ${s.reason}`);
      sections[name] = s;
    }
  }
  return { node: real.node, sections: sections as Record<NodeSectionName, Section> };
}

/** The text of an ok section; throws naming the section and its reason otherwise. */
export function sectionText(snapshot: NodeSnapshot, name: NodeSectionName): string {
  const s = snapshot.sections[name];
  if (s.status !== 'ok') throw new Error(`${snapshot.node}: section ${name} is absent: ${s.reason}`);
  return s.text;
}

/**
 * The checks the suites make on one node, by the suite test they back (names are the suite titles,
 * shortened). Each returns its findings; a conformant node has none in any.
 */
export function suiteChecks(
  node: NodeState,
  api: Pick<ApiObjects, 'services' | 'endpointSlices'>,
): Readonly<Record<string, readonly Finding[]>> {
  return {
    'preflight: proxyMode ipvs': checkProxyMode(node),
    'preflight: kube-ipvs0 dummy, DOWN': checkKubeIpvs0Device(node),
    'ipvs: virtual and real servers': checkIpvs(node, api),
    'ipvs: rr scheduler': checkIpvsSchedulers(node),
    'ipvs: ClusterIPs bound to kube-ipvs0': checkClusterIpsBound(node, api),
    'iptables (IPv4)': checkIptables(node, api, { family: 4 }),
    'ip6tables (IPv6)': checkIptables(node, api, { family: 6 }),
    ipsets: checkIpsets(node, api),
    'strictARP: all': checkStrictArpAll(node),
    'strictARP: effective': checkEffectiveArp(node),
  };
}

/** The distinct check ids of all findings, sorted (what a broken node fails). */
export function failingCheckIds(results: Readonly<Record<string, readonly Finding[]>>): string[] {
  return [...new Set(Object.values(results).flatMap((fs) => fs.map((f) => f.check)))].sort();
}

// ---------------------------------------------------------------------------------------------
// Round-trip normalisation. Each rule below removes only what the tools may legitimately print
// differently from what they were given; everything else must come back byte for byte.

const SAVE_STAMP = /^# (Generated by ip6?tables-save v\S+( \(\w+\))? on .*|Completed on .*)$/;

/**
 * iptables-save / ip6tables-save text for comparison:
 * - the `# Generated by ... on <date>` and `# Completed on <date>` lines go: they carry the wall
 *   clock of the save (and the model's fixed date), nothing of the rule set;
 * - chain counters `[packets:bytes]` become `[0:0]`: they count traffic, and the model renders an
 *   idle node while a live node's (and a restored namespace's) counters are whatever they are.
 * Table order, chain order, rule order and every rule's text are kept: iptables-save prints them
 * in a canonical order the model must reproduce.
 */
export function normalizeIptablesSave(text: string): string {
  return text
    .split('\n')
    .filter((l) => !SAVE_STAMP.test(l))
    .map((l) => l.replace(/^(:\S+ \S+) \[\d+:\d+\]$/, '$1 [0:0]'))
    .join('\n');
}

/**
 * `ipset save` text for comparison: the `add` lines of each hash:* set are sorted. A hash set lists
 * its members in bucket order (jhash of the member seeded with the set's initval, then the bucket
 * layout of the kernel's resize history), which the model cannot compute and need not: it carries no
 * meaning. bitmap:port sets print in port order, `create` lines (type, family, hashsize, maxelem,
 * bucketsize, initval, range) and set order are kept as printed.
 */
export function normalizeIpsetSave(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let hashAdds: string[] = [];
  const flush = () => {
    out.push(...hashAdds.sort());
    hashAdds = [];
  };
  let inHash = false;
  for (const l of lines) {
    const create = /^create \S+ (\S+)/.exec(l);
    if (create) {
      flush();
      inHash = (create[1] ?? '').startsWith('hash:');
      out.push(l);
    } else if (inHash && l.startsWith('add ')) {
      hashAdds.push(l);
    } else {
      flush();
      out.push(l);
    }
  }
  flush();
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Loading model state into a namespace.

/** What loading a node did, for the test to state and assert. */
export interface LoadReport {
  /** Interfaces created, with the link kind used (kube-ipvs0: dummy if the kernel has it, else veth). */
  readonly interfaces: readonly { readonly name: string; readonly kind: 'dummy' | 'veth' }[];
  /** Model sysctl keys written into the namespace. */
  readonly sysctlsWritten: readonly string[];
  /** Model sysctl keys that do not exist in this namespace (e.g. net.ipv4.vs.* without ip_vs). */
  readonly sysctlsMissing: readonly string[];
}

function expectOk(what: string, r: ExecResult): ExecResult {
  if (r.exitCode !== 0) throw new Error(`${what}: exit ${r.exitCode}: ${r.stderr.trim()}`);
  return r;
}

/** `/proc/sys` path of a sysctl key: `.` separates, and `/` inside a key stands for a `.` in a name. */
export function sysctlPath(key: string): string {
  return `/proc/sys/${key
    .split('.')
    .map((p) => p.replaceAll('/', '.'))
    .join('/')}`;
}

// Writes each key=value that exists; prints the keys that do not (so the caller can report them).
const SYSCTL_WRITE_SCRIPT = [
  'for kv in "$@"; do',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a JS template.
  '  k=${kv%%=*}; p=${kv#*=}; v=${p#*=}; p=${p%%=*}',
  '  if [ -e "$p" ]; then sysctl -q -w "$k=$v" || exit 1; else echo "$k"; fi',
  'done',
].join('\n');

/**
 * Builds the model node's state in its namespace with the real tools: the interfaces of the model's
 * ip-addr (veth links whose peers live in `peers`; kube-ipvs0 a dummy if this kernel has the type),
 * the model's sysctls, then `ipset restore` (sets first: rules reference them), `iptables-restore`
 * and `ip6tables-restore` of the model's text.
 */
export async function loadModelNode(
  ns: NetnsHandle,
  peers: NetnsHandle,
  model: NodeSnapshot,
  nodeIndex: number,
): Promise<LoadReport> {
  const t = { timeoutMs: LOAD_TIMEOUT_MS };
  const anyExit = { ...t, okExitCodes: Array.from({ length: 256 }, (_, i) => i) };
  await ns.run(['ip', 'link', 'set', 'lo', 'up'], t);
  const interfaces: { name: string; kind: 'dummy' | 'veth' }[] = [];
  const ifs = parseIpAddr(sectionText(model, 'ip-addr')).interfaces.filter((i) => i.name !== 'lo');
  for (const [j, itf] of ifs.entries()) {
    if (itf.name === 'kube-ipvs0') {
      const dummy = await ns.run(['ip', 'link', 'add', itf.name, 'type', 'dummy'], anyExit);
      if (dummy.exitCode === 0) {
        interfaces.push({ name: itf.name, kind: 'dummy' });
        continue;
      }
    }
    // Peer names are ours and short (IFNAMSIZ 16); they live in the peers namespace only.
    const peer = `p${nodeIndex}x${j}`;
    await peers.run(
      ['ip', 'link', 'add', peer, 'type', 'veth', 'peer', 'name', itf.name, 'netns', ns.name],
      t,
    );
    if (itf.state.toUpperCase() !== 'DOWN') await ns.run(['ip', 'link', 'set', itf.name, 'up'], t);
    interfaces.push({ name: itf.name, kind: 'veth' });
  }
  const values = parseSysctl(sectionText(model, 'sysctl')).values;
  const args = Object.entries(values).map(([k, v]) => `${k}=${sysctlPath(k)}=${v}`);
  const w = expectOk(
    'sysctl -w of the model values',
    await ns.run(['sh', '-c', SYSCTL_WRITE_SCRIPT, 'sh', ...args], anyExit),
  );
  const sysctlsMissing = w.stdout.split('\n').filter((l) => l !== '');
  const sysctlsWritten = Object.keys(values).filter((k) => !sysctlsMissing.includes(k));
  await ns.run(['ipset', 'restore'], { ...t, input: sectionText(model, 'ipset-save') });
  await ns.run(['iptables-restore'], { ...t, input: sectionText(model, 'iptables-save') });
  await ns.run(['ip6tables-restore'], { ...t, input: sectionText(model, 'ip6tables-save') });
  return { interfaces, sysctlsWritten, sysctlsMissing };
}
