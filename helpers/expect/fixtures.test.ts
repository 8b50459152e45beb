/**
 * End to end over the parsers: the DERIVED kind-worker fixtures of helpers/parse/__fixtures__ (one
 * hypothetical node, reference section 10) go through nodeStateFromSnapshot and every check, with
 * the API objects their headers describe. DERIVED text is shape, not proof; this proves the checks
 * and the parsers agree on it.
 */
import { describe, expect, it } from 'vitest';
import type { ApiEndpointSlice, ApiService, ApiServicePort } from '../api/types.ts';
import { inferHz, nodeStateFromSnapshot } from '../bundle/node-state.ts';
import type { NodeSectionName, NodeSnapshot, Section } from '../bundle/types.ts';
import { loadFixture } from '../parse/fixture-file.ts';
import { checkIpsets } from './ipset.ts';
import { checkIptables } from './iptables.ts';
import { ipvsReport } from './ipvs.ts';
import { checkKubeIpvs0 } from './kube-ipvs0.ts';
import { checkProxyMode } from './proxy-mode.ts';
import { checkEffectiveArp, checkIpvsSysctls, checkStrictArpAll } from './sysctl.ts';

const FIXTURES: Partial<Record<NodeSectionName, string>> = {
  'proc-ip-vs': 'proc-ip-vs.derived-kind-worker.txt',
  'iptables-save': 'iptables-save.derived-v4-kind-worker-v1.31.txt',
  'ip6tables-save': 'ip6tables-save.derived-kind-worker-v1.31.txt',
  'ipset-save': 'ipset.derived-save-kind-worker-v1.31.txt',
  'ip-addr': 'ip-addr.DERIVED-ip-j-p-d-addr-kind-worker.txt',
  sysctl: 'sysctl.DERIVED-kind-worker-strictarp.txt',
};

function snapshot(): NodeSnapshot {
  const text = (name: NodeSectionName): Section => {
    const f = FIXTURES[name];
    return { status: 'ok', command: name, text: f === undefined ? '' : loadFixture(f).body };
  };
  return {
    node: 'kind-worker',
    sections: {
      'proc-ip-vs': text('proc-ip-vs'),
      'iptables-save': text('iptables-save'),
      'ip6tables-save': text('ip6tables-save'),
      'ipset-save': text('ipset-save'),
      'ip-addr': text('ip-addr'),
      sysctl: text('sysctl'),
      'proxy-mode': { status: 'ok', command: 'curl', text: 'ipvs' },
      metrics: { status: 'absent', command: 'curl', reason: 'not recorded for this fixture' },
      kernel: { status: 'ok', command: 'uname -r', text: '6.8.0-1017-azure\n' },
    },
  };
}

function port(
  name: string | null,
  protocol: ApiServicePort['protocol'],
  p: number,
  nodePort: number | null = null,
): ApiServicePort {
  return { name, protocol, port: p, targetPort: p, nodePort };
}

function svc(
  ns: string,
  name: string,
  clusterIP: string,
  ports: ApiServicePort[],
  extra: Partial<ApiService> = {},
): ApiService {
  return {
    namespace: ns,
    name,
    type: ports.some((p) => p.nodePort !== null) ? 'NodePort' : 'ClusterIP',
    clusterIP,
    clusterIPs: [clusterIP],
    ports,
    sessionAffinity: 'None',
    affinityTimeoutSeconds: null,
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    selector: null,
    ...extra,
  };
}

function slice(
  ns: string,
  service: string,
  ports: ApiEndpointSlice['ports'],
  eps: [string, string | null][],
): ApiEndpointSlice {
  return {
    namespace: ns,
    name: `${service}-x`,
    serviceName: service,
    addressType: 'IPv4',
    ports,
    endpoints: eps.map(([ip, node]) => ({
      addresses: [ip],
      ready: true,
      serving: true,
      terminating: false,
      nodeName: node,
      targetPod: null,
    })),
  };
}

