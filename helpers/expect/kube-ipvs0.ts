import type { ApiObjects } from '../api/types.ts';
import { canonicalIp, type NodeState } from '../bundle/node-state.ts';
import type { IpInterface } from '../parse/types.ts';
import { type Finding, finding, formatSet, need, nodeSubject, setDiff } from './findings.ts';
import { familyOf, isProxied, serviceId, serviceIPs } from './service-model.ts';

/** The dummy device kube-proxy binds every ClusterIP to. */
export const KUBE_IPVS0 = 'kube-ipvs0';

function split(cidr: string): { address: string; prefix: number | null } {
  const [a, p] = cidr.split('/');
  return { address: canonicalIp(a ?? cidr), prefix: p === undefined ? null : Number(p) };
}

function findDevice(
  node: NodeState,
  check: string,
): { ok: true; itf: IpInterface; all: readonly IpInterface[] } | { ok: false; findings: Finding[] } {
  const ifs = need(node, 'interfaces', check);
  if (!ifs.ok) return { ok: false, findings: [ifs.finding] };
  const itf = ifs.value.interfaces.find((i) => i.name === KUBE_IPVS0);
  if (itf === undefined) {
    const names = ifs.value.interfaces.map((i) => i.name);
    return {
      ok: false,
      findings: [
        finding(
          check,
          nodeSubject(node, KUBE_IPVS0),
          'interface kube-ipvs0 does not exist',
          `interface ${KUBE_IPVS0}`,
          `interfaces ${formatSet(names)}`,
        ),
      ],
    };
  }
  return { ok: true, itf, all: ifs.value.interfaces };
}

/** kube-ipvs0 exists, is a dummy (when the output shows the link kind) and is DOWN (kube-proxy never sets it up). */
export function checkKubeIpvs0Device(node: NodeState): Finding[] {
  const dev = findDevice(node, 'kube-ipvs0.device');
  if (!dev.ok) return dev.findings;
  const out: Finding[] = [];
  const subject = nodeSubject(node, KUBE_IPVS0);
  if (dev.itf.type !== null && dev.itf.type !== 'dummy') {
    out.push(
      finding('kube-ipvs0.device', subject, `link kind ${dev.itf.type}, not dummy`, 'dummy', dev.itf.type),
    );
  }
  if (dev.itf.state.toUpperCase() !== 'DOWN') {
    out.push(
      finding('kube-ipvs0.device', subject, `state ${dev.itf.state}, not DOWN`, 'DOWN', dev.itf.state),
    );
  }
  return out;
}

/**
 * Every ClusterIP of every Service is on kube-ipvs0 as a host address (/32, IPv6 /128), kube-ipvs0
 * holds nothing else, and no other interface carries a ClusterIP.
 */
export function checkClusterIpsBound(node: NodeState, api: Pick<ApiObjects, 'services'>): Finding[] {
  const dev = findDevice(node, 'kube-ipvs0.addresses');
  if (!dev.ok) return dev.findings;
  const out: Finding[] = [];
  const subject = nodeSubject(node, KUBE_IPVS0);
  const owner = new Map<string, string>();
  for (const svc of api.services) {
    if (!isProxied(svc)) continue;
    for (const ip of serviceIPs(svc)) owner.set(ip, serviceId(svc));
  }
  const bound = dev.itf.addresses.map(split);
  const boundIps = bound.map((b) => b.address);
  const { missing, extra } = setDiff(owner.keys(), boundIps);
  for (const ip of missing) {
    out.push(
      finding(
        'kube-ipvs0.addresses',
        subject,
        `ClusterIP ${ip} of ${owner.get(ip) ?? '?'} is not bound`,
        formatSet(owner.keys()),
        formatSet(boundIps),
      ),
    );
  }
  for (const ip of extra) {
    out.push(
      finding(
        'kube-ipvs0.addresses',
        subject,
        `address ${ip} is bound but no Service has it`,
        formatSet(owner.keys()),
        formatSet(boundIps),
      ),
    );
  }
  for (const b of bound) {
    const host = familyOf(b.address) === 4 ? 32 : 128;
    if (owner.has(b.address) && b.prefix !== host) {
      out.push(
        finding(
          'kube-ipvs0.addresses',
          subject,
          `ClusterIP ${b.address} bound as /${b.prefix ?? '?'}`,
          `${b.address}/${host}`,
          `${b.address}/${b.prefix ?? '?'}`,
        ),
      );
    }
  }
  for (const itf of dev.all) {
    if (itf.name === KUBE_IPVS0) continue;
    for (const b of itf.addresses.map(split)) {
      const svc = owner.get(b.address);
      if (svc === undefined) continue;
      out.push(
        finding(
          'kube-ipvs0.addresses',
          nodeSubject(node, itf.name),
          `carries ClusterIP ${b.address} of ${svc}`,
          `no ClusterIP on ${itf.name}`,
          itf.addresses.join(', '),
        ),
      );
    }
  }
  return out;
}

/** {@link checkKubeIpvs0Device} and {@link checkClusterIpsBound} together. */
export function checkKubeIpvs0(node: NodeState, api: Pick<ApiObjects, 'services'>): Finding[] {
  const device = checkKubeIpvs0Device(node);
  // Without the section or the device the address check would only repeat the same finding.
  const present = node.interfaces.ok && node.interfaces.value.interfaces.some((i) => i.name === KUBE_IPVS0);
  return present ? [...device, ...checkClusterIpsBound(node, api)] : device;
}
