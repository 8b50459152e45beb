/**
 * The sysctl section as the live node script prints it (helpers/live/node-snapshot.ts: `sysctl -e` over
 * NODE_SYSCTL_KEYS, then arp_ignore/arp_announce of every directory in /proc/sys/net/ipv4/conf in glob order:
 * all, default, then the interfaces by name). Values per reference §2.11: kube-proxy with strictARP writes ONLY
 * net.ipv4.conf.all.arp_ignore=1 / arp_announce=2; `default` and every interface keep the netns defaults 0/0 (kind
 * v0.24 sets no arp_* itself) and the kernel applies max(all, iface). The IPVS proxier also sets vs.conntrack,
 * vs.expire_nodest_conn, vs.expire_quiescent_template and ip_forward to 1; conn_reuse_mode keeps its default 1 on
 * kernels >= 5.9.
 */
import { NODE_SYSCTL_KEYS, SECTION_SPECS } from '../../helpers/live/node-snapshot.ts';
import type { ModelCluster, ModelNode } from './types.ts';

/** The conf directories the script walks, in glob (byte) order. */
export function confDirectories(interfaces: readonly string[]): string[] {
  return ['all', 'default', ...interfaces].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The sysctl keys, in the order the live script asks for them. */
export function sysctlKeys(interfaces: readonly string[]): string[] {
  return [
    ...NODE_SYSCTL_KEYS,
    ...confDirectories(interfaces).flatMap((i) => [
      `net.ipv4.conf.${i}.arp_ignore`,
      `net.ipv4.conf.${i}.arp_announce`,
    ]),
  ];
}

/** The values the model node holds, before overrides. */
export function sysctlValues(model: ModelCluster, interfaces: readonly string[]): Map<string, string> {
  const ipvs = model.proxyMode === 'ipvs';
  const strict = ipvs && model.strictARP;
  const v = new Map<string, string>([
    ['net.ipv4.ip_forward', '1'],
    // In iptables mode the ip_vs module may still be loaded (CI modprobes it); its knobs keep kernel defaults.
    ['net.ipv4.vs.conntrack', ipvs ? '1' : '0'],
    ['net.ipv4.vs.conn_reuse_mode', '1'],
    ['net.ipv4.vs.expire_nodest_conn', ipvs ? '1' : '0'],
    ['net.ipv4.vs.expire_quiescent_template', ipvs ? '1' : '0'],
  ]);
  for (const i of confDirectories(interfaces)) {
    v.set(`net.ipv4.conf.${i}.arp_ignore`, i === 'all' && strict ? '1' : '0');
    v.set(`net.ipv4.conf.${i}.arp_announce`, i === 'all' && strict ? '2' : '0');
  }
  return v;
}

/** Renders the node's sysctl section text (overrides from the model applied last; new keys appended). */
export function renderSysctl(
  model: ModelCluster,
  node: ModelNode,
  interfaces: readonly string[],
): { command: string; text: string } {
  const keys = sysctlKeys(interfaces);
  const values = sysctlValues(model, interfaces);
  for (const [k, val] of Object.entries(model.sysctlOverrides[node.name] ?? {})) {
    if (!values.has(k)) keys.push(k);
    values.set(k, val);
  }
  return {
    command: SECTION_SPECS.sysctl.command,
    text: keys.map((k) => `${k} = ${values.get(k) ?? ''}\n`).join(''),
  };
}
