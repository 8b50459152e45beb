import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiNode } from '../api/test-support.ts';
import type { ApiNode, ApiObjects } from '../api/types.ts';
import { detectDrift, parseKindConfig } from './kind-config.ts';

const reference = parseKindConfig(
  readFileSync(new URL('../../kind/cluster-ipvs.yaml', import.meta.url), 'utf8'),
);

const node = (name: string, role: ApiNode['role']): ApiNode => apiNode(name, role);

function cluster(over: Partial<ApiObjects> = {}): ApiObjects {
  return {
    serverVersion: { gitVersion: 'v1.31.0' },
    nodes: [node('cp', 'control-plane'), node('w1', 'worker'), node('w2', 'worker'), node('w3', 'worker')],
    services: [],
    endpointSlices: [],
    pods: [],
    kubeProxyConfig:
      'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs\nipvs:\n  strictARP: true\n',
    kubeadmClusterConfiguration: 'networking:\n  podSubnet: 10.10.0.0/16\n  serviceSubnet: 10.200.1.0/24\n',
    events: [],
    ...over,
  };
}

describe('parseKindConfig', () => {
  it('reads the reference config', () => {
    expect(reference).toMatchObject({
      controlPlanes: 1,
      workers: 3,
      podSubnet: '10.10.0.0/16',
      serviceSubnet: '10.200.1.0/24',
      kubeProxyMode: 'ipvs',
      featureGates: { InPlacePodVerticalScaling: true, MultiCIDRServiceAllocator: true },
    });
    expect(reference.portMappings.map((m) => m.containerPort)).toEqual([30000, 30001, 30002, 30003, 30004]);
    expect(reference.portMappings.every((m) => m.node === 0 && m.hostPort === m.containerPort)).toBe(true);
  });

  it('applies kind defaults and refuses malformed configs', () => {
    expect(parseKindConfig('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n')).toMatchObject({
      controlPlanes: 1,
      workers: 0,
      kubeProxyMode: 'iptables',
    });
    expect(() => parseKindConfig('kind: Pod\n')).toThrow(/not a kind Cluster config/);
    expect(() => parseKindConfig('kind: Cluster\nnodes:\n- role: master\n')).toThrow(/nodes\[0\]\.role/);
    expect(() => parseKindConfig('kind: Cluster\nfeatureGates:\n  X: "yes"\n')).toThrow(/featureGates\.X/);
  });
});

describe('detectDrift', () => {
  it('finds none on a matching cluster', () => {
    expect(detectDrift(reference, 'v1.31.0', cluster())).toEqual([]);
  });

  it('lists every difference', () => {
    const drift = detectDrift(
      reference,
      'v1.31.0',
      cluster({
        serverVersion: { gitVersion: 'v1.33.1' },
        nodes: [node('cp', 'control-plane'), node('w1', 'worker')],
        kubeProxyConfig: 'mode: iptables\n',
        kubeadmClusterConfiguration:
          'networking:\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/16\n',
      }),
    );
    expect(drift).toEqual([
      'worker nodes: expected 3, found 1',
      'kube-proxy mode: expected ipvs, found "iptables"',
      'podSubnet: expected 10.10.0.0/16, found 10.244.0.0/16',
      'serviceSubnet: expected 10.200.1.0/24, found 10.96.0.0/16',
      'Kubernetes version: expected v1.31.0, found v1.33.1',
    ]);
  });

  it('names missing config maps', () => {
    expect(
      detectDrift(reference, null, cluster({ kubeProxyConfig: null, kubeadmClusterConfiguration: null })),
    ).toEqual([
      'kube-proxy mode: expected ipvs, found no kube-proxy ConfigMap mode',
      'podSubnet: expected 10.10.0.0/16, found none in kubeadm-config',
      'serviceSubnet: expected 10.200.1.0/24, found none in kubeadm-config',
    ]);
  });
});
