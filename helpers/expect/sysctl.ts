import type { NodeState } from '../bundle/node-state.ts';
import type { SysctlState } from '../parse/types.ts';
import { type Finding, finding, need, nodeSubject } from './findings.ts';

/** Options of the strictARP checks. */
export interface StrictArpOptions {
  /** Value kube-proxy writes with strictARP. Default 1. */
  readonly arpIgnore?: number;
  /** Value kube-proxy writes with strictARP. Default 2. */
  readonly arpAnnounce?: number;
}

const ARP_KEYS = ['arp_ignore', 'arp_announce'] as const;
type ArpKey = (typeof ARP_KEYS)[number];

function expectedArp(opts: StrictArpOptions): Record<ArpKey, number> {
  return { arp_ignore: opts.arpIgnore ?? 1, arp_announce: opts.arpAnnounce ?? 2 };
}

/** sysctl spells an interface name with `.` (a VLAN such as eth0.100) as `/` inside a key. */
export function confKey(iface: string, key: string): string {
  return `net.ipv4.conf.${iface.replaceAll('.', '/')}.${key}`;
}

function intValue(values: SysctlState['values'], key: string): number | null {
  const v = values[key];
  if (v === undefined) return null;
  const n = Number(v.trim());
  return Number.isInteger(n) ? n : null;
}

function missing(node: NodeState, check: string, key: string, expected: string): Finding {
  return finding(
    check,
    nodeSubject(node, key),
    'key missing from the sysctl section',
    expected,
    'no such key',
  );
}

/** `net.ipv4.conf.all.arp_ignore` == 1 and `net.ipv4.conf.all.arp_announce` == 2 (the only keys kube-proxy writes). */
export function checkStrictArpAll(node: NodeState, opts: StrictArpOptions = {}): Finding[] {
  const s = need(node, 'sysctls', 'sysctl.arp');
  if (!s.ok) return [s.finding];
  const want = expectedArp(opts);
  const out: Finding[] = [];
  for (const k of ARP_KEYS) {
    const key = confKey('all', k);
    const v = intValue(s.value.values, key);
    if (v === null) out.push(missing(node, 'sysctl.arp', key, String(want[k])));
    else if (v !== want[k])
      out.push(
        finding('sysctl.arp', nodeSubject(node, key), `is ${v}, not ${want[k]}`, String(want[k]), String(v)),
      );
  }
  return out;
}

/** Interfaces whose per-interface arp keys must be present: from ip-addr when usable, else those the sysctl section has. */
function interfacesOf(node: NodeState, values: SysctlState['values']): string[] {
  // `veth1a2b@if2` in `ip addr` text is interface veth1a2b (the part after @ names the peer).
  if (node.interfaces.ok) return node.interfaces.value.interfaces.map((i) => i.name.replace(/@.*$/, ''));
  const out = new Set<string>();
  for (const key of Object.keys(values)) {
    const m = /^net\.ipv4\.conf\.(.+)\.arp_(?:ignore|announce)$/.exec(key);
    const name = m?.[1];
    if (name !== undefined && name !== 'all' && name !== 'default') out.add(name.replaceAll('/', '.'));
  }
  return [...out];
}

/**
 * The effective value on every interface is strict. The kernel applies max(conf/all, conf/<iface>)
 * for both arp_ignore and arp_announce (IN_DEV_MAXCONF in include/linux/inetdevice.h; reference
 * 2.11), so an interface left at 0 is fine when `all` is strict, and one raised above the target
 * (e.g. arp_ignore 2, which breaks kindnet's ptp routes) is a finding.
 */
export function checkEffectiveArp(node: NodeState, opts: StrictArpOptions = {}): Finding[] {
  const s = need(node, 'sysctls', 'sysctl.arp-effective');
  if (!s.ok) return [s.finding];
  const want = expectedArp(opts);
  const out: Finding[] = [];
  for (const k of ARP_KEYS) {
    const allKey = confKey('all', k);
    const all = intValue(s.value.values, allKey);
    if (all === null) {
      out.push(missing(node, 'sysctl.arp-effective', allKey, String(want[k])));
      continue;
    }
    for (const iface of interfacesOf(node, s.value.values)) {
      const key = confKey(iface, k);
      const v = intValue(s.value.values, key);
      if (v === null) {
        out.push(missing(node, 'sysctl.arp-effective', key, `effective ${want[k]}`));
        continue;
      }
      const effective = Math.max(all, v);
      if (effective !== want[k]) {
        out.push(
          finding(
            'sysctl.arp-effective',
            nodeSubject(node, `${iface} ${k}`),
            `effective ${k} is ${effective} (max of all=${all}, ${iface}=${v}), not ${want[k]}`,
            String(want[k]),
            `${effective} (all=${all}, ${iface}=${v})`,
          ),
        );
      }
    }
  }
  return out;
}

/** {@link checkStrictArpAll} and {@link checkEffectiveArp}. */
export function checkStrictArp(node: NodeState, opts: StrictArpOptions = {}): Finding[] {
  if (!node.sysctls.ok) return checkStrictArpAll(node, opts);
  return [...checkStrictArpAll(node, opts), ...checkEffectiveArp(node, opts)];
}

/** Options of {@link checkIpvsSysctls}. */
export interface IpvsSysctlOptions {
  /** Expected `net.ipv4.vs.conn_reuse_mode`; default from the kernel version (see {@link expectedConnReuseMode}). */
  readonly connReuseMode?: string | null;
}

/**
 * kube-proxy writes conn_reuse_mode=0 only on kernels 4.1 <= v < 5.9 (issue #93297); on others it
 * leaves the value alone, so nothing is expected (null). Null also when the version is unreadable.
 */
export function expectedConnReuseMode(kernel: string): string | null {
  const m = /^(\d+)\.(\d+)/.exec(kernel.trim());
  if (m === null) return null;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  return v >= 4001 && v < 5009 ? '0' : null;
}

/** The IPVS sysctls kube-proxy sets in NewProxier (reference 2.11); every key must be present. */
export function checkIpvsSysctls(node: NodeState, opts: IpvsSysctlOptions = {}): Finding[] {
  const s = need(node, 'sysctls', 'sysctl.ipvs');
  if (!s.ok) return [s.finding];
  const reuse =
    opts.connReuseMode !== undefined
      ? opts.connReuseMode
      : node.kernel.ok
        ? expectedConnReuseMode(node.kernel.value)
        : null;
  const want: [string, string | null][] = [
    ['net.ipv4.vs.conntrack', '1'],
    ['net.ipv4.vs.conn_reuse_mode', reuse],
    ['net.ipv4.vs.expire_nodest_conn', '1'],
    ['net.ipv4.vs.expire_quiescent_template', '1'],
    ['net.ipv4.ip_forward', '1'],
  ];
  const out: Finding[] = [];
  for (const [key, value] of want) {
    const v = s.value.values[key];
    if (v === undefined) out.push(missing(node, 'sysctl.ipvs', key, value ?? 'present (any value)'));
    else if (value !== null && v.trim() !== value) {
      out.push(
        finding('sysctl.ipvs', nodeSubject(node, key), `is ${v.trim()}, not ${value}`, value, v.trim()),
      );
    }
  }
  return out;
}
