import { describe, expect, it } from 'vitest';
import type { ApiObjects } from '../api/types.ts';
import { buildSymbols, podBase } from './symbols.ts';

const api = (podIP: string, podName: string): ApiObjects => ({
  serverVersion: { gitVersion: 'v1.31.0' },
  nodes: [
    {
      name: 'c-worker2',
      role: 'worker',
      labels: {},
      podCIDR: '10.10.3.0/24',
      podCIDRs: ['10.10.3.0/24'],
      internalIP: '172.18.0.5',
      ready: true,
      kubeletVersion: 'v1.31.0',
      kernelVersion: '',
      osImage: '',
      containerRuntimeVersion: '',
    },
  ],
  services: [
    {
      namespace: 'default',
      name: 'kubernetes',
      type: 'ClusterIP',
      clusterIP: '10.200.1.1',
      clusterIPs: ['10.200.1.1'],
      ports: [],
      sessionAffinity: 'None',
      affinityTimeoutSeconds: null,
      externalTrafficPolicy: null,
      internalTrafficPolicy: 'Cluster',
      selector: null,
    },
  ],
  endpointSlices: [],
  pods: [
    {
      namespace: 'ns',
      name: podName,
      nodeName: 'c-worker2',
      podIP,
      podIPs: [podIP],
      phase: 'Running',
      ready: true,
      hostNetwork: false,
      labels: {},
    },
  ],
  kubeProxyConfig: null,
  kubeadmClusterConfiguration: null,
  events: [],
});

describe('symbols', () => {
  it('strips generated suffixes from pod names', () => {
    expect(podBase('echo-7d9f8b6c5d-x4k2m')).toBe('echo');
    expect(podBase('kube-proxy-4jvw8')).toBe('kube-proxy');
    expect(podBase('client-ipvs-conformance-worker')).toBe('client');
    expect(podBase('etcd-ipvs-conformance-control-plane', 'ipvs-conformance-control-plane')).toBe('etcd');
    // Not a generated suffix (vowels are not in Kubernetes' alphabet): kept whole.
    expect(podBase('my-plane')).toBe('my-plane');
  });

  it('names node, gateway, podCIDR, service and pod addresses the same way in two runs', () => {
    const line = (ip: string): string =>
      `-A X -s 172.18.0.5/32 -d 10.200.1.1/32 -j DNAT 10.10.3.1 10.10.3.0/24 ${ip},tcp:8080,${ip} 8.8.8.8`;
    const one = buildSymbols([api('10.10.3.2', 'echo-7d9f8b6c5d-x4k2m')]).rewrite(line('10.10.3.2'));
    const two = buildSymbols([api('10.10.3.7', 'echo-5c8f7d9b4-bcdfg')]).rewrite(line('10.10.3.7'));
    expect(one).toBe(
      '-A X -s <node:worker2> -d <svc:default/kubernetes> -j DNAT <gw:worker2> <podcidr:worker2> <pod:echo@worker2>,tcp:8080,<pod:echo@worker2> 8.8.8.8',
    );
    expect(two).toBe(one);
  });

  it('keeps the first snapshot that names an address', () => {
    const s = buildSymbols([
      api('10.10.3.2', 'echo-7d9f8b6c5d-x4k2m'),
      api('10.10.3.2', 'other-7d9f8b6c5d-x4k2m'),
    ]);
    expect(s.rewrite('10.10.3.2')).toBe('<pod:echo@worker2>');
    expect(s.role('c-worker2')).toBe('worker2');
  });
});
