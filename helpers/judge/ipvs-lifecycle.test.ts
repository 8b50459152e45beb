import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../api/types.ts';
import { judgeIpvsLifecycle, kubeMinor } from './ipvs-lifecycle.ts';

const event = (node: string): ApiEvent => ({
  namespace: 'default',
  type: 'Warning',
  reason: 'IPVSDeprecation',
  message:
    "The ipvs proxier is now deprecated and may be removed in a future release. Please use 'nftables' instead.",
  involvedObject: { kind: 'Node', name: node, namespace: null },
});
const base = { events: [], featureGates: {}, proxyModes: { 'n-worker': 'ipvs' } };

describe('judgeIpvsLifecycle', () => {
  it('finds nothing on v1.31, the reference release', () => {
    expect(judgeIpvsLifecycle({ ...base, serverVersion: 'v1.31.0' })).toEqual([]);
  });

  it('reports v1.35 as deprecated with the category prefix and the nodes that emitted the event', () => {
    const f = judgeIpvsLifecycle({
      ...base,
      serverVersion: 'v1.35.0',
      events: [event('n-worker'), event('n-cp')],
    });
    expect(f.map((x) => x.check)).toEqual(['ipvs-deprecated']);
    expect(f[0]?.message).toMatch(/^IPVS deprecated: Kubernetes v1\.35\.0/);
    expect(f[0]?.observed).toContain('on n-cp, n-worker');
  });

  it('reports a deprecation event even on an older version string', () => {
    expect(judgeIpvsLifecycle({ ...base, serverVersion: 'v1.34.2', events: [event('n')] })[0]?.check).toBe(
      'ipvs-deprecated',
    );
  });

  it('reports gated off when the gate is false, before the deprecation', () => {
    const f = judgeIpvsLifecycle({
      ...base,
      serverVersion: 'v1.40.0',
      featureGates: { KubeProxyIPVS: false },
    });
    expect(f.map((x) => x.check)).toEqual(['ipvs-gated-off', 'ipvs-deprecated']);
    expect(f[0]?.message).toMatch(/^IPVS gated off:/);
  });

  it('reports gated off on >= v1.37 when kube-proxy fell out of ipvs mode', () => {
    const f = judgeIpvsLifecycle({
      ...base,
      serverVersion: 'v1.40.1',
      proxyModes: { a: 'nftables', b: 'ipvs' },
    });
    expect(f[0]?.observed).toBe('kube-proxy not in ipvs mode on a (nftables)');
  });

  it('reads Kubernetes versions', () => {
    expect(kubeMinor('v1.37.0-rc.1')).toEqual({ major: 1, minor: 37 });
    expect(kubeMinor('latest')).toBeNull();
  });
});
