import { describe, expect, it } from 'vitest';
import type { ApiService } from '../api/types.ts';
import {
  checkClusterIpSet,
  checkIpsets,
  checkIpvsIpsSet,
  checkLocalSetsEmpty,
  checkLoopBackSet,
  checkNodePortSets,
  normalizeMember,
} from './ipset.ts';
import {
  API,
  bad,
  SERVICES,
  SLICES,
  service,
  WORKER_IPSETS,
  withInterface,
  withSet,
  workerState,
} from './test-support.ts';

const messages = (fs: readonly { message: string }[]) => fs.map((f) => f.message);
const members = (name: string) => WORKER_IPSETS.find((s) => s.name === name)?.members ?? [];

describe('ipset members', () => {
  it('normalise protocol numbers, case, options and IPv6 text', () => {
    expect(normalizeMember('10.200.1.10,17:53')).toBe('10.200.1.10,udp:53');
    expect(normalizeMember('10.200.1.10,TCP:53 timeout 30')).toBe('10.200.1.10,tcp:53');
    expect(normalizeMember('fd00:0::1,tcp:80,fd00::1')).toBe('fd00::1,tcp:80,fd00::1');
    expect(normalizeMember('30000')).toBe('30000');
    expect(normalizeMember('1.2.3.4,tcp:80,10.0.0.0/8')).toBe('1.2.3.4,tcp:80,10.0.0.0/8');
  });
  it('all pass on the conformant node, KUBE-6-* sets notwithstanding', () => {
    expect(checkIpsets(workerState(), API)).toEqual([]);
  });
  it('fail once with the reason when ipset-save is absent', () => {
    expect(
      messages(
        checkIpsets(workerState({ ipsets: bad('ipset-save absent: no kube-proxy pod on node') }), API),
      ),
    ).toEqual(['node kind-worker: ipset-save absent: no kube-proxy pod on node']);
  });
});

describe('KUBE-CLUSTER-IP', () => {
  it('reports a missing and an extra member, with both sets', () => {
    const m = members('KUBE-CLUSTER-IP').filter((x) => x !== '10.200.1.10,udp:53');
    const f = checkClusterIpSet(withSet('KUBE-CLUSTER-IP', [...m, '10.200.1.99,tcp:80']), API);
    expect(messages(f)).toEqual([
      'node kind-worker: ipset KUBE-CLUSTER-IP: missing member 10.200.1.10,udp:53',
      'node kind-worker: ipset KUBE-CLUSTER-IP: unexpected member 10.200.1.99,tcp:80',
    ]);
    expect(f[0]?.expected).toContain('10.200.1.10,udp:53');
    expect(f[0]?.observed).toContain('10.200.1.99,tcp:80');
  });
  it('ignores member order and numeric protocols', () => {
    const m = [...members('KUBE-CLUSTER-IP')].reverse().map((x) => x.replace('udp', '17'));
    expect(checkClusterIpSet(withSet('KUBE-CLUSTER-IP', m), API)).toEqual([]);
  });
  it('reports a missing set', () => {
    const node = workerState({
      ipsets: { ok: true, value: { sets: WORKER_IPSETS.filter((s) => s.name !== 'KUBE-CLUSTER-IP') } },
    });
    expect(checkClusterIpSet(node, API)).toEqual([expect.objectContaining({ observed: 'no such set' })]);
  });
});

