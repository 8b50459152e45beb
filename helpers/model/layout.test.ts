import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatFindings } from '../judge/finding.ts';
import { splitFixture } from '../parse/fixture-file.ts';
import {
  judgeLayout,
  type LayoutInput,
  type LayoutNode,
  type LayoutPod,
  type LayoutService,
} from './layout.ts';

function body(name: string): string {
  const path = fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
  return splitFixture(readFileSync(path, 'utf8'), name).body;
}

function rows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));
}

const node = (name: string, podCIDR: string | null): LayoutNode => ({
  name,
  podCIDR,
  podCIDRs: podCIDR === null ? [] : [podCIDR],
});

// Real data. shared/captures/20: `kubectl get servicecidr` -> the service subnet the cluster really uses.
const serviceSubnet = rows(body('kubectl-get-servicecidr.kans.txt'))[0]?.[1] ?? '';
// shared/captures/16 (kubectl get svc -A) plus svc-clusterip from shared/captures/17 (KUBE-CLUSTER-IP ipset member).
const capturedServices: LayoutService[] = [
  ...rows(body('kubectl-get-svc-A.kans-ipvs.txt')).map(([namespace = '', name = '', , ip = '']) => ({
    namespace,
    name,
    clusterIP: ip,
    clusterIPs: [ip],
  })),
  ...body('ipset-kube-cluster-ip.kans-ipvs.txt')
    .split('\n')
    .filter((l) => l.endsWith(',tcp:9000'))
    .map((l) => {
      const ip = l.split(',')[0] ?? '';
      return { namespace: 'default', name: 'svc-clusterip', clusterIP: ip, clusterIPs: [ip] };
    }),
];
// The IPVS-week cluster's nodes with names (shared/seed custom-columns output, copied as a fixture).
const seedNodes = rows(body('kubectl-nodes-podcidr-custom-columns.kans-ipvs.txt')).map(
  ([name = '', cidr = '']) => node(name, cidr),
);
// shared/captures/19: podCIDRs only, in `kubectl get nodes` order, which is sorted by name.
const jsonpathNodes = body('kubectl-nodes-podcidr-jsonpath.kans.txt')
  .trim()
  .split(' ')
  .map((cidr, i) =>
    node(['myk8s-control-plane', 'myk8s-worker', 'myk8s-worker2', 'myk8s-worker3'][i] ?? `n${i}`, cidr),
  );
// shared/captures/18 is `grep -i subnet` of the kubeadm-config ConfigMap: its two lines, re-nested under
// `networking:` (their 6-space indent is 4 of the ConfigMap's block scalar plus 2 of networking).
const kubeadmConfig = `apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  dnsDomain: cluster.local\n${body(
  'kubeadm-config-grep-subnet.kans.txt',
)
  .trimEnd()
  .split('\n')
  .map((l) => l.slice(4))
  .join('\n')}\n`;
// The webpod endpoints named in shared/captures/23's header (10.10.1.4, 10.10.2.4, 10.10.3.3); their nodes are
// not published, so each is placed on the seed node whose podCIDR holds it. DERIVED placement.
const webpods: LayoutPod[] = [
  {
    namespace: 'default',
    name: 'webpod1',
    nodeName: 'myk8s-worker2',
    podIP: '10.10.1.4',
    hostNetwork: false,
  },
  { namespace: 'default', name: 'webpod2', nodeName: 'myk8s-worker', podIP: '10.10.2.4', hostNetwork: false },
  {
    namespace: 'default',
    name: 'webpod3',
    nodeName: 'myk8s-worker3',
    podIP: '10.10.3.3',
    hostNetwork: false,
  },
  // kube-proxy runs hostNetwork with the node's docker IP (shared/captures/21): never inside a podCIDR.
  {
    namespace: 'kube-system',
    name: 'kube-proxy-abcde',
    nodeName: 'myk8s-worker',
    podIP: '172.18.0.3',
    hostNetwork: true,
  },
  { namespace: 'default', name: 'pending', nodeName: null, podIP: null, hostNetwork: false },
];

