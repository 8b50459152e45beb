import type { CoreV1Event, V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  toApiEndpointSlice,
  toApiEvent,
  toApiNode,
  toApiObjects,
  toApiPod,
  toApiService,
} from './api-snapshot.ts';
import { statusMessage } from './kube-api.ts';

// Fixture objects shaped as client-node 1.4 deserialises them (Date fields left out: unused).
const controlPlane: V1Node = {
  metadata: {
    name: 'ipvs-conformance-control-plane',
    labels: {
      'node-role.kubernetes.io/control-plane': '',
      mynode: 'control-plane',
      'topology.kubernetes.io/zone': 'ap-northeast-2a',
    },
  },
  spec: {
    podCIDR: '10.10.0.0/24',
    podCIDRs: ['10.10.0.0/24'],
    taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
  },
  status: {
    addresses: [
      { type: 'InternalIP', address: '172.18.0.4' },
      { type: 'Hostname', address: 'ipvs-conformance-control-plane' },
    ],
    conditions: [
      { type: 'MemoryPressure', status: 'False' },
      { type: 'Ready', status: 'True' },
    ],
    nodeInfo: {
      architecture: 'amd64',
      bootID: 'b',
      containerRuntimeVersion: 'containerd://1.7.18',
      kernelVersion: '6.8.0-1014-azure',
      kubeProxyVersion: '',
      kubeletVersion: 'v1.31.0',
      machineID: 'm',
      operatingSystem: 'linux',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      systemUUID: 'u',
    },
  },
};

