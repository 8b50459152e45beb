import { describe, expect, it } from 'vitest';
import type { ApiEndpointSlice, ApiService } from '../api/types.ts';
import { checkIpvs, checkIpvsSchedulers, checkServiceIpvs, ipvsReport, ipvsServiceReport } from './ipvs.ts';
import {
  API,
  bad,
  realServer,
  SERVICES,
  SLICES,
  service,
  slicesOf,
  vs,
  WORKER_VIRTUAL_SERVERS,
  withVirtualServer,
  withVirtualServers,
  workerState,
} from './test-support.ts';

const echo = service('echo-clusterip');
const nodePort = service('echo-nodeport');
const checks = (fs: readonly { check: string }[]) => fs.map((f) => f.check);

describe('IPVS virtual servers of a Service', () => {
  it('passes when the ClusterIP VS has exactly the ready endpoints, weight 1, Masq, rr', () => {
    expect(checkServiceIpvs(workerState(), echo, slicesOf('echo-clusterip'))).toEqual([]);
    expect(checkServiceIpvs(workerState(), nodePort, slicesOf('echo-nodeport'))).toEqual([]);
  });

  it('reports a missing real server with expected and observed sets', () => {
    const node = withVirtualServer('TCP 10.200.1.100:80', (v) => ({
      ...v,
      realServers: v.realServers.filter((r) => r.address !== '10.10.3.2'),
    }));
    const f = checkServiceIpvs(node, echo, slicesOf('echo-clusterip'));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      check: 'ipvs.cluster-ip.real-servers',
      subject: 'node kind-worker: TCP 10.200.1.100:80 (ipvs-conformance/echo-clusterip port http)',
      expected: '{10.10.1.2:8080, 10.10.2.2:8080, 10.10.3.2:8080}',
      observed: '{10.10.1.2:8080, 10.10.2.2:8080}',
    });
    expect(f[0]?.message).toContain('real server 10.10.3.2:8080 is missing');
  });

  it('reports a stale real server that is no endpoint', () => {
    const node = withVirtualServer('TCP 10.200.1.100:80', (v) => ({
      ...v,
      realServers: [...v.realServers, realServer('10.10.9.9', 8080)],
    }));
    const f = checkServiceIpvs(node, echo, slicesOf('echo-clusterip'));
    expect(f.map((x) => x.message)).toEqual([
      'node kind-worker: TCP 10.200.1.100:80 (ipvs-conformance/echo-clusterip port http): stale real server 10.10.9.9:8080 (not a usable endpoint)',
    ]);
  });

  it('lists a weight-0 real server that is no endpoint as draining, not as a finding', () => {
    const node = withVirtualServer('TCP 10.200.1.100:80', (v) => ({
      ...v,
      realServers: [...v.realServers, { ...realServer('10.10.3.9', 8080, 0), inactiveConns: 3 }],
    }));
    const r = ipvsServiceReport(node, echo, slicesOf('echo-clusterip'));
    expect(r.findings).toEqual([]);
    expect(r.draining).toEqual([
      {
        node: 'kind-worker',
        virtualServer: 'TCP 10.200.1.100:80',
        realServer: '10.10.3.9:8080',
        activeConns: 0,
        inactiveConns: 3,
      },
    ]);
  });

  it('reports weight 0 on a real server whose endpoint is ready', () => {
    const node = withVirtualServer('TCP 10.200.1.100:80', (v) => ({
      ...v,
      realServers: v.realServers.map((r) => (r.address === '10.10.2.2' ? { ...r, weight: 0 } : r)),
    }));
    const f = checkServiceIpvs(node, echo, slicesOf('echo-clusterip'));
    expect(f.map((x) => x.message)).toEqual([
      expect.stringContaining('real server 10.10.2.2:8080 has weight 0 although the endpoint is usable'),
    ]);
  });

  it('reports a weight other than 1 and a forward other than Masq', () => {
    const node = withVirtualServer('TCP 10.200.1.100:80', (v) => ({
      ...v,
      realServers: v.realServers.map((r) =>
        r.address === '10.10.1.2'
          ? { ...r, weight: 2 }
          : r.address === '10.10.2.2'
            ? { ...r, forward: 'Route' as const }
            : r,
      ),
    }));
    expect(checks(checkServiceIpvs(node, echo, slicesOf('echo-clusterip')))).toEqual([
      'ipvs.cluster-ip.weight',
      'ipvs.cluster-ip.forward',
    ]);
  });

  it('reports a wrong scheduler, honours a configured one, and can leave it to another test', () => {
    const node = withVirtualServer('TCP 10.200.1.100:80', (v) => ({ ...v, scheduler: 'wlc' }));
    const f = checkServiceIpvs(node, echo, slicesOf('echo-clusterip'));
    expect(f).toEqual([
      expect.objectContaining({ check: 'ipvs.scheduler', expected: 'rr', observed: 'wlc' }),
    ]);
    expect(checkServiceIpvs(node, echo, slicesOf('echo-clusterip'), { checkScheduler: false })).toEqual([]);
    expect(checkServiceIpvs(node, echo, slicesOf('echo-clusterip'), { scheduler: 'wlc' })).toEqual([]);
  });

  it('reports a missing ClusterIP virtual server', () => {
    const node = withVirtualServer('TCP 10.200.1.100:80', () => null);
    const f = checkServiceIpvs(node, echo, slicesOf('echo-clusterip'));
    expect(f).toEqual([
      expect.objectContaining({
        check: 'ipvs.cluster-ip.virtual-server',
        observed: 'no such virtual server',
      }),
    ]);
  });

  it('requires a NodePort VS on every local IPv4 address except kube-ipvs0 and lo', () => {
    const node = withVirtualServer('TCP 10.10.1.1:30000', () => null);
    const f = checkServiceIpvs(node, nodePort, slicesOf('echo-nodeport'));
    expect(f).toEqual([
      expect.objectContaining({
        check: 'ipvs.node-port.virtual-server',
        subject:
          'node kind-worker: TCP 10.10.1.1:30000 (ipvs-conformance/echo-nodeport port http nodePort 30000)',
      }),
    ]);
  });

  it('judges NodePort real servers like ClusterIP ones', () => {
    const node = withVirtualServer('TCP 172.18.0.3:30000', (v) => ({
      ...v,
      realServers: v.realServers.slice(1),
    }));
    expect(checks(checkServiceIpvs(node, nodePort, slicesOf('echo-nodeport')))).toEqual([
      'ipvs.node-port.real-servers',
    ]);
  });

  it('accepts a VS on 127.0.0.1 for the nodePort either way', () => {
    const node = withVirtualServers([
      ...WORKER_VIRTUAL_SERVERS,
      vs('TCP', '127.0.0.1', 30000, WORKER_VIRTUAL_SERVERS[4]?.realServers ?? []),
    ]);
    expect(checkIpvs(node, API)).toEqual([]);
  });

  it('uses serving+terminating endpoints only when none is ready', () => {
    const slices: ApiEndpointSlice[] = slicesOf('echo-clusterip').map((s) => ({
      ...s,
      endpoints: s.endpoints.map((e, i) => ({ ...e, ready: false, serving: i === 0, terminating: i < 2 })),
    }));
    const only = withVirtualServer('TCP 10.200.1.100:80', (v) => ({
      ...v,
      realServers: v.realServers.slice(0, 1),
    }));
    expect(checkServiceIpvs(only, echo, slices)).toEqual([]);
    // The full set is now wrong: the other two are neither ready nor serving.
    expect(checks(checkServiceIpvs(workerState(), echo, slices))).toEqual([
      'ipvs.cluster-ip.real-servers',
      'ipvs.cluster-ip.real-servers',
    ]);
  });

  it('leaves out not-ready endpoints while some are ready', () => {
    const slices = slicesOf('echo-clusterip').map((s) => ({
      ...s,
      endpoints: s.endpoints.map((e) =>
        e.addresses[0] === '10.10.3.2' ? { ...e, ready: false, serving: false } : e,
      ),
    }));
    const f = checkServiceIpvs(workerState(), echo, slices);
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('stale real server 10.10.3.2:8080')]);
  });

  it('resolves the real server port from the EndpointSlice port with the same name and protocol', () => {
    const slices = slicesOf('echo-clusterip').map((s) => ({
      ...s,
      ports: [
        { name: 'admin', port: 9090, protocol: 'TCP' as const },
        { name: 'http', port: 8080, protocol: 'TCP' as const },
      ],
    }));
    expect(checkServiceIpvs(workerState(), echo, slices)).toEqual([]);
    const renamed = slicesOf('echo-clusterip').map((s) => ({
      ...s,
      ports: [{ name: 'web', port: 8080, protocol: 'TCP' as const }],
    }));
    // No slice port named http: kube-proxy has no endpoint for the port, so all three are stale.
    expect(checkServiceIpvs(workerState(), echo, renamed)).toHaveLength(3);
  });

  it('with ETP=Local puts only local endpoints on NodePort VSes, all on the ClusterIP VS', () => {
    const local: ApiService = { ...nodePort, externalTrafficPolicy: 'Local' };
    const localRs = [realServer('10.10.1.2', 8080)];
    const node = withVirtualServers(
      WORKER_VIRTUAL_SERVERS.map((v) => (v.port === 30000 ? { ...v, realServers: localRs } : v)),
    );
    expect(checkServiceIpvs(node, local, slicesOf('echo-nodeport'))).toEqual([]);
    expect(checks(checkServiceIpvs(workerState(), local, slicesOf('echo-nodeport')))).toEqual([
      'ipvs.node-port.real-servers',
      'ipvs.node-port.real-servers',
      'ipvs.node-port.real-servers',
      'ipvs.node-port.real-servers',
    ]);
  });

  it('with ETP=Local and no local endpoint falls back to all endpoints (PR #97081)', () => {
    const local: ApiService = { ...nodePort, externalTrafficPolicy: 'Local' };
    const remote = slicesOf('echo-nodeport').map((s) => ({
      ...s,
      endpoints: s.endpoints.filter((e) => e.nodeName !== 'kind-worker'),
    }));
    const node = withVirtualServers(
      WORKER_VIRTUAL_SERVERS.map((v) =>
        v.address === '10.200.1.101' || v.port === 30000 ? { ...v, realServers: v.realServers.slice(1) } : v,
      ),
    );
    expect(checkServiceIpvs(node, local, remote)).toEqual([]);
  });

  it('expects persistence in jiffies for sessionAffinity ClientIP', () => {
    const sticky: ApiService = { ...echo, sessionAffinity: 'ClientIP', affinityTimeoutSeconds: 10800 };
    const at = (j: number | null) =>
      withVirtualServer('TCP 10.200.1.100:80', (v) => ({ ...v, persistentJiffies: j }));
    expect(checkServiceIpvs(at(10800 * 250), sticky, slicesOf('echo-clusterip'))).toEqual([]);
    expect(checkServiceIpvs(at(10800 * 1000), sticky, slicesOf('echo-clusterip'), { hz: 1000 })).toEqual([]);
    expect(
      checks(checkServiceIpvs(at(10800 * 250), sticky, slicesOf('echo-clusterip'), { hz: 1000 })),
    ).toEqual(['ipvs.persistence']);
    expect(checks(checkServiceIpvs(at(null), sticky, slicesOf('echo-clusterip')))).toEqual([
      'ipvs.persistence',
    ]);
    expect(checks(checkServiceIpvs(at(12345), sticky, slicesOf('echo-clusterip')))).toEqual([
      'ipvs.persistence',
    ]);
    expect(checks(checkServiceIpvs(at(10800 * 250), echo, slicesOf('echo-clusterip')))).toEqual([
      'ipvs.persistence',
    ]);
  });

  it('ignores headless and ExternalName services', () => {
    const headless: ApiService = { ...echo, clusterIP: 'None', clusterIPs: ['None'] };
    const external: ApiService = { ...echo, type: 'ExternalName', clusterIP: null, clusterIPs: [] };
    expect(checkServiceIpvs(workerState(), headless, slicesOf('echo-clusterip'))).toEqual([]);
    expect(checkServiceIpvs(workerState(), external, slicesOf('echo-clusterip'))).toEqual([]);
  });
});

