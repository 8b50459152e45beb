import type { ApiEndpointSlice, ApiNode, ApiPod } from '../api/types.ts';
import type { Section } from '../bundle/types.ts';
import { parseProcIpVs } from '../parse/proc-ip-vs.ts';
import { TIMEOUTS } from '../timeouts.ts';

/** One look at a condition: whether it holds, and what was seen (for the timeout message). */
export interface Probe<T> {
  readonly done: boolean;
  readonly value: T;
  readonly state: string;
}

/** A wait that hit its deadline; names what was awaited and the last thing seen. */
export class WaitTimeout extends Error {
  override readonly name = 'WaitTimeout';
}

/**
 * Polls `probe` until it reports done or `deadlineMs` passes. A probe that throws (API not up yet,
 * exec transport hiccup) is retried until the deadline: retries are for infrastructure only; the
 * judgement happens later, on the recorded bundle.
 */
export async function pollUntil<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<Probe<T>>,
  intervalMs: number = TIMEOUTS.pollIntervalMs,
): Promise<T> {
  const start = Date.now();
  let last = 'nothing seen yet';
  for (;;) {
    try {
      const p = await probe();
      if (p.done) return p.value;
      last = p.state;
    } catch (e: unknown) {
      last = `probe failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (Date.now() - start + intervalMs > deadlineMs) {
      throw new WaitTimeout(`waited ${Math.round(deadlineMs / 1000)} s for ${what}; last seen: ${last}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** All expected nodes registered and Ready. Pure. */
export function nodesReady(
  nodes: readonly ApiNode[],
  controlPlanes: number,
  workers: number,
): Probe<readonly ApiNode[]> {
  const cps = nodes.filter((n) => n.role === 'control-plane').length;
  const ready = nodes.filter((n) => n.ready).length;
  const done = cps === controlPlanes && nodes.length - cps === workers && ready === nodes.length;
  const list = nodes.map((n) => `${n.name} ${n.ready ? 'Ready' : 'NotReady'}`).join(', ') || 'no nodes';
  return { done, value: nodes, state: `${nodes.length} nodes (${list})` };
}

/** The ready endpoint addresses of a Service's slices. Pure. */
export function readyEndpointIPs(
  slices: readonly ApiEndpointSlice[],
  namespace: string,
  service: string,
): string[] {
  return slices
    .filter((s) => s.namespace === namespace && s.serviceName === service)
    .flatMap((s) => s.endpoints.filter((e) => e.ready && !e.terminating).flatMap((e) => e.addresses))
    .sort();
}

/**
 * The echo rollout reached `replicas` ready pods on distinct nodes, no others left (terminating
 * ones included), the clients Ready, and the Service's slices list exactly those pod IPs. Pure.
 */
export function workloadReady(
  pods: readonly ApiPod[],
  slices: readonly ApiEndpointSlice[],
  want: {
    namespace: string;
    echoLabel: Readonly<Record<string, string>>;
    replicas: number;
    service: string;
    clients: readonly string[];
  },
): Probe<string[]> {
  const isEcho = (p: ApiPod) =>
    p.namespace === want.namespace && Object.entries(want.echoLabel).every(([k, v]) => p.labels[k] === v);
  const echo = pods.filter(isEcho);
  const readyEcho = echo.filter((p) => p.ready && p.podIP !== null);
  const nodes = new Set(readyEcho.map((p) => p.nodeName));
  const ips = readyEcho.map((p) => p.podIP ?? '').sort();
  const eps = readyEndpointIPs(slices, want.namespace, want.service);
  const clientsReady = want.clients.filter((c) =>
    pods.some((p) => p.namespace === want.namespace && p.name === c && p.ready),
  );
  const done =
    echo.length === want.replicas &&
    readyEcho.length === want.replicas &&
    nodes.size === want.replicas &&
    eps.join(',') === ips.join(',') &&
    clientsReady.length === want.clients.length;
  return {
    done,
    value: ips,
    state:
      `echo pods ${echo.length} (ready ${readyEcho.length} on ${nodes.size} nodes), want ${want.replicas}; ` +
      `${want.service} ready endpoints [${eps.join(', ')}]; clients ready ${clientsReady.length}/${want.clients.length}`,
  };
}

/**
 * kube-proxy programmed the ClusterIP: the node's /proc/net/ip_vs has TCP `vip:port` whose real
 * servers with weight > 0 are exactly `endpoints` on `targetPort` (weight-0 servers are draining
 * under graceful termination and take no new connections). Pure.
 */
export function ipvsProgrammed(
  section: Section,
  vip: string,
  port: number,
  endpoints: readonly string[],
  targetPort: number,
): Probe<null> {
  if (section.status !== 'ok')
    return { done: false, value: null, state: `/proc/net/ip_vs absent: ${section.reason}` };
  let table: ReturnType<typeof parseProcIpVs>;
  try {
    table = parseProcIpVs(section.text);
  } catch (e: unknown) {
    return {
      done: false,
      value: null,
      state: `/proc/net/ip_vs unreadable: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  const vs = table.virtualServers.find((v) => v.protocol === 'TCP' && v.address === vip && v.port === port);
  if (!vs) return { done: false, value: null, state: `no virtual server TCP ${vip}:${port}` };
  const active = vs.realServers
    .filter((r) => r.weight > 0)
    .map((r) => `${r.address}:${r.port}`)
    .sort();
  const want = endpoints.map((e) => `${e}:${targetPort}`).sort();
  return {
    done: active.join(',') === want.join(','),
    value: null,
    state: `TCP ${vip}:${port} real servers [${active.join(', ')}], want [${want.join(', ')}]`,
  };
}
