import { randomBytes } from 'node:crypto';
import { NODE_SECTIONS, type NodeSectionName, type NodeSnapshot, type Section } from '../bundle/types.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { crictlExecScript, NO_CONTAINER_EXIT } from './crictl.ts';
import type { DockerCli } from './docker.ts';
import { type ExecResult, tail } from './process.ts';

/**
 * How the live run reaches a node's network namespace. The snapshot script is plain POSIX sh with
 * no transport specifics, so a `docker exec` transport and (later) an `ip netns exec` one run the same text.
 */
export interface NodeTransport {
  /** The Kubernetes node name. */
  readonly node: string;
  /** Runs a POSIX sh script in the node; returns whatever exit code it had (only transport failures throw). */
  exec(script: string, timeoutMs: number): Promise<ExecResult>;
}

/** `docker exec <container> sh -c <script>`; kind names each node container after its node. */
export class DockerExecTransport implements NodeTransport {
  constructor(
    private readonly docker: DockerCli,
    readonly node: string,
    private readonly container: string = node,
  ) {}
  exec(script: string, timeoutMs: number): Promise<ExecResult> {
    return this.docker.exec(this.container, script, timeoutMs);
  }
}

/** Sections the one-exec node script collects (ipset-save needs the kube-proxy container, see ipsetSave). */
export type ScriptSection = Exclude<NodeSectionName, 'ipset-save'>;
export const SCRIPT_SECTIONS: readonly ScriptSection[] = NODE_SECTIONS.filter(
  (s): s is ScriptSection => s !== 'ipset-save',
);

/** The sysctls read on every node besides the per-interface arp_* pair (all, default and each interface). */
export const NODE_SYSCTL_KEYS = [
  'net.ipv4.ip_forward',
  'net.ipv4.vs.conntrack',
  'net.ipv4.vs.conn_reuse_mode',
  'net.ipv4.vs.expire_nodest_conn',
  'net.ipv4.vs.expire_quiescent_template',
] as const;

interface SectionSpec {
  /** The command as recorded in the bundle. */
  readonly command: string;
  /** The program that must exist; a missing one makes the section absent with that reason. */
  readonly tool: string;
  /** Shell text run for the section (may be more than the recorded command, e.g. building the key list). */
  readonly script: string;
}

// kube-proxy's metrics server; 127.0.0.1:10249 is its default bind and still answers when the kind
// config binds 0.0.0.0. kube-proxy is hostNetwork, so the node's netns is where it listens.
const PROXY = 'http://127.0.0.1:10249';

// Each interface's arp_* keys; sysctl writes a "." inside an interface name (VLANs) as "/".
const SYSCTL_SCRIPT = [
  `keys='${NODE_SYSCTL_KEYS.join(' ')}'`,
  'for d in /proc/sys/net/ipv4/conf/*/; do',
  '  i=$(basename "$d" | tr . /)',
  '  keys="$keys net.ipv4.conf.$i.arp_ignore net.ipv4.conf.$i.arp_announce"',
  'done',
  // -e: a key that does not exist (net.ipv4.vs.* without ip_vs) is left out instead of failing the
  // whole section; the judge then reports the missing key by name.
  'sysctl -e $keys',
].join('\n');

/** What each script section runs. */
export const SECTION_SPECS: Readonly<Record<ScriptSection, SectionSpec>> = {
  'proc-ip-vs': { command: 'cat /proc/net/ip_vs', tool: 'cat', script: 'cat /proc/net/ip_vs' },
  'iptables-save': { command: 'iptables-save', tool: 'iptables-save', script: 'iptables-save' },
  'ip6tables-save': { command: 'ip6tables-save', tool: 'ip6tables-save', script: 'ip6tables-save' },
  // -d adds the link kind (`"info_kind": "dummy"` for kube-ipvs0).
  'ip-addr': { command: 'ip -d -j addr show', tool: 'ip', script: 'ip -d -j addr show' },
  sysctl: {
    command: `sysctl -e ${NODE_SYSCTL_KEYS.join(' ')} net.ipv4.conf.<all|default|each interface>.{arp_ignore,arp_announce}`,
    tool: 'sysctl',
    script: SYSCTL_SCRIPT,
  },
  'proxy-mode': {
    command: `curl -sS -f --max-time 5 ${PROXY}/proxyMode`,
    tool: 'curl',
    script: `curl -sS -f --max-time 5 ${PROXY}/proxyMode`,
  },
  metrics: {
    command: `curl -sS -f --max-time 10 ${PROXY}/metrics`,
    tool: 'curl',
    script: `curl -sS -f --max-time 10 ${PROXY}/metrics`,
  },
  kernel: { command: 'uname -r', tool: 'uname', script: 'uname -r' },
};

/** A fresh random marker token, so no command output can contain (or forge) a section marker. */
export function newToken(): string {
  return randomBytes(8).toString('hex');
}

const marker = (token: string): string => `@@kind-ipvs-${token}`;

/**
 * The one-exec node snapshot script: runs each section's command with stdout and stderr captured
 * separately, then prints them between unique markers with the exit status. POSIX sh + mktemp only.
 */
