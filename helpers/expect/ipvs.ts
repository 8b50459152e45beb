import type { ApiEndpointSlice, ApiObjects, ApiService, ApiServicePort } from '../api/types.ts';
import { KNOWN_HZ, type NodeState, type NodeVirtualServer } from '../bundle/node-state.ts';
import type { IpAddrState } from '../parse/types.ts';
import { type Finding, finding, formatSet, need, nodeSubject, setDiff } from './findings.ts';
import {
  clusterIpRealServers,
  type Family,
  familyOf,
  hostPort,
  isLoopback,
  isProxied,
  nodePortAddresses,
  nodePortOf,
  nodePortRealServers,
  type PortEndpoint,
  serviceId,
  serviceIPs,
} from './service-model.ts';

/** Which virtual servers an IPVS check judges. */
export type IpvsScope = 'all' | 'cluster-ip' | 'node-port';

/** Options of the IPVS checks. */
export interface IpvsOptions {
  /** Expected scheduler (kube-proxy's default is rr). */
  readonly scheduler?: string;
  /** Set false to skip the scheduler comparison (e.g. when a separate test judges it). */
  readonly checkScheduler?: boolean;
  /** Kernel HZ when known; otherwise a persistence timeout must fit one of {@link KNOWN_HZ}. */
  readonly hz?: number;
  /** Default `all`. */
  readonly scope?: IpvsScope;
}

/** A weight-0 real server: graceful termination in progress, reported apart, not a failure. */
export interface DrainingRealServer {
  readonly node: string;
  /** `TCP 10.200.1.123:80`. */
  readonly virtualServer: string;
  /** `10.10.3.2:8080`. */
  readonly realServer: string;
  readonly activeConns: number;
  readonly inactiveConns: number;
}

/** Findings plus the draining (weight 0) real servers seen on the judged virtual servers. */
export interface IpvsReport {
  readonly findings: Finding[];
  readonly draining: DrainingRealServer[];
}

const DEFAULT_AFFINITY_SECONDS = 10800;

/** `TCP 10.200.1.1:443`. */
export function vsKey(protocol: string, address: string, port: number): string {
  return `${protocol} ${hostPort(address, port)}`;
}

function vsKeyOf(vs: NodeVirtualServer): string {
  return vs.protocol === 'FWM' ? `FWM ${vs.address}` : vsKey(vs.protocol, vs.address, vs.port);
}

function indexTable(vss: readonly NodeVirtualServer[]): Map<string, NodeVirtualServer> {
  return new Map(vss.map((vs) => [vsKeyOf(vs), vs]));
}

function portLabel(svc: ApiService, port: ApiServicePort): string {
  return port.name === null || port.name === '' ? serviceId(svc) : `${serviceId(svc)} port ${port.name}`;
}

interface Ctx {
  readonly node: NodeState;
  readonly opts: IpvsOptions;
  readonly findings: Finding[];
  readonly draining: DrainingRealServer[];
}

function judgeVirtualServer(
  ctx: Ctx,
  vs: NodeVirtualServer | undefined,
  key: string,
  label: string,
  svc: ApiService,
  expected: readonly PortEndpoint[],
  kind: 'cluster-ip' | 'node-port',
): void {
  const subject = nodeSubject(ctx.node, `${key} (${label})`);
  const expectedRs = expected.map((e) => hostPort(e.address, e.port));
  if (vs === undefined) {
    ctx.findings.push(
      finding(
        `ipvs.${kind}.virtual-server`,
        subject,
        'no virtual server',
        `virtual server ${key} with real servers ${formatSet(expectedRs)}`,
        'no such virtual server',
      ),
    );
    return;
  }
  const scheduler = ctx.opts.scheduler ?? 'rr';
  if (ctx.opts.checkScheduler !== false && vs.scheduler !== scheduler) {
    ctx.findings.push(
      finding(
        'ipvs.scheduler',
        subject,
        `scheduler ${vs.scheduler}, not ${scheduler}`,
        scheduler,
        vs.scheduler,
      ),
    );
  }
  judgePersistence(ctx, vs, svc, subject);

  const active = vs.realServers.filter((rs) => rs.weight > 0);
  const activeRs = active.map((rs) => hostPort(rs.address, rs.port));
  const wanted = new Set(expectedRs);
  for (const rs of vs.realServers) {
    const name = hostPort(rs.address, rs.port);
    if (rs.weight === 0 && !wanted.has(name)) {
      ctx.draining.push({
        node: ctx.node.name,
        virtualServer: key,
        realServer: name,
        activeConns: rs.activeConns,
        inactiveConns: rs.inactiveConns,
      });
    }
  }
  const { missing, extra } = setDiff(expectedRs, activeRs);
  const weightZero = new Set(
    vs.realServers.filter((rs) => rs.weight === 0).map((rs) => hostPort(rs.address, rs.port)),
  );
  for (const m of missing) {
    const why = weightZero.has(m) ? 'has weight 0 although the endpoint is usable' : 'is missing';
    ctx.findings.push(
      finding(
        `ipvs.${kind}.real-servers`,
        subject,
        `real server ${m} ${why}`,
        formatSet(expectedRs),
        formatSet(activeRs),
      ),
    );
  }
  for (const x of extra) {
    ctx.findings.push(
      finding(
        `ipvs.${kind}.real-servers`,
        subject,
        `stale real server ${x} (not a usable endpoint)`,
        formatSet(expectedRs),
        formatSet(activeRs),
      ),
    );
  }
  for (const rs of active) {
    const name = hostPort(rs.address, rs.port);
    if (!wanted.has(name)) continue;
    if (rs.weight !== 1) {
      ctx.findings.push(
        finding(
          `ipvs.${kind}.weight`,
          subject,
          `real server ${name} has weight ${rs.weight}`,
          'weight 1',
          `weight ${rs.weight}`,
        ),
      );
    }
    if (rs.forward !== 'Masq') {
      ctx.findings.push(
        finding(
          `ipvs.${kind}.forward`,
          subject,
          `real server ${name} forwards by ${rs.forward}`,
          'Masq',
          rs.forward,
        ),
      );
    }
  }
}