describe('IPVS table of a node', () => {
  it('passes on the conformant node', () => {
    expect(ipvsReport(workerState(), API)).toEqual({ findings: [], draining: [] });
  });

  it('reports a virtual server for a ClusterIP no Service has', () => {
    const node = withVirtualServers([
      ...WORKER_VIRTUAL_SERVERS,
      vs('TCP', '10.200.1.200', 80, [realServer('10.10.1.7', 80)]),
    ]);
    expect(checkIpvs(node, API)).toEqual([
      expect.objectContaining({
        check: 'ipvs.stale-virtual-server',
        subject: 'node kind-worker: TCP 10.200.1.200:80',
        message: expect.stringContaining('no Service has this ClusterIP port'),
      }),
    ]);
  });

  it('reports a NodePort virtual server for a nodePort no Service has, in scope node-port only', () => {
    const node = withVirtualServers([...WORKER_VIRTUAL_SERVERS, vs('TCP', '172.18.0.3', 30099, [])]);
    expect(checks(checkIpvs(node, API))).toEqual(['ipvs.stale-virtual-server']);
    expect(checks(checkIpvs(node, API, { scope: 'node-port' }))).toEqual(['ipvs.stale-virtual-server']);
    expect(checkIpvs(node, API, { scope: 'cluster-ip' })).toEqual([]);
  });

  it('judges only the scope asked for', () => {
    const noNodePort = withVirtualServer('TCP 172.18.0.3:30000', () => null);
    expect(checkIpvs(noNodePort, API, { scope: 'cluster-ip' })).toEqual([]);
    expect(checks(checkIpvs(noNodePort, API, { scope: 'node-port' }))).toEqual([
      'ipvs.node-port.virtual-server',
    ]);
    const noClusterIp = withVirtualServer('TCP 10.200.1.1:443', () => null);
    expect(checkIpvs(noClusterIp, API, { scope: 'node-port' })).toEqual([]);
    expect(checks(checkIpvs(noClusterIp, API, { scope: 'cluster-ip' }))).toEqual([
      'ipvs.cluster-ip.virtual-server',
    ]);
  });

  it('fails with the section reason when /proc/net/ip_vs is absent', () => {
    const node = workerState({ ipvs: bad('proc-ip-vs absent: /proc/net/ip_vs not present in this kernel') });
    expect(checkIpvs(node, API)).toEqual([
      expect.objectContaining({
        check: 'ipvs',
        message: 'node kind-worker: proc-ip-vs absent: /proc/net/ip_vs not present in this kernel',
      }),
    ]);
  });

  it('still judges ClusterIP VSes when the interface list is unusable, and says why NodePorts are not', () => {
    const node = workerState({ interfaces: bad('ip-addr unparseable: line 1: bad') });
    expect(checkIpvs(node, API).map((f) => f.message)).toEqual([
      'node kind-worker: ip-addr unparseable: line 1: bad',
    ]);
    const missing = workerState({
      interfaces: bad('ip-addr absent: timeout'),
      ipvs: { ok: true, value: { virtualServers: WORKER_VIRTUAL_SERVERS.slice(1) } },
    });
    expect(checks(checkIpvs(missing, API))).toEqual([
      'ipvs.node-port.virtual-server',
      'ipvs.cluster-ip.virtual-server',
    ]);
  });

  it('covers every Service of the API, several ports and protocols', () => {
    const node = withVirtualServer('UDP 10.200.1.10:53', () => null);
    expect(checkIpvs(node, API).map((f) => f.subject)).toEqual([
      'node kind-worker: UDP 10.200.1.10:53 (kube-system/kube-dns port dns)',
    ]);
    expect(SERVICES).toHaveLength(4);
    expect(SLICES).toHaveLength(4);
  });
});

describe('every virtual server uses the scheduler', () => {
  it('passes when all are rr', () => {
    expect(checkIpvsSchedulers(workerState())).toEqual([]);
  });
  it('reports each one that is not, including VSes no Service has', () => {
    const node = withVirtualServers([
      ...WORKER_VIRTUAL_SERVERS.map((v) => (v.port === 443 ? { ...v, scheduler: 'sh' } : v)),
      vs('TCP', '10.200.1.222', 80, [], { scheduler: 'lc' }),
    ]);
    expect(checkIpvsSchedulers(node).map((f) => `${f.subject} ${f.observed}`)).toEqual([
      'node kind-worker: TCP 10.200.1.1:443 sh',
      'node kind-worker: TCP 10.200.1.222:80 lc',
    ]);
  });
});