// The cluster the fixture headers describe (DERIVED-proc-net-ip_vs-kind-worker.txt).
const services: ApiService[] = [
  svc('default', 'kubernetes', '10.200.1.1', [port('https', 'TCP', 443)]),
  svc('kube-system', 'kube-dns', '10.200.1.10', [
    port('dns', 'UDP', 53),
    port('dns-tcp', 'TCP', 53),
    port('metrics', 'TCP', 9153),
  ]),
  svc('default', 'echo', '10.200.1.123', [port(null, 'TCP', 80, 30000)]),
  svc('default', 'echo-sticky', '10.200.1.124', [port(null, 'TCP', 80)], {
    sessionAffinity: 'ClientIP',
    affinityTimeoutSeconds: 10800,
  }),
  svc('default', 'echo-local', '10.200.1.125', [port(null, 'TCP', 80, 30001)], {
    externalTrafficPolicy: 'Local',
  }),
];
const http = [{ name: null, port: 8080, protocol: 'TCP' as const }];
const endpointSlices: ApiEndpointSlice[] = [
  slice('default', 'kubernetes', [{ name: 'https', port: 6443, protocol: 'TCP' }], [['172.18.0.3', null]]),
  slice(
    'kube-system',
    'kube-dns',
    [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ],
    [
      ['10.10.0.2', 'kind-control-plane'],
      ['10.10.0.4', 'kind-control-plane'],
    ],
  ),
  slice('default', 'echo', http, [
    ['10.10.1.2', 'kind-worker'],
    ['10.10.2.2', 'kind-worker2'],
    ['10.10.3.2', 'kind-worker3'],
  ]),
  // 10.10.3.2 was just deleted from echo-sticky: still a weight-0 real server on the node.
  slice('default', 'echo-sticky', http, [
    ['10.10.1.2', 'kind-worker'],
    ['10.10.2.2', 'kind-worker2'],
  ]),
  slice('default', 'echo-local', http, [
    ['10.10.1.3', 'kind-worker'],
    ['10.10.2.3', 'kind-worker2'],
  ]),
];
const api = { services, endpointSlices };

describe('checks over the parsed DERIVED kind-worker fixtures', () => {
  const node = nodeStateFromSnapshot(snapshot());

  it('parses every fixture section', () => {
    for (const s of [node.ipvs, node.iptables, node.ip6tables, node.ipsets, node.interfaces, node.sysctls]) {
      expect(s.ok ? 'ok' : s.reason).toBe('ok');
    }
  });

  it('finds the IPVS table conformant, with the deleted endpoint draining', () => {
    const r = ipvsReport(node, api, { hz: 1000 });
    expect(r.findings).toEqual([]);
    expect(r.draining).toEqual([
      {
        node: 'kind-worker',
        virtualServer: 'TCP 10.200.1.124:80',
        realServer: '10.10.3.2:8080',
        activeConns: 0,
        inactiveConns: 1,
      },
    ]);
  });

  it('infers HZ 1000 from the sticky service', () => {
    const sticky = node.ipvs.ok
      ? node.ipvs.value.virtualServers.find((v) => v.address === '10.200.1.124')
      : undefined;
    expect(inferHz([{ jiffies: sticky?.persistentJiffies ?? 0, seconds: 10800 }]).hz).toBe(1000);
  });

  it('finds kube-ipvs0, iptables, ip6tables and ipsets conformant', () => {
    expect(checkKubeIpvs0(node, api)).toEqual([]);
    expect(checkIptables(node, api, { clusterCIDR: '10.10.0.0/16' })).toEqual([]);
    expect(checkIptables(node, api, { family: 6 })).toEqual([]);
    expect(checkIpsets(node, api)).toEqual([]);
    expect(checkProxyMode(node)).toEqual([]);
  });

  it('finds the conf/all and IPVS sysctls conformant', () => {
    expect(checkStrictArpAll(node)).toEqual([]);
    expect(checkIpvsSysctls(node)).toEqual([]);
  });

  it('reports the per-interface arp keys this plain sysctl listing lacks', () => {
    const missing = checkEffectiveArp(node).map((f) => f.subject);
    expect(missing).toContain('node kind-worker: net.ipv4.conf.eth0.arp_ignore');
    expect(missing).toContain('node kind-worker: net.ipv4.conf.kube-ipvs0.arp_announce');
  });
});
