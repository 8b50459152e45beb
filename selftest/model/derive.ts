/**
 * What kube-proxy derives from the model's Services and endpoints on each node: endpoints, local addresses,
 * the IPVS table, the ipset members. Renderers print these; the consistency tests compare them.
 */
import { ipv4ToNumber, nthAddress } from './net.ts';
import type {
  ModelCluster,
  ModelNode,
  ModelPod,
  ModelService,
  ModelServicePort,
  ModelState,
  Protocol,
} from './types.ts';

export interface ModelEndpoint {
  readonly address: string;
  readonly nodeName: string | null;
  readonly pod: ModelPod | null;
}

export interface ModelRealServer {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly activeConns: number;
  readonly inactConns: number;
}

export interface ModelVirtualServer {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  readonly scheduler: string;
  readonly service: ModelService;
  readonly servicePort: ModelServicePort;
  readonly kind: 'cluster-ip' | 'node-port';
  readonly realServers: readonly ModelRealServer[];
}

/** Node by name; throws when the model lacks it (a mutant removed it). */
export function nodeByName(model: ModelCluster, name: string): ModelNode {
  const n = model.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`model has no node ${name}`);
  return n;
}

/** State by label; throws when absent. */
export function stateByLabel(model: ModelCluster, label: string): ModelState {
  const s = model.states.find((x) => x.label === label);
  if (!s) throw new Error(`model has no state ${label}`);
  return s;
}

function matches(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Ready endpoints of a Service (what the EndpointSlice controller publishes and kube-proxy programs). */
export function readyEndpoints(model: ModelCluster, state: ModelState, svc: ModelService): ModelEndpoint[] {
  if (svc.selector === null) return [{ address: model.apiserver.address, nodeName: null, pod: null }];
  const selector = svc.selector;
  return state.pods
    .filter(
      (p) =>
        p.namespace === svc.namespace &&
        matches(selector, p.labels) &&
        p.phase === 'Running' &&
        p.ready &&
        p.ip !== null &&
        p.nodeName !== null,
    )
    .map((p) => ({ address: p.ip ?? '', nodeName: p.nodeName, pod: p }));
}

/** Pods scheduled on a node in a state. */
export function podsOnNode(state: ModelState, node: string): ModelPod[] {
  return state.pods.filter((p) => p.nodeName === node);
}

/** Pod-network pods on a node (those with a kindnet veth). */
export function vethPodsOnNode(state: ModelState, node: string): ModelPod[] {
  return podsOnNode(state, node).filter((p) => !p.hostNetwork && p.veth !== null && p.ip !== null);
}

/** The kindnet ptp gateway (`10.10.N.1`), present on the node only once it runs a pod-network pod (fact 4). */
export function gatewayAddress(node: ModelNode): string {
  return nthAddress(node.podCIDR, 1);
}

/**
 * Local IPv4 addresses kube-proxy creates NodePort virtual servers on: every address except kube-ipvs0's and
 * 127/8 (GetAllLocalAddressesExcept + isValidForSet, reference §2.8).
 */
export function nodePortAddresses(state: ModelState, node: ModelNode): string[] {
  const out = [node.internalIP];
  if (vethPodsOnNode(state, node.name).length > 0) out.push(gatewayAddress(node));
  return out;
}

/** Unique ClusterIPs in service order: what kube-ipvs0 and KUBE-IPVS-IPS hold. */
export function boundClusterIPs(model: ModelCluster): string[] {
  return [...new Set(model.services.map((s) => s.clusterIP))];
}

const PROTO_NUM: Readonly<Record<Protocol, number>> = { TCP: 6, UDP: 17, SCTP: 132 };

/** Kernel ip_vs_svc_hashkey with the per-netns pointer term replaced by the node's salt (8-bit table). */
function svcBucket(node: ModelNode, vs: { protocol: Protocol; address: string; port: number }): number {
  const a = ipv4ToNumber(vs.address);
  return (PROTO_NUM[vs.protocol] ^ a ^ (vs.port >>> 8) ^ vs.port ^ node.ipvsHashSalt) & 0xff;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The node's IPVS table in /proc/net/ip_vs order (hash buckets ascending, newest first inside a bucket). */
export function ipvsTable(model: ModelCluster, state: ModelState, node: ModelNode): ModelVirtualServer[] {
  if (model.proxyMode !== 'ipvs') return [];
  const created: ModelVirtualServer[] = [];
  const npAddrs = nodePortAddresses(state, node);
  for (const svc of model.services) {
    const eps = rotate(readyEndpoints(model, state, svc), node.rrRotation);
    for (const sp of svc.ports) {
      const rs = (vip: string, vport: number): ModelRealServer[] => {
        const live = eps.map((e) => ({
          address: e.address,
          port: sp.targetPort,
          weight: 1,
          activeConns: 0,
          inactConns: 0,
        }));
        const draining = state.draining
          .filter(
            (d) => d.node === node.name && d.protocol === sp.protocol && d.vip === vip && d.vport === vport,
          )
          .map((d) => ({
            address: d.address,
            port: d.port,
            weight: 0,
            activeConns: 0,
            inactConns: d.inactConns,
          }));
        return [...live, ...draining];
      };
      const base = { protocol: sp.protocol, scheduler: model.scheduler, service: svc, servicePort: sp };
      created.push({
        ...base,
        address: svc.clusterIP,
        port: sp.port,
        kind: 'cluster-ip',
        realServers: rs(svc.clusterIP, sp.port),
      });
      if (svc.type === 'NodePort' && sp.nodePort !== null) {
        for (const addr of npAddrs) {
          created.push({
            ...base,
            address: addr,
            port: sp.nodePort,
            kind: 'node-port',
            realServers: rs(addr, sp.nodePort),
          });
        }
      }
    }
  }
  return created
    .map((vs, i) => ({ vs, i, b: svcBucket(node, vs) }))
    .sort((x, y) => x.b - y.b || y.i - x.i)
    .map((x) => x.vs);
}

/** Members of the node's KUBE-CLUSTER-IP set (`ip,proto:port`, lowercase protocol). */
export function clusterIpMembers(model: ModelCluster): string[] {
  return model.services.flatMap((s) =>
    s.ports.map((p) => `${s.clusterIP},${p.protocol.toLowerCase()}:${p.port}`),
  );
}

/** Members of KUBE-NODE-PORT-TCP (bitmap:port). */
export function nodePortTcpMembers(model: ModelCluster): string[] {
  const ports = model.services.flatMap((s) =>
    s.ports.filter((p) => p.protocol === 'TCP' && p.nodePort !== null).map((p) => String(p.nodePort)),
  );
  return [...new Set(ports)];
}

/** Members of KUBE-LOOP-BACK on a node: `podIP,proto:targetPort,podIP` for LOCAL endpoints only (deduplicated). */
export function loopBackMembers(model: ModelCluster, state: ModelState, node: ModelNode): string[] {
  const out = new Set<string>();
  for (const svc of model.services) {
    for (const ep of readyEndpoints(model, state, svc)) {
      if (ep.nodeName !== node.name) continue;
      for (const sp of svc.ports)
        out.add(`${ep.address},${sp.protocol.toLowerCase()}:${sp.targetPort},${ep.address}`);
    }
  }
  return [...out];
}