const noKubeadm: LayoutInput = {
  nodes: seedNodes,
  pods: webpods,
  services: capturedServices,
  podSubnet: '10.10.0.0/16',
  serviceSubnet,
};
const conformant: LayoutInput = { ...noKubeadm, kubeadmClusterConfiguration: kubeadmConfig };

const checks = (input: LayoutInput): string[] => judgeLayout(input).map((f) => `${f.check} ${f.subject}`);

describe('judgeLayout on captured data', () => {
  it('reads the captures as expected', () => {
    expect(serviceSubnet).toBe('10.200.1.0/24');
    expect(capturedServices.map((s) => s.clusterIP)).toEqual(['10.200.1.1', '10.200.1.10', '10.200.1.245']);
    expect(jsonpathNodes.map((n) => n.podCIDR)).toEqual([
      '10.10.0.0/24',
      '10.10.4.0/24',
      '10.10.3.0/24',
      '10.10.1.0/24',
    ]);
    expect(kubeadmConfig).toContain('\n  podSubnet: 10.10.0.0/16\n  serviceSubnet: 10.200.1.0/24\n');
  });

  it('finds nothing wrong in the IPVS-week cluster (seed nodes, captures 16/17/18/20/23)', () => {
    expect(formatFindings(judgeLayout(conformant))).toBe('no findings');
  });

  it('finds nothing wrong in the node podCIDRs of capture 19', () => {
    expect(judgeLayout({ ...conformant, nodes: jsonpathNodes, pods: [] })).toEqual([]);
  });

  it('places pods of one cluster instance on the nodes of another and catches it', () => {
    // Capture 19 and the seed are two instances of the study cluster: in 19 myk8s-worker got 10.10.4.0/24.
    const findings = judgeLayout({ ...conformant, nodes: jsonpathNodes });
    expect(findings.map((f) => [f.check, f.subject, f.expected, f.observed])).toEqual([
      [
        'pod-ip-in-node-podcidr',
        'pod/default/webpod1',
        'inside 10.10.3.0/24 (node myk8s-worker2)',
        '10.10.1.4',
      ],
      [
        'pod-ip-in-node-podcidr',
        'pod/default/webpod2',
        'inside 10.10.4.0/24 (node myk8s-worker)',
        '10.10.2.4',
      ],
      [
        'pod-ip-in-node-podcidr',
        'pod/default/webpod3',
        'inside 10.10.1.0/24 (node myk8s-worker3)',
        '10.10.3.3',
      ],
    ]);
    expect(findings[1]?.message).toBe(
      "pod webpod2 on node myk8s-worker has IP 10.10.2.4 outside that node's podCIDR 10.10.4.0/24: the CNI is not using the node's range",
    );
  });
});