describe('KUBE-NODE-PORT-*', () => {
  it('reports a missing nodePort member', () => {
    expect(messages(checkNodePortSets(withSet('KUBE-NODE-PORT-TCP', []), API))).toEqual([
      'node kind-worker: ipset KUBE-NODE-PORT-TCP: missing member 30000',
    ]);
  });
  it('reports a nodePort no Service has', () => {
    expect(messages(checkNodePortSets(withSet('KUBE-NODE-PORT-TCP', ['30000', '30001']), API))).toEqual([
      'node kind-worker: ipset KUBE-NODE-PORT-TCP: unexpected member 30001',
    ]);
  });
  it('puts an ETP=Local nodePort in both the all and the LOCAL set', () => {
    const local: ApiService = { ...service('echo-nodeport'), externalTrafficPolicy: 'Local' };
    const services = [...SERVICES.filter((s) => s.name !== 'echo-nodeport'), local];
    expect(messages(checkNodePortSets(workerState(), { services }))).toEqual([
      'node kind-worker: ipset KUBE-NODE-PORT-LOCAL-TCP: missing member 30000',
    ]);
    expect(checkNodePortSets(withSet('KUBE-NODE-PORT-LOCAL-TCP', ['30000']), { services })).toEqual([]);
  });
  it('expects SCTP NodePorts as nodeIP,sctp:port on every node address', () => {
    const sctp: ApiService = {
      ...service('echo-nodeport'),
      name: 'sctp',
      clusterIP: '10.200.1.150',
      clusterIPs: ['10.200.1.150'],
      ports: [{ name: null, protocol: 'SCTP', port: 9, targetPort: 9, nodePort: 30004 }],
    };
    const services = [...SERVICES, sctp];
    expect(messages(checkNodePortSets(workerState(), { services }))).toEqual([
      'node kind-worker: ipset KUBE-NODE-PORT-SCTP-HASH: missing member 10.10.1.1,sctp:30004',
      'node kind-worker: ipset KUBE-NODE-PORT-SCTP-HASH: missing member 172.18.0.3,sctp:30004',
    ]);
    expect(
      checkNodePortSets(
        withSet('KUBE-NODE-PORT-SCTP-HASH', ['172.18.0.3,sctp:30004', '10.10.1.1,sctp:30004']),
        { services },
      ),
    ).toEqual([]);
  });
});

describe('KUBE-LOOP-BACK', () => {
  it('reports a missing local endpoint and a remote one that does not belong', () => {
    const f = checkLoopBackSet(withSet('KUBE-LOOP-BACK', ['10.10.2.2,tcp:8080,10.10.2.2']), API);
    expect(messages(f)).toEqual([
      'node kind-worker: ipset KUBE-LOOP-BACK: missing member 10.10.1.2,tcp:8080,10.10.1.2',
      'node kind-worker: ipset KUBE-LOOP-BACK: unexpected member 10.10.2.2,tcp:8080,10.10.2.2',
    ]);
  });
  it('keeps a terminating local endpoint, unlike the real servers', () => {
    const api = {
      services: API.services,
      endpointSlices: SLICES.map((s) => ({
        ...s,
        endpoints: s.endpoints.map((e) =>
          e.nodeName === 'kind-worker' ? { ...e, ready: false, serving: true, terminating: true } : e,
        ),
      })),
    };
    expect(checkLoopBackSet(workerState(), api)).toEqual([]);
    expect(messages(checkLoopBackSet(withSet('KUBE-LOOP-BACK', []), api))).toHaveLength(1);
  });
});

describe('KUBE-IPVS-IPS', () => {
  it('reports an address on kube-ipvs0 missing from the set', () => {
    const node = withInterface('kube-ipvs0', (i) => ({
      ...i,
      addresses: [...i.addresses, '10.200.1.55/32'],
    }));
    expect(messages(checkIpvsIpsSet(node))).toEqual([
      'node kind-worker: ipset KUBE-IPVS-IPS: missing member 10.200.1.55',
    ]);
  });
  it('is not judged when the set does not exist (kube-proxy < 1.26)', () => {
    const node = workerState({
      ipsets: { ok: true, value: { sets: WORKER_IPSETS.filter((s) => s.name !== 'KUBE-IPVS-IPS') } },
    });
    expect(checkIpvsIpsSet(node)).toEqual([]);
  });
});

describe('*-LOCAL-* sets', () => {
  it('report members without any ETP=Local Service', () => {
    expect(checkLocalSetsEmpty(withSet('KUBE-NODE-PORT-LOCAL-TCP', ['30000']), API)).toEqual([
      expect.objectContaining({ check: 'ipset.local', observed: '{30000}', expected: '{}' }),
    ]);
    expect(checkLocalSetsEmpty(withSet('KUBE-LOAD-BALANCER-LOCAL', ['1.2.3.4,tcp:80']), API)).toHaveLength(1);
  });
  it('are left to the NodePort check when an ETP=Local Service exists', () => {
    const local: ApiService = { ...service('echo-nodeport'), externalTrafficPolicy: 'Local' };
    expect(
      checkLocalSetsEmpty(withSet('KUBE-NODE-PORT-LOCAL-TCP', ['30000']), { services: [local] }),
    ).toEqual([]);
  });
});
