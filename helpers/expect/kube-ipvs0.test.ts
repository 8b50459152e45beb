import { describe, expect, it } from 'vitest';
import type { ApiService } from '../api/types.ts';
import { checkClusterIpsBound, checkKubeIpvs0, checkKubeIpvs0Device } from './kube-ipvs0.ts';
import { API, bad, SERVICES, service, withInterface, workerState } from './test-support.ts';

describe('kube-ipvs0 device', () => {
  it('passes for a dummy interface in state DOWN', () => {
    expect(checkKubeIpvs0Device(workerState())).toEqual([]);
  });
  it('accepts an unknown link kind (ip addr without -d)', () => {
    expect(checkKubeIpvs0Device(withInterface('kube-ipvs0', (i) => ({ ...i, type: null })))).toEqual([]);
  });
  it('reports a missing device, listing the interfaces there are', () => {
    const f = checkKubeIpvs0Device(withInterface('kube-ipvs0', () => null));
    expect(f).toEqual([
      expect.objectContaining({
        check: 'kube-ipvs0.device',
        observed: 'interfaces {eth0, lo, veth0a1b2c3d}',
      }),
    ]);
  });
  it('reports a device that is UP or not a dummy', () => {
    const f = checkKubeIpvs0Device(
      withInterface('kube-ipvs0', (i) => ({ ...i, state: 'UP', type: 'bridge' })),
    );
    expect(f.map((x) => `${x.expected}/${x.observed}`)).toEqual(['dummy/bridge', 'DOWN/UP']);
  });
  it('fails with the section reason when ip-addr is absent', () => {
    const f = checkKubeIpvs0(workerState({ interfaces: bad('ip-addr absent: exec timed out') }), API);
    expect(f.map((x) => x.message)).toEqual(['node kind-worker: ip-addr absent: exec timed out']);
  });
});

describe('ClusterIPs bound to kube-ipvs0', () => {
  it('passes when every ClusterIP is there as /32', () => {
    expect(checkClusterIpsBound(workerState(), API)).toEqual([]);
  });
  it('reports a missing ClusterIP', () => {
    const node = withInterface('kube-ipvs0', (i) => ({
      ...i,
      addresses: i.addresses.filter((a) => a !== '10.200.1.100/32'),
    }));
    const f = checkClusterIpsBound(node, API);
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toBe(
      'node kind-worker: kube-ipvs0: ClusterIP 10.200.1.100 of ipvs-conformance/echo-clusterip is not bound',
    );
    expect(f[0]?.expected).toBe('{10.200.1.1, 10.200.1.10, 10.200.1.100, 10.200.1.101}');
  });
  it('reports an address no Service has (kube-proxy removes those every sync)', () => {
    const node = withInterface('kube-ipvs0', (i) => ({
      ...i,
      addresses: [...i.addresses, '10.200.1.77/32'],
    }));
    expect(checkClusterIpsBound(node, API).map((x) => x.message)).toEqual([
      'node kind-worker: kube-ipvs0: address 10.200.1.77 is bound but no Service has it',
    ]);
  });
  it('reports a ClusterIP bound with a prefix other than /32', () => {
    const node = withInterface('kube-ipvs0', (i) => ({
      ...i,
      addresses: i.addresses.map((a) => (a === '10.200.1.1/32' ? '10.200.1.1/24' : a)),
    }));
    expect(checkClusterIpsBound(node, API)).toEqual([
      expect.objectContaining({ expected: '10.200.1.1/32', observed: '10.200.1.1/24' }),
    ]);
  });
  it('reports a ClusterIP carried by another interface', () => {
    const node = withInterface('eth0', (i) => ({ ...i, addresses: [...i.addresses, '10.200.1.10/32'] }));
    expect(checkClusterIpsBound(node, API)).toEqual([
      expect.objectContaining({
        subject: 'node kind-worker: eth0',
        message: expect.stringContaining('carries ClusterIP 10.200.1.10 of kube-system/kube-dns'),
      }),
    ]);
  });
  it('ignores headless services and accepts brd-less and IPv6 /128 forms', () => {
    const headless: ApiService = {
      ...service('echo-clusterip'),
      name: 'h',
      clusterIP: 'None',
      clusterIPs: ['None'],
    };
    const v6: ApiService = {
      ...service('echo-clusterip'),
      name: 'v6',
      clusterIP: 'fd00:10:96::a',
      clusterIPs: ['fd00:10:96::a'],
    };
    const node = withInterface('kube-ipvs0', (i) => ({
      ...i,
      addresses: [...i.addresses, 'fd00:10:96:0::a/128'],
    }));
    expect(checkClusterIpsBound(node, { services: [...SERVICES, headless, v6] })).toEqual([]);
  });
  it('does not repeat a missing device as missing addresses', () => {
    expect(
      checkKubeIpvs0(
        withInterface('kube-ipvs0', () => null),
        API,
      ),
    ).toHaveLength(1);
  });
});
