/**
 * Traffic samples the model cluster answers: each request is a new TCP connection, scheduled by the IPVS virtual
 * server it reaches on the node that owns the dialled address. rr keeps one pointer per virtual server per node
 * (reference fact 8), so the simulation keeps that state across samples, in the order the live run sends them:
 * ClusterIP from every node, then host -> 127.0.0.1:30000 (kind's extraPortMapping lands on the control-plane's
 * eth0), then from every client pod to every node's InternalIP:30000.
 */
import type { TrafficSample } from '../../helpers/bundle/types.ts';
import { clientPodName, WORKLOAD } from '../../helpers/workload.ts';
import { ipvsTable, type ModelVirtualServer, readyEndpoints } from './derive.ts';
import { seededRandom } from './net.ts';
import type { ModelCluster, ModelNode, ModelState } from './types.ts';

/** Requests per nodeport-pod sample: two rr cycles over the three backends, enough to see every node answer. */
export const NODEPORT_POD_REQUESTS = 6;

function svcKey(ns: string, name: string): string {
  return `${ns}/${name}`;
}

/** Simulates the run's traffic against the model's `state` (the initial snapshot). */
export function renderTraffic(model: ModelCluster, state: ModelState): TrafficSample[] {
  const byIp = new Map(state.pods.filter((p) => !p.hostNetwork && p.ip).map((p) => [p.ip ?? '', p.name]));
  const tables = new Map(model.nodes.map((n) => [n.name, ipvsTable(model, state, n)]));
  const pointers = new Map<string, number>();
  const random = seededRandom(0x1b5);
  const echo = model.services.find(
    (s) => s.name === WORKLOAD.clusterIpService.name && s.namespace === model.namespace,
  );
  const np = model.services.find(
    (s) => s.name === WORKLOAD.nodePortService.name && s.namespace === model.namespace,
  );
  if (!echo || !np) throw new Error('model lacks the echo services');

  /** One connection to `address:port` as seen by `node`'s data plane. */
  const connect = (
    node: ModelNode,
    address: string,
    port: number,
  ): { answer: string | null; error: string | null } => {
    if (model.proxyMode !== 'ipvs') {
      // iptables mode: statistic-random DNAT over the service's endpoints.
      const svc = model.services.find((s) => s.clusterIP === address) ?? np;
      const eps = readyEndpoints(model, state, svc);
      const ep = eps[Math.floor(random() * eps.length)];
      return ep
        ? { answer: byIp.get(ep.address) ?? ep.address, error: null }
        : { answer: null, error: 'connection refused' };
    }
    const vs: ModelVirtualServer | undefined = (tables.get(node.name) ?? []).find(
      (v) => v.address === address && v.port === port && v.protocol === 'TCP',
    );
    const live = vs ? vs.realServers.filter((r) => r.weight > 0) : [];
    if (!vs || live.length === 0)
      return { answer: null, error: `connect to ${address}:${port}: connection refused` };
    const key = `${node.name}|${address}:${port}`;
    const at = pointers.get(key) ?? 0;
    pointers.set(key, at + 1);
    const rs = live[at % live.length];
    return { answer: rs ? (byIp.get(rs.address) ?? rs.address) : null, error: null };
  };

  const burst = (node: ModelNode, address: string, port: number, n: number) => {
    const answers: (string | null)[] = [];
    const errors: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = connect(node, address, port);
      answers.push(r.answer);
      if (r.error) errors.push(r.error);
    }
    return { answers, errors };
  };

  const out: TrafficSample[] = [];
  const echoPort = echo.ports[0]?.port ?? WORKLOAD.clusterIpService.port;
  for (const n of model.nodes) {
    out.push({
      kind: 'clusterip',
      fromNode: n.name,
      client: clientPodName(n.name),
      service: svcKey(echo.namespace, echo.name),
      target: `${echo.clusterIP}:${echoPort}`,
      ...burst(n, echo.clusterIP, echoPort, WORKLOAD.requestsPerSample),
    });
  }
  const cp = model.nodes.find((n) => n.role === 'control-plane');
  const nodePort = np.ports[0]?.nodePort ?? WORKLOAD.nodePortService.nodePort;
  if (cp) {
    out.push({
      kind: 'nodeport-host',
      fromNode: 'host',
      client: 'host',
      service: svcKey(np.namespace, np.name),
      target: `127.0.0.1:${nodePort}`,
      ...burst(cp, cp.internalIP, nodePort, WORKLOAD.requestsPerSample),
    });
  }
  for (const from of model.nodes) {
    for (const to of model.nodes) {
      out.push({
        kind: 'nodeport-pod',
        fromNode: from.name,
        client: clientPodName(from.name),
        service: svcKey(np.namespace, np.name),
        target: `${to.internalIP}:${nodePort}`,
        // The packet is addressed to `to`'s eth0, so `to`'s IPVS table schedules it.
        ...burst(to, to.internalIP, nodePort, NODEPORT_POD_REQUESTS),
      });
    }
  }
  return out;
}