function judgePersistence(ctx: Ctx, vs: NodeVirtualServer, svc: ApiService, subject: string): void {
  const j = vs.persistentJiffies;
  if (svc.sessionAffinity !== 'ClientIP') {
    if (j !== null) {
      ctx.findings.push(
        finding(
          'ipvs.persistence',
          subject,
          'persistent although sessionAffinity is None',
          'not persistent',
          `persistent ${j} jiffies`,
        ),
      );
    }
    return;
  }
  const seconds = svc.affinityTimeoutSeconds ?? DEFAULT_AFFINITY_SECONDS;
  const hzs: readonly number[] = ctx.opts.hz === undefined ? KNOWN_HZ : [ctx.opts.hz];
  const expected = `persistent ${seconds}s (${hzs.map((hz) => seconds * hz).join(' or ')} jiffies at HZ ${hzs.join('/')})`;
  if (j === null) {
    ctx.findings.push(
      finding(
        'ipvs.persistence',
        subject,
        'not persistent although sessionAffinity is ClientIP',
        expected,
        'not persistent',
      ),
    );
  } else if (!hzs.some((hz) => j === seconds * hz)) {
    ctx.findings.push(
      finding(
        'ipvs.persistence',
        subject,
        `persistence timeout ${j} jiffies`,
        expected,
        `persistent ${j} jiffies`,
      ),
    );
  }
}

function judgeService(
  ctx: Ctx,
  table: Map<string, NodeVirtualServer>,
  interfaces: IpAddrState | null,
  svc: ApiService,
  slices: readonly ApiEndpointSlice[],
  expectedKeys: Set<string>,
): void {
  if (!isProxied(svc)) return;
  const scope = ctx.opts.scope ?? 'all';
  for (const ip of serviceIPs(svc)) {
    const family: Family = familyOf(ip);
    for (const port of svc.ports) {
      const label = portLabel(svc, port);
      if (scope !== 'node-port') {
        const key = vsKey(port.protocol, ip, port.port);
        expectedKeys.add(key);
        const rs = clusterIpRealServers(svc, port, slices, family, ctx.node.name);
        judgeVirtualServer(ctx, table.get(key), key, label, svc, rs, 'cluster-ip');
      }
      const nodePort = nodePortOf(svc, port);
      if (scope === 'cluster-ip' || nodePort === null || interfaces === null) continue;
      const rs = nodePortRealServers(svc, port, slices, family, ctx.node.name);
      for (const address of nodePortAddresses(interfaces, family)) {
        const key = vsKey(port.protocol, address, nodePort);
        expectedKeys.add(key);
        judgeVirtualServer(ctx, table.get(key), key, `${label} nodePort ${nodePort}`, svc, rs, 'node-port');
      }
    }
  }
}

function needsInterfaces(services: readonly ApiService[], scope: IpvsScope): boolean {
  return (
    scope !== 'cluster-ip' &&
    services.some((s) => isProxied(s) && s.ports.some((p) => nodePortOf(s, p) !== null))
  );
}

/**
 * Judges the IPVS table of one node against one Service: a virtual server per (clusterIP, port,
 * protocol) and, for NodePorts, per local address; real servers equal to the usable endpoints with
 * weight 1 and Masq forwarding; the scheduler; persistence for ClientIP affinity.
 */