describe('toApiNode', () => {
  it('maps a control-plane node', () => {
    expect(toApiNode(controlPlane)).toEqual({
      name: 'ipvs-conformance-control-plane',
      role: 'control-plane',
      labels: {
        'node-role.kubernetes.io/control-plane': '',
        mynode: 'control-plane',
        'topology.kubernetes.io/zone': 'ap-northeast-2a',
      },
      podCIDR: '10.10.0.0/24',
      podCIDRs: ['10.10.0.0/24'],
      internalIP: '172.18.0.4',
      ready: true,
      kubeletVersion: 'v1.31.0',
      kernelVersion: '6.8.0-1014-azure',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.7.18',
    });
  });

  it('maps a worker that is not Ready yet and has no podCIDR', () => {
    const n = toApiNode({
      metadata: { name: 'w1', labels: { mynode: 'worker1' } },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    expect(n).toMatchObject({
      name: 'w1',
      role: 'worker',
      ready: false,
      podCIDR: null,
      podCIDRs: [],
      internalIP: null,
    });
  });
});

describe('toApiService', () => {
  it('maps a NodePort service and fills API defaults', () => {
    const svc: V1Service = {
      metadata: { namespace: 'ipvs-conformance', name: 'echo-nodeport' },
      spec: {
        type: 'NodePort',
        clusterIP: '10.200.1.77',
        clusterIPs: ['10.200.1.77'],
        selector: { app: 'echo' },
        ports: [
          { name: 'http', port: 80, targetPort: 8080, nodePort: 30000, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        sessionAffinity: 'None',
      },
    };
    expect(toApiService(svc)).toEqual({
      namespace: 'ipvs-conformance',
      name: 'echo-nodeport',
      type: 'NodePort',
      clusterIP: '10.200.1.77',
      clusterIPs: ['10.200.1.77'],
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30000 },
        { name: null, protocol: 'UDP', port: 53, targetPort: 53, nodePort: null },
      ],
      sessionAffinity: 'None',
      affinityTimeoutSeconds: null,
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      selector: { app: 'echo' },
    });
  });

  it('reads ClientIP affinity and a headless service', () => {
    const s = toApiService({
      metadata: { namespace: 'n', name: 'h' },
      spec: {
        clusterIP: 'None',
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      },
    });
    expect(s).toMatchObject({
      type: 'ClusterIP',
      clusterIP: 'None',
      sessionAffinity: 'ClientIP',
      affinityTimeoutSeconds: 60,
      selector: null,
    });
  });
});

describe('toApiEndpointSlice', () => {
  it('maps endpoints, reading unset conditions as kube-proxy does', () => {
    const slice: V1EndpointSlice = {
      metadata: {
        namespace: 'ipvs-conformance',
        name: 'echo-clusterip-abcde',
        labels: { 'kubernetes.io/service-name': 'echo-clusterip' },
      },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [
        {
          addresses: ['10.10.1.5'],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: 'w1',
          targetRef: { kind: 'Pod', name: 'echo-1', namespace: 'ipvs-conformance' },
        },
        { addresses: ['10.10.2.5'] },
        { addresses: ['10.10.3.5'], conditions: { ready: false, serving: true, terminating: true } },
        // ready explicitly false, serving unset: the API says nil serving means true, independent of ready.
        { addresses: ['10.10.4.5'], conditions: { ready: false } },
      ],
    };
    expect(toApiEndpointSlice(slice)).toEqual({
      namespace: 'ipvs-conformance',
      name: 'echo-clusterip-abcde',
      serviceName: 'echo-clusterip',
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [
        {
          addresses: ['10.10.1.5'],
          ready: true,
          serving: true,
          terminating: false,
          nodeName: 'w1',
          targetPod: 'ipvs-conformance/echo-1',
        },
        {
          addresses: ['10.10.2.5'],
          ready: true,
          serving: true,
          terminating: false,
          nodeName: null,
          targetPod: null,
        },
        {
          addresses: ['10.10.3.5'],
          ready: false,
          serving: true,
          terminating: true,
          nodeName: null,
          targetPod: null,
        },
        {
          addresses: ['10.10.4.5'],
          ready: false,
          serving: true,
          terminating: false,
          nodeName: null,
          targetPod: null,
        },
      ],
    });
  });
});

describe('toApiPod and toApiEvent', () => {
  it('maps a running ready pod', () => {
    const pod: V1Pod = {
      metadata: { namespace: 'ipvs-conformance', name: 'echo-1', labels: { app: 'echo' } },
      spec: { nodeName: 'w1', containers: [{ name: 'echo' }] },
      status: {
        phase: 'Running',
        podIP: '10.10.1.5',
        podIPs: [{ ip: '10.10.1.5' }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
    expect(toApiPod(pod)).toEqual({
      namespace: 'ipvs-conformance',
      name: 'echo-1',
      nodeName: 'w1',
      podIP: '10.10.1.5',
      podIPs: ['10.10.1.5'],
      phase: 'Running',
      ready: true,
      hostNetwork: false,
      labels: { app: 'echo' },
    });
    expect(toApiPod({ metadata: { name: 'p', namespace: 'n' } })).toMatchObject({
      phase: 'Unknown',
      ready: false,
      nodeName: null,
    });
  });

  it('maps an event', () => {
    const ev: CoreV1Event = {
      metadata: { namespace: 'default', name: 'x' },
      type: 'Warning',
      reason: 'IPVSDeprecation',
      message: 'The ipvs proxier is now deprecated',
      involvedObject: { kind: 'Node', name: 'w1' },
    };
    expect(toApiEvent(ev)).toEqual({
      namespace: 'default',
      type: 'Warning',
      reason: 'IPVSDeprecation',
      message: 'The ipvs proxier is now deprecated',
      involvedObject: { kind: 'Node', name: 'w1', namespace: null },
    });
  });
});

describe('toApiObjects', () => {
  it('sorts objects and extracts the config maps', () => {
    const objects = toApiObjects({
      version: {
        gitVersion: 'v1.31.0',
        major: '1',
        minor: '31',
        buildDate: '',
        compiler: '',
        gitCommit: '',
        gitTreeState: '',
        goVersion: '',
        platform: '',
      },
      nodes: [{ metadata: { name: 'b' } }, { metadata: { name: 'a' } }],
      services: [],
      endpointSlices: [],
      pods: [],
      kubeProxy: { data: { 'config.conf': 'mode: ipvs\n' } },
      kubeadm: null,
      events: [],
    });
    expect(objects.serverVersion).toEqual({ gitVersion: 'v1.31.0' });
    expect(objects.nodes.map((n) => n.name)).toEqual(['a', 'b']);
    expect(objects.kubeProxyConfig).toBe('mode: ipvs\n');
    expect(objects.kubeadmClusterConfiguration).toBeNull();
  });
});

describe('statusMessage', () => {
  it('reads the message of a Status body in either form', () => {
    expect(statusMessage('{"kind":"Status","message":"namespaces \\"x\\" not found"}')).toBe(
      'namespaces "x" not found',
    );
    expect(statusMessage({ message: 'm' })).toBe('m');
    expect(statusMessage('plain text')).toBe('plain text');
    expect(statusMessage(undefined)).toBeNull();
  });
});
