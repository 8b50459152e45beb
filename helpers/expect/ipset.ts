import type { ApiObjects } from '../api/types.ts';
import { canonicalIp, type NodeState } from '../bundle/node-state.ts';
import type { IpSet, IpsetState } from '../parse/types.ts';
import { type Finding, finding, formatSet, need, nodeSubject, setDiff } from './findings.ts';
import { KUBE_IPVS0 } from './kube-ipvs0.ts';
import {
  familyOf,
  isProxied,
  loopBackMembers,
  nodePortAddresses,
  nodePorts,
  serviceIPs,
} from './service-model.ts';

/**
 * ipset membership checks (IPv4 sets only: the KUBE-6-* sets of the IPv6 proxier exist in an
 * IPv4-only cluster and are never judged). Members are compared as sets after normalisation, never
 * in order (ipset prints hash order).
 */

const PROTO_BY_NUMBER: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '132': 'sctp' };

/**
 * Canonical member text: options after the member dropped (` timeout N`), protocols lower-case
 * and by name (`ipset list` prints numbers without /etc/protocols), addresses canonical.
 */
export function normalizeMember(member: string): string {
  const bare = member.trim().split(/\s+/)[0] ?? '';
  return bare
    .split(',')
    .map((part) => {
      const m = /^([A-Za-z0-9]+):(\d+)$/.exec(part);
      if (m !== null) {
        const proto = (m[1] ?? '').toLowerCase();
        return `${PROTO_BY_NUMBER[proto] ?? proto}:${m[2] ?? ''}`;
      }
      return part.includes('/') ? part : canonicalIp(part);
    })
    .join(',');
}

function findSet(state: IpsetState, name: string): IpSet | undefined {
  return state.sets.find((s) => s.name === name);
}

function judgeSet(
  node: NodeState,
  state: IpsetState,
  name: string,
  check: string,
  expected: Iterable<string>,
): Finding[] {
  const want = [...expected];
  const subject = nodeSubject(node, `ipset ${name}`);
  const set = findSet(state, name);
  if (set === undefined) {
    return [
      finding(check, subject, 'set does not exist', `set ${name} with ${formatSet(want)}`, 'no such set'),
    ];
  }
  const have = set.members.map(normalizeMember);
  const { missing, extra } = setDiff(want, have);
  return [
    ...missing.map((m) => finding(check, subject, `missing member ${m}`, formatSet(want), formatSet(have))),
    ...extra.map((x) => finding(check, subject, `unexpected member ${x}`, formatSet(want), formatSet(have))),
  ];
}

function sets(
  node: NodeState,
  check: string,
): { ok: true; value: IpsetState } | { ok: false; finding: Finding } {
  return need(node, 'ipsets', check);
}

/** KUBE-CLUSTER-IP == {`clusterIP,proto:port`} over every port of every IPv4 Service. */
export function checkClusterIpSet(node: NodeState, api: Pick<ApiObjects, 'services'>): Finding[] {
  const s = sets(node, 'ipset.cluster-ip');
  if (!s.ok) return [s.finding];
  const want = new Set<string>();
  for (const svc of api.services) {
    if (!isProxied(svc)) continue;
    for (const ip of serviceIPs(svc)) {
      if (familyOf(ip) !== 4) continue;
      for (const p of svc.ports) want.add(`${ip},${p.protocol.toLowerCase()}:${p.port}`);
    }
  }
  return judgeSet(node, s.value, 'KUBE-CLUSTER-IP', 'ipset.cluster-ip', want);
}

/**
 * NodePort sets: KUBE-NODE-PORT-TCP/UDP hold every nodePort of the protocol (ETP=Local ones too),
 * KUBE-NODE-PORT-LOCAL-TCP/UDP the ETP=Local ones only; the SCTP hash sets `nodeIP,sctp:port` for
 * every node address (judged only when an SCTP NodePort exists or the set has members).
 */