export function snapshotScript(token: string, sections: readonly ScriptSection[] = SCRIPT_SECTIONS): string {
  const lines = [
    `M=${marker(token)}`,
    'T=$(mktemp -d) || exit 90',
    'sec() {',
    '  name=$1; tool=$2; body=$3',
    '  if command -v "$tool" >/dev/null 2>&1; then',
    '    ( eval "$body" ) >"$T/o" 2>"$T/e" </dev/null; rc=$?',
    '  else',
    '    : >"$T/o"; printf \'%s: command not found\\n\' "$tool" >"$T/e"; rc=127',
    '  fi',
    // The newline before each closing marker is the script's, so the splitter gets stdout verbatim.
    '  printf \'%s:begin:%s\\n\' "$M" "$name"; cat "$T/o"',
    '  printf \'\\n%s:stderr:%s\\n\' "$M" "$name"; cat "$T/e"',
    '  printf \'\\n%s:end:%s:%s\\n\' "$M" "$name" "$rc"',
    '}',
  ];
  for (const name of sections) {
    const spec = SECTION_SPECS[name];
    lines.push(`sec ${name} ${spec.tool} '${spec.script.replace(/'/g, `'\\''`)}'`);
  }
  lines.push('rm -rf "$T"', 'exit 0');
  return lines.join('\n');
}

interface RawSection {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Finds one section's stdout, stderr and exit code in the script output, or null if it is incomplete. */
function findSection(out: string, token: string, name: string): RawSection | null {
  const m = marker(token);
  const begin = `${m}:begin:${name}\n`;
  const b = out.indexOf(begin);
  if (b < 0 || (b > 0 && out[b - 1] !== '\n')) return null;
  const start = b + begin.length;
  const errMark = `\n${m}:stderr:${name}\n`;
  const e = out.indexOf(errMark, start);
  if (e < 0) return null;
  const endMark = `\n${m}:end:${name}:`;
  const x = out.indexOf(endMark, e + errMark.length);
  if (x < 0) return null;
  const rcMatch = /^(\d+)\n/.exec(out.slice(x + endMark.length));
  if (!rcMatch?.[1]) return null;
  return {
    stdout: out.slice(start, e),
    stderr: out.slice(e + errMark.length, x),
    exitCode: Number(rcMatch[1]),
  };
}

/** A section from one command's result: ok on exit 0, else absent with the exit code and stderr tail. */
export function toSection(command: string, raw: RawSection): Section {
  if (raw.exitCode === 0) return { status: 'ok', command, text: raw.stdout };
  const why = tail(raw.stderr, 3, 500);
  return { status: 'absent', command, reason: `exit ${raw.exitCode}${why === '' ? '' : `: ${why}`}` };
}

/**
 * Splits the snapshot script's output into sections. Pure. A section missing from the output (the
 * exec died or was cut short) is absent with a reason naming the transport's exit code and stderr.
 */
export function splitSnapshotOutput(
  result: ExecResult,
  token: string,
  sections: readonly ScriptSection[] = SCRIPT_SECTIONS,
): Record<ScriptSection, Section> {
  const out: Partial<Record<ScriptSection, Section>> = {};
  for (const name of sections) {
    const command = SECTION_SPECS[name].command;
    const raw = findSection(result.stdout, token, name);
    if (raw === null) {
      const why = tail(result.stderr, 3, 500);
      out[name] = {
        status: 'absent',
        command,
        reason: `no complete '${name}' section in the node script output (exec exit ${result.exitCode}${why === '' ? '' : `: ${why}`})`,
      };
    } else {
      out[name] = toSection(command, raw);
    }
  }
  return out as Record<ScriptSection, Section>;
}

/** The command recorded for the ipset-save section. */
export const IPSET_COMMAND = 'crictl exec <kube-system/kube-proxy container on this node> ipset save';

/**
 * `ipset save` inside the node's kube-proxy container (the node image has no ipset; kube-proxy's
 * image does). One exec through the same transport; crictl finds the DaemonSet's container on
 * that node by its CRI labels, so no API lookup of the pod name is needed.
 */
export async function ipsetSave(transport: NodeTransport): Promise<Section> {
  const timeoutS = Math.floor(TIMEOUTS.nodeExecMs / 1000) - 5;
  const script = crictlExecScript(
    { namespace: 'kube-system', container: 'kube-proxy' },
    ['ipset', 'save'],
    timeoutS,
  );
  const r = await transport.exec(script, TIMEOUTS.nodeExecMs);
  if (r.exitCode === NO_CONTAINER_EXIT) {
    return { status: 'absent', command: IPSET_COMMAND, reason: tail(r.stderr, 2, 300) };
  }
  return toSection(IPSET_COMMAND, r);
}

/** Takes one node snapshot: the section script (one exec) plus ipset save (one exec). */
export async function snapshotNode(
  transport: NodeTransport,
  sections: readonly ScriptSection[] = SCRIPT_SECTIONS,
): Promise<NodeSnapshot> {
  const token = newToken();
  const r = await transport.exec(snapshotScript(token, sections), TIMEOUTS.nodeExecMs);
  const scripted = splitSnapshotOutput(r, token, sections);
  const ipset = sections === SCRIPT_SECTIONS ? await ipsetSave(transport) : notCollected('ipset-save');
  const all: Partial<Record<NodeSectionName, Section>> = { ...scripted, 'ipset-save': ipset };
  for (const name of NODE_SECTIONS) if (all[name] === undefined) all[name] = notCollected(name);
  return { node: transport.node, sections: all as Record<NodeSectionName, Section> };
}

function notCollected(name: NodeSectionName): Section {
  const command = name === 'ipset-save' ? IPSET_COMMAND : SECTION_SPECS[name].command;
  return { status: 'absent', command, reason: 'not collected in this (partial) snapshot' };
}

/** Reads only /proc/net/ip_vs (cheap; used to poll for kube-proxy convergence). */
export async function readProcIpVs(transport: NodeTransport): Promise<Section> {
  const token = newToken();
  const r = await transport.exec(snapshotScript(token, ['proc-ip-vs']), TIMEOUTS.nodeExecMs);
  return splitSnapshotOutput(r, token, ['proc-ip-vs'])['proc-ip-vs'];
}