export function ipvsServiceReport(
  node: NodeState,
  svc: ApiService,
  slices: readonly ApiEndpointSlice[],
  opts: IpvsOptions = {},
): IpvsReport {
  return ipvsReport(node, { services: [svc], endpointSlices: slices }, opts, false);
}

/**
 * Judges the whole IPVS table of a node against every Service: {@link ipvsServiceReport} for each,
 * plus virtual servers no Service accounts for (`ipvs.stale-virtual-server`). A virtual server on
 * loopback is ignored either way (kube-proxy may or may not create one in IPVS mode).
 */
export function ipvsReport(
  node: NodeState,
  api: Pick<ApiObjects, 'services' | 'endpointSlices'>,
  opts: IpvsOptions = {},
  checkStale = true,
): IpvsReport {
  const ctx: Ctx = { node, opts, findings: [], draining: [] };
  const ipvs = need(node, 'ipvs', 'ipvs');
  if (!ipvs.ok) return { findings: [ipvs.finding], draining: [] };
  const scope = opts.scope ?? 'all';
  let interfaces: IpAddrState | null = null;
  if (needsInterfaces(api.services, scope)) {
    const itf = need(node, 'interfaces', 'ipvs.node-port.virtual-server');
    if (itf.ok) interfaces = itf.value;
    else ctx.findings.push(itf.finding);
  }
  const table = indexTable(ipvs.value.virtualServers);
  const expectedKeys = new Set<string>();
  for (const svc of api.services) judgeService(ctx, table, interfaces, svc, api.endpointSlices, expectedKeys);
  if (checkStale) staleVirtualServers(ctx, ipvs.value.virtualServers, expectedKeys, api.services, scope);
  return { findings: ctx.findings, draining: ctx.draining };
}

function staleVirtualServers(
  ctx: Ctx,
  vss: readonly NodeVirtualServer[],
  expectedKeys: Set<string>,
  services: readonly ApiService[],
  scope: IpvsScope,
): void {
  const itf = ctx.node.interfaces;
  const local = itf.ok
    ? new Set([...nodePortAddresses(itf.value, 4), ...nodePortAddresses(itf.value, 6)])
    : null;
  const nodePortKeys = new Set(
    services.flatMap((svc) => svc.ports.map((p) => `${p.protocol} ${nodePortOf(svc, p) ?? 'none'}`)),
  );
  for (const vs of vss) {
    if (vs.protocol === 'FWM' || isLoopback(vs.address)) continue;
    const key = vsKeyOf(vs);
    if (expectedKeys.has(key)) continue;
    // Without the interface list, a VS on a Service's nodePort is taken for a NodePort VS on an
    // unknown address: not judged (the missing section is already a finding where it matters).
    if (local === null && nodePortKeys.has(`${vs.protocol} ${vs.port}`)) continue;
    const onNodeAddress = local?.has(vs.address) ?? false;
    if (scope === 'cluster-ip' && onNodeAddress) continue;
    if (scope === 'node-port' && !onNodeAddress) continue;
    const what = onNodeAddress
      ? 'stale NodePort virtual server'
      : 'stale virtual server (no Service has this ClusterIP port)';
    ctx.findings.push(
      finding(
        'ipvs.stale-virtual-server',
        nodeSubject(ctx.node, key),
        what,
        'no virtual server',
        `${key} ${vs.scheduler} with ${formatSet(vs.realServers.map((rs) => hostPort(rs.address, rs.port)))}`,
      ),
    );
  }
}

/** {@link ipvsReport} findings only. */
export function checkIpvs(
  node: NodeState,
  api: Pick<ApiObjects, 'services' | 'endpointSlices'>,
  opts: IpvsOptions = {},
): Finding[] {
  return ipvsReport(node, api, opts).findings;
}

/** {@link ipvsServiceReport} findings only. */
export function checkServiceIpvs(
  node: NodeState,
  svc: ApiService,
  slices: readonly ApiEndpointSlice[],
  opts: IpvsOptions = {},
): Finding[] {
  return ipvsServiceReport(node, svc, slices, opts).findings;
}

/** Every virtual server of the node's table (whoever created it) uses `scheduler`. */
export function checkIpvsSchedulers(node: NodeState, scheduler = 'rr'): Finding[] {
  const ipvs = need(node, 'ipvs', 'ipvs.scheduler');
  if (!ipvs.ok) return [ipvs.finding];
  return ipvs.value.virtualServers
    .filter((vs) => vs.scheduler !== scheduler)
    .map((vs) =>
      finding(
        'ipvs.scheduler',
        nodeSubject(node, vsKeyOf(vs)),
        `scheduler ${vs.scheduler}, not ${scheduler}`,
        scheduler,
        vs.scheduler,
      ),
    );
}