export function checkNodePortSets(node: NodeState, api: Pick<ApiObjects, 'services'>): Finding[] {
  const s = sets(node, 'ipset.node-port');
  if (!s.ok) return [s.finding];
  const ports = nodePorts(api.services, 4);
  const out: Finding[] = [];
  for (const proto of ['TCP', 'UDP'] as const) {
    const all = ports.filter((n) => n.port.protocol === proto);
    out.push(
      ...judgeSet(
        node,
        s.value,
        `KUBE-NODE-PORT-${proto}`,
        'ipset.node-port',
        all.map((n) => String(n.nodePort)),
      ),
    );
    const local = all.filter((n) => n.svc.externalTrafficPolicy === 'Local');
    out.push(
      ...judgeSet(
        node,
        s.value,
        `KUBE-NODE-PORT-LOCAL-${proto}`,
        'ipset.node-port',
        local.map((n) => String(n.nodePort)),
      ),
    );
  }
  const sctp = ports.filter((n) => n.port.protocol === 'SCTP');
  const sctpSets = ['KUBE-NODE-PORT-SCTP-HASH', 'KUBE-NODE-PORT-LOCAL-SCTP-HASH'];
  const sctpInUse = sctp.length > 0 || sctpSets.some((n) => (findSet(s.value, n)?.members.length ?? 0) > 0);
  if (sctpInUse) {
    const itf = need(node, 'interfaces', 'ipset.node-port');
    if (!itf.ok) return [...out, itf.finding];
    const addrs = nodePortAddresses(itf.value, 4);
    const member = (n: (typeof sctp)[number]) => addrs.map((a) => `${a},sctp:${n.nodePort}`);
    out.push(...judgeSet(node, s.value, 'KUBE-NODE-PORT-SCTP-HASH', 'ipset.node-port', sctp.flatMap(member)));
    out.push(
      ...judgeSet(
        node,
        s.value,
        'KUBE-NODE-PORT-LOCAL-SCTP-HASH',
        'ipset.node-port',
        sctp.filter((n) => n.svc.externalTrafficPolicy === 'Local').flatMap(member),
      ),
    );
  }
  return out;
}

/** KUBE-LOOP-BACK == {`podIP,proto:targetPort,podIP`} for every endpoint on this node, terminating ones included. */
export function checkLoopBackSet(
  node: NodeState,
  api: Pick<ApiObjects, 'services' | 'endpointSlices'>,
): Finding[] {
  const s = sets(node, 'ipset.loop-back');
  if (!s.ok) return [s.finding];
  return judgeSet(
    node,
    s.value,
    'KUBE-LOOP-BACK',
    'ipset.loop-back',
    loopBackMembers(api.services, api.endpointSlices, 4, node.name),
  );
}

/** KUBE-IPVS-IPS == the IPv4 addresses on kube-ipvs0 (judged only when the set exists: it is v1.26+). */
export function checkIpvsIpsSet(node: NodeState): Finding[] {
  const s = sets(node, 'ipset.ipvs-ips');
  if (!s.ok) return [s.finding];
  if (findSet(s.value, 'KUBE-IPVS-IPS') === undefined) return [];
  const itf = need(node, 'interfaces', 'ipset.ipvs-ips');
  if (!itf.ok) return [itf.finding];
  const dev = itf.value.interfaces.find((i) => i.name === KUBE_IPVS0);
  const want = (dev?.addresses ?? [])
    .map((a) => canonicalIp(a.split('/')[0] ?? a))
    .filter((a) => familyOf(a) === 4);
  return judgeSet(node, s.value, 'KUBE-IPVS-IPS', 'ipset.ipvs-ips', want);
}

/** The `*-LOCAL*` sets of IPv4, with whether a Service with ETP=Local can fill them. */
const LOCAL_SETS: readonly { name: string; filledBy: 'node-port' | 'load-balancer' | 'external-ip' }[] = [
  { name: 'KUBE-NODE-PORT-LOCAL-TCP', filledBy: 'node-port' },
  { name: 'KUBE-NODE-PORT-LOCAL-UDP', filledBy: 'node-port' },
  { name: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH', filledBy: 'node-port' },
  { name: 'KUBE-LOAD-BALANCER-LOCAL', filledBy: 'load-balancer' },
  { name: 'KUBE-EXTERNAL-IP-LOCAL', filledBy: 'external-ip' },
];

/**
 * Without any Service of externalTrafficPolicy=Local every `*-LOCAL*` set is empty. (With one, the
 * NodePort LOCAL sets are judged by {@link checkNodePortSets}; the LB / externalIP ones are not
 * judged, since the API subset carries no ingress or external IPs.)
 */
export function checkLocalSetsEmpty(node: NodeState, api: Pick<ApiObjects, 'services'>): Finding[] {
  const s = sets(node, 'ipset.local');
  if (!s.ok) return [s.finding];
  const anyLocal = api.services.some((svc) => isProxied(svc) && svc.externalTrafficPolicy === 'Local');
  if (anyLocal) return [];
  const out: Finding[] = [];
  for (const { name } of LOCAL_SETS) {
    const set = findSet(s.value, name);
    if (set === undefined || set.members.length === 0) continue;
    out.push(
      finding(
        'ipset.local',
        nodeSubject(node, `ipset ${name}`),
        'has members although no Service has externalTrafficPolicy=Local',
        '{}',
        formatSet(set.members.map(normalizeMember)),
      ),
    );
  }
  return out;
}

/** Every ipset check. */
export function checkIpsets(
  node: NodeState,
  api: Pick<ApiObjects, 'services' | 'endpointSlices'>,
): Finding[] {
  const s = sets(node, 'ipset');
  if (!s.ok) return [s.finding];
  return [
    ...checkClusterIpSet(node, api),
    ...checkNodePortSets(node, api),
    ...checkLoopBackSet(node, api),
    ...checkIpvsIpsSet(node),
    ...checkLocalSetsEmpty(node, api),
  ];
}