describe('each layout check can fail', () => {
  const withNodes = (nodes: LayoutNode[]): LayoutInput => ({ ...conformant, nodes, pods: [] });

  it('podcidr-assigned: a node without a podCIDR, or with garbage', () => {
    expect(checks(withNodes([...seedNodes, node('myk8s-worker4', null)]))).toEqual([
      'podcidr-assigned node/myk8s-worker4',
    ]);
    const garbage = { name: 'x', podCIDR: '10.10.9.0', podCIDRs: ['10.10.9.0'] };
    expect(judgeLayout(withNodes([garbage]))[0]?.message).toContain('has no /prefix');
  });

  it('podcidr-mask: a /25 or /23 node range', () => {
    expect(checks(withNodes([node('a', '10.10.0.0/25'), node('b', '10.10.2.0/23')]))).toEqual([
      'podcidr-mask node/a',
      'podcidr-mask node/b',
    ]);
    expect(checks({ ...withNodes([node('a', '10.10.0.0/25')]), nodeMaskSize: { ipv4: 25 } })).toEqual([]);
  });

  it('podcidr-in-pod-subnet: a node range outside the pod subnet', () => {
    const findings = judgeLayout(
      withNodes([...seedNodes.slice(1), node('myk8s-control-plane', '10.244.0.0/24')]),
    );
    expect(findings.map((f) => [f.check, f.expected, f.observed])).toEqual([
      ['podcidr-in-pod-subnet', 'inside 10.10.0.0/16', '10.244.0.0/24'],
    ]);
  });

  it('podcidr-disjoint: two nodes with the same or nested ranges', () => {
    expect(checks(withNodes([...seedNodes, node('myk8s-worker4', '10.10.1.0/24')]))).toEqual([
      'podcidr-disjoint node/myk8s-worker2,node/myk8s-worker4',
    ]);
    expect(checks(withNodes([node('a', '10.10.0.0/24'), node('b', '10.10.0.128/25')]))).toEqual([
      'podcidr-mask node/b',
      'podcidr-disjoint node/a,node/b',
    ]);
  });

  it('podcidrs-match-podcidr: podCIDRs empty, longer, or different', () => {
    const nodes: LayoutNode[] = [
      { name: 'empty', podCIDR: '10.10.0.0/24', podCIDRs: [] },
      { name: 'two', podCIDR: '10.10.1.0/24', podCIDRs: ['10.10.1.0/24', '10.10.9.0/24'] },
      { name: 'other', podCIDR: '10.10.2.0/24', podCIDRs: ['10.10.3.0/24'] },
    ];
    const findings = judgeLayout(withNodes(nodes));
    expect(findings.map((f) => [f.check, f.subject, f.observed])).toEqual([
      ['podcidrs-match-podcidr', 'node/empty', '[]'],
      ['podcidrs-match-podcidr', 'node/two', '[10.10.1.0/24, 10.10.9.0/24]'],
      ['podcidrs-match-podcidr', 'node/other', '[10.10.3.0/24]'],
    ]);
  });

  it('accepts dual-stack nodes against a dual-stack pod subnet', () => {
    const dual: LayoutNode = {
      name: 'd',
      podCIDR: '10.10.0.0/24',
      podCIDRs: ['10.10.0.0/24', 'fd00:10:244::/64'],
    };
    const dualInput: LayoutInput = {
      ...noKubeadm,
      nodes: [dual],
      pods: [],
      podSubnet: '10.10.0.0/16,fd00:10:244::/56',
    };
    expect(checks(dualInput)).toEqual([]);
    const wide: LayoutNode = {
      name: 'w',
      podCIDR: '10.10.1.0/24',
      podCIDRs: ['10.10.1.0/24', 'fd00:10:245::/64'],
    };
    expect(checks({ ...dualInput, nodes: [dual, wide] })).toEqual(['podcidr-in-pod-subnet node/w']);
    expect(checks({ ...dualInput, nodes: [{ ...dual, podCIDRs: ['10.10.0.0/24'] }] })).toEqual([
      'podcidrs-match-podcidr node/d',
    ]);
  });

  it('pod-ip-in-node-podcidr: a pod outside its node range, on an unknown node, or on a node without range', () => {
    const pods: LayoutPod[] = [
      { name: 'moved', nodeName: 'myk8s-worker3', podIP: '10.10.1.9', hostNetwork: false },
      { name: 'ghost', nodeName: 'myk8s-worker9', podIP: '10.10.1.10', hostNetwork: false },
      { name: 'host', nodeName: 'myk8s-worker3', podIP: '172.18.0.2', hostNetwork: true },
    ];
    const findings = judgeLayout({
      ...conformant,
      nodes: [...seedNodes, node('myk8s-worker4', null)],
      pods: [...pods, { name: 'orphan', nodeName: 'myk8s-worker4', podIP: '10.10.5.2', hostNetwork: false }],
    });
    expect(findings.map((f) => [f.check, f.subject, f.observed])).toEqual([
      ['podcidr-assigned', 'node/myk8s-worker4', 'no podCIDR'],
      ['pod-ip-in-node-podcidr', 'pod/moved', '10.10.1.9'],
      ['pod-ip-in-node-podcidr', 'pod/ghost', '10.10.1.10; node myk8s-worker9 is not in the node list'],
      ['pod-ip-in-node-podcidr', 'pod/orphan', '10.10.5.2; node myk8s-worker4 has no valid podCIDR'],
    ]);
  });

  it('clusterip-in-service-subnet: a ClusterIP (or a second clusterIPs entry) outside the subnet; headless is fine', () => {
    const services: LayoutService[] = [
      ...capturedServices,
      { namespace: 'default', name: 'stray', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'] },
      {
        namespace: 'default',
        name: 'dual',
        clusterIP: '10.200.1.30',
        clusterIPs: ['10.200.1.30', 'fd00::30'],
      },
      { namespace: 'default', name: 'headless', clusterIP: 'None', clusterIPs: ['None'] },
      { namespace: 'default', name: 'external', clusterIP: null, clusterIPs: [] },
    ];
    expect(judgeLayout({ ...conformant, services }).map((f) => [f.subject, f.observed])).toEqual([
      ['service/default/stray', '10.96.0.20'],
      ['service/default/dual', 'fd00::30'],
    ]);
  });

  it('kubernetes-service-ip / kube-dns-service-ip: wrong address or service absent', () => {
    const swapped = capturedServices.map((s) =>
      s.name === 'kubernetes' ? { ...s, clusterIP: '10.200.1.2', clusterIPs: ['10.200.1.2'] } : s,
    );
    const findings = judgeLayout({ ...conformant, services: swapped.filter((s) => s.name !== 'kube-dns') });
    expect(findings.map((f) => [f.check, f.expected, f.observed])).toEqual([
      ['kubernetes-service-ip', '10.200.1.1', '10.200.1.2'],
      ['kube-dns-service-ip', '10.200.1.10', 'service absent'],
    ]);
    expect(findings[1]?.message).toContain('kubeadm gives cluster DNS the 10th address');
  });

  it('the well-known addresses follow the configured subnet, not a constant', () => {
    const services: LayoutService[] = [
      { namespace: 'default', name: 'kubernetes', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'] },
      { namespace: 'kube-system', name: 'kube-dns', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] },
    ];
    expect(judgeLayout({ ...noKubeadm, services, serviceSubnet: '10.96.0.0/16' })).toEqual([]);
    // The captured services judged against kind's default service subnet: all outside, all wrong.
    expect(checks({ ...noKubeadm, serviceSubnet: '10.96.0.0/16' })).toEqual([
      'clusterip-in-service-subnet service/default/kubernetes',
      'clusterip-in-service-subnet service/kube-system/kube-dns',
      'clusterip-in-service-subnet service/default/svc-clusterip',
      'kubernetes-service-ip service/default/kubernetes',
      'kube-dns-service-ip service/kube-system/kube-dns',
    ]);
  });

  it('kubeadm-*: subnets that differ from the configured ones, absent, unparseable or missing keys', () => {
    const other = kubeadmConfig.replace('10.10.0.0/16', '10.244.0.0/16');
    expect(
      judgeLayout({ ...conformant, kubeadmClusterConfiguration: other }).map((f) => [
        f.check,
        f.expected,
        f.observed,
      ]),
    ).toEqual([['kubeadm-pod-subnet', '10.10.0.0/16', '10.244.0.0/16']]);
    expect(checks({ ...conformant, kubeadmClusterConfiguration: null })).toEqual([
      'kubeadm-config configmap/kube-system/kubeadm-config',
    ]);
    expect(checks({ ...conformant, kubeadmClusterConfiguration: 'networking: [' })).toEqual([
      'kubeadm-config configmap/kube-system/kubeadm-config',
    ]);
    expect(
      judgeLayout({ ...conformant, kubeadmClusterConfiguration: 'kind: ClusterConfiguration\n' }).map(
        (f) => f.observed,
      ),
    ).toEqual(['not set', 'not set']);
    // The raw grep output (no networking: parent) is not a ClusterConfiguration: the keys are not where kubeadm puts them.
    expect(
      checks({ ...conformant, kubeadmClusterConfiguration: body('kubeadm-config-grep-subnet.kans.txt') }),
    ).toEqual([
      'kubeadm-pod-subnet configmap/kube-system/kubeadm-config',
      'kubeadm-service-subnet configmap/kube-system/kubeadm-config',
    ]);
  });

  it('layout-subnets: refuses to judge against unusable configured subnets', () => {
    const findings = judgeLayout({ ...conformant, podSubnet: '10.10.0.0/33', serviceSubnet: 'nope' });
    expect(findings.map((f) => [f.check, f.subject])).toEqual([
      ['layout-subnets', 'pod subnet'],
      ['layout-subnets', 'service subnet'],
    ]);
  });
});
