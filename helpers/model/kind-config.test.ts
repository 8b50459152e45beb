import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { splitFixture } from '../parse/fixture-file.ts';
import {
  checkSuiteExpectations,
  IPVS_SUITE_EXPECTATIONS,
  KindConfigError,
  type KindConfigProblem,
  kindNodeNames,
  parseKindConfig,
  referenceExpectations,
  validateKindConfig,
} from './kind-config.ts';

const reference = readFileSync(
  fileURLToPath(new URL('../../kind/cluster-ipvs.yaml', import.meta.url)),
  'utf8',
);

function fixture(name: string): string {
  const path = fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
  return splitFixture(readFileSync(path, 'utf8'), name).body;
}

function problemsOf(text: string): KindConfigProblem[] {
  const { model, problems } = validateKindConfig(text);
  if (problems.length > 0) expect(model).toBeNull();
  return [...problems];
}

function paths(text: string): string[] {
  return problemsOf(text).map((p) => p.path);
}

/** The reference config with one line replaced (throws if the line is not there, so tests cannot go stale). */
function mutate(from: string, to: string): string {
  if (!reference.includes(from)) throw new Error(`reference config has no ${JSON.stringify(from)}`);
  return reference.replace(from, to);
}

const minimal = (networking: string, nodes = '  - role: control-plane\n'): string =>
  `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n${nodes}${networking}`;

describe('parseKindConfig on the reference config (kind/cluster-ipvs.yaml)', () => {
  const model = parseKindConfig(reference);

  it('models nodes with roles, labels and zones in config order', () => {
    expect(model.nodes.map((n) => [n.role, n.labels.mynode, n.zone])).toEqual([
      ['control-plane', 'control-plane', 'ap-northeast-2a'],
      ['worker', 'worker1', 'ap-northeast-2a'],
      ['worker', 'worker2', 'ap-northeast-2b'],
      ['worker', 'worker3', 'ap-northeast-2c'],
    ]);
    expect(model.nodeImages).toEqual([]);
  });

  it('models the control-plane port mappings, feature gates, subnets and proxy settings', () => {
    expect(model.controlPlanePortMappings.map((m) => [m.containerPort, m.hostPort, m.protocol])).toEqual([
      [30000, 30000, 'TCP'],
      [30001, 30001, 'TCP'],
      [30002, 30002, 'TCP'],
      [30003, 30003, 'TCP'],
      [30004, 30004, 'TCP'],
    ]);
    expect(model.featureGates).toEqual({ InPlacePodVerticalScaling: true, MultiCIDRServiceAllocator: true });
    expect([model.podSubnet, model.serviceSubnet, model.podSubnetDefaulted]).toEqual([
      '10.10.0.0/16',
      '10.200.1.0/24',
      false,
    ]);
    expect([model.kubeProxyMode, model.strictARP, model.metricsBindAddress, model.ipvsScheduler]).toEqual([
      'ipvs',
      true,
      '0.0.0.0',
      null,
    ]);
  });

  it('parses kubeadmConfigPatches per kind', () => {
    expect(model.patchesByKind.ClusterConfiguration).toHaveLength(1);
    expect(model.patchesByKind.KubeProxyConfiguration.map((p) => [p.path, p.scope])).toEqual([
      ['nodes[0].kubeadmConfigPatches[1]', 0],
    ]);
    expect(model.clusterConfigurationPatch?.apiServer).toEqual({
      extraArgs: { 'runtime-config': 'api/all=true' },
    });
    expect(model.kubeProxyConfigurationPatch).toEqual({
      kind: 'KubeProxyConfiguration',
      metricsBindAddress: '0.0.0.0',
      ipvs: { strictARP: true },
    });
  });

  it('fits the IPVS suite', () => {
    expect(checkSuiteExpectations(model, IPVS_SUITE_EXPECTATIONS)).toEqual([]);
  });

  it('derives what the suites expect, with the node names kind gives them', () => {
    const ref = referenceExpectations(model, 'myk8s');
    // shared/captures/21 (docker inspect of the study's cluster built from this config with --name myk8s)
    const captured = fixture('docker-inspect-node-ips.kans.txt')
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]?.replace(/^\//, ''));
    expect(ref.nodes.map((n) => n.name)).toEqual(captured);
    expect(ref).toMatchObject({
      podSubnet: '10.10.0.0/16',
      serviceSubnet: '10.200.1.0/24',
      nodeCountByRole: { 'control-plane': 1, worker: 3 },
      mappedHostPorts: [30000, 30001, 30002, 30003, 30004],
      kubeProxyMode: 'ipvs',
      strictARP: true,
      ipvsScheduler: 'rr',
      kubernetesServiceIP: '10.200.1.1',
      kubeDnsServiceIP: '10.200.1.10',
    });
    expect(ref.nodes[2]).toEqual({
      name: 'myk8s-worker2',
      role: 'worker',
      labels: { mynode: 'worker2', 'topology.kubernetes.io/zone': 'ap-northeast-2b' },
      zone: 'ap-northeast-2b',
      image: null,
    });
    expect(referenceExpectations(model).clusterName).toBe('kind');
  });
});

describe('kindNodeNames', () => {
  it('numbers repeated roles from 2, per role', () => {
    expect(kindNodeNames('c', ['control-plane', 'worker', 'control-plane', 'worker', 'worker'])).toEqual([
      'c-control-plane',
      'c-worker',
      'c-control-plane2',
      'c-worker2',
      'c-worker3',
    ]);
  });
});

describe('validation lists every problem with path, line and fix', () => {
  it('reports all defects of the many-problems fixture at once', () => {
    const text = fixture('kind-config.many-problems.yaml');
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        'apiVersion',
        'featureGates.InPlacePodVerticalScaling',
        'nodes[0].extraPortMappings[1].containerPort',
        'nodes[0].extraPortMappings[2].hostPort',
        'nodes[0].kubeadmConfigPatches[0] > ipvs.strictARP',
        'nodes[1].extraPortMapping',
        'nodes[2].role',
        'networking.podSubnet',
        'networking.kubeProxyMode',
      ].sort(),
    );
    const lines = text.split('\n');
    for (const p of problems) {
      expect(p.line, p.path).not.toBeNull();
      // every located line is one the fixture marks as a defect (or the patch that holds one)
      const at = lines[(p.line ?? 1) - 1] ?? '';
      expect(at.includes('defect') || at.includes('- |'), `${p.path} -> line ${p.line}: ${at}`).toBe(true);
    }
    const byPath = new Map(problems.map((p) => [p.path, p]));
    expect(byPath.get('nodes[1].extraPortMapping')?.problem).toContain('did you mean "extraPortMappings"');
    expect(byPath.get('networking.kubeProxyMode')?.fix).toContain('iptables, ipvs, nftables, none');
    expect(byPath.get('nodes[0].extraPortMappings[1].containerPort')?.problem).toContain(
      'outside the NodePort range',
    );
    expect(byPath.get('nodes[0].extraPortMappings[2].hostPort')?.problem).toContain(
      'also at nodes[0].extraPortMappings[0]',
    );
    expect(byPath.get('networking.podSubnet')?.problem).toContain('bad CIDR');
    expect(byPath.get('nodes[0].kubeadmConfigPatches[0] > ipvs.strictARP')?.problem).toContain(
      'YAML boolean',
    );
    expect(byPath.get('nodes[0].kubeadmConfigPatches[0] > ipvs.strictARP')?.fix).toContain(
      'KubeProxyConfiguration',
    );
    expect(byPath.get('nodes[2].role')).toMatchObject({
      problem: 'value "wrker" is not allowed',
      fix: 'use one of "control-plane", "worker"',
    });
  });

  it('throws a KindConfigError whose message names each problem', () => {
    let caught: unknown;
    try {
      parseKindConfig(fixture('kind-config.many-problems.yaml'), 'many-problems.yaml');
    } catch (e: unknown) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(KindConfigError);
    const err = caught as KindConfigError;
    expect(err.problems).toHaveLength(9);
    expect(err.message).toMatch(/^many-problems.yaml: 9 problems:\n/);
    expect(err.message).toContain(
      '  - apiVersion (line 2): wrong apiVersion "kind.x-k8s.io/v1alpha3"; set "apiVersion:',
    );
  });

  it('refuses something that is not a kind Cluster', () => {
    const problems = problemsOf(fixture('kind-config.not-a-cluster.yaml'));
    expect(problems.map((p) => [p.path, p.problem])).toEqual([
      ['kind', 'not a kind Cluster: kind is "ClusterConfiguration"'],
      ['apiVersion', 'wrong apiVersion "kubeadm.k8s.io/v1beta3"'],
    ]);
  });

  it('refuses overlapping pod and service subnets', () => {
    const problems = problemsOf(fixture('kind-config.overlapping-subnets.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      path: 'networking.serviceSubnet',
      problem: 'podSubnet 10.0.0.0/8 overlaps serviceSubnet 10.200.1.0/24',
    });
  });

  it("refuses a pod subnet that overlaps kind's default service subnet", () => {
    expect(problemsOf(minimal('networking:\n  podSubnet: 10.96.0.0/12\n'))[0]?.problem).toBe(
      "podSubnet 10.96.0.0/12 overlaps serviceSubnet 10.96.0.0/16 (kind's default)",
    );
  });

  it.for([
    ['empty text', '', '(document)', 'the config is empty'],
    ['a YAML syntax error', 'kind: Cluster\nnodes: [\n', '(document)', 'not valid YAML'],
    ['a list', '- kind: Cluster\n', '(document)', 'not a YAML mapping'],
    ['two documents', `${reference}---\nkind: Cluster\n`, '(document)', '2 YAML documents'],
    [
      'a typo at top level',
      mutate('featureGates:', 'featureGate:'),
      'featureGate',
      'did you mean "featureGates"',
    ],
    [
      'a CIDR with host bits',
      mutate('10.200.1.0/24', '10.200.1.7/24'),
      'networking.serviceSubnet',
      'host bits',
    ],
    [
      'a string port',
      mutate('containerPort: 30003', 'containerPort: "30003"'),
      'nodes[0].extraPortMappings[3].containerPort',
      'expected number',
    ],
    [
      'a port above 65535',
      mutate('hostPort: 30003', 'hostPort: 70000'),
      'nodes[0].extraPortMappings[3].hostPort',
      '70000 is out of range',
    ],
    [
      'a numeric label value',
      mutate('mynode: worker1', 'rack: 1'),
      'nodes[1].labels.rack',
      'expected string',
    ],
    [
      'a mapping below the NodePort range',
      mutate('containerPort: 30004', 'containerPort: 29999'),
      'nodes[0].extraPortMappings[4].containerPort',
      'outside the NodePort range 30000-32767',
    ],
    [
      'a mapping above the NodePort range',
      mutate('containerPort: 30004', 'containerPort: 32768'),
      'nodes[0].extraPortMappings[4].containerPort',
      'outside the NodePort range',
    ],
    ['no control-plane', minimal('', '  - role: worker\n'), 'nodes', 'no control-plane node'],
    [
      'an IPv6 subnet in an ipv4 cluster',
      minimal('networking:\n  podSubnet: fd00:10:244::/56\n'),
      'networking.podSubnet',
      'is ipv6 but networking.ipFamily is ipv4',
    ],
    [
      'a dual-stack cluster with one subnet',
      minimal('networking:\n  ipFamily: dual\n  podSubnet: 10.10.0.0/16\n'),
      'networking.podSubnet',
      'dual stack needs one IPv4 and one IPv6',
    ],
    [
      'a KubeProxyConfiguration patch with a foreign apiVersion',
      mutate(
        'kind: KubeProxyConfiguration',
        'kind: KubeProxyConfiguration\n        apiVersion: kubeproxy.config.k8s.io/v1beta1',
      ),
      'nodes[0].kubeadmConfigPatches[1] > apiVersion',
      'silently skipped',
    ],
    [
      'a patch without kind',
      mutate('kind: KubeProxyConfiguration', 'kinds: KubeProxyConfiguration'),
      'nodes[0].kubeadmConfigPatches[1]',
      'has no "kind" string',
    ],
    [
      'a patch that is not YAML',
      mutate('kind: KubeProxyConfiguration', 'kind: [KubeProxyConfiguration'),
      'nodes[0].kubeadmConfigPatches[1]',
      'not valid YAML',
    ],
    [
      'a patch that is a scalar',
      mutate(
        '      - |\n        kind: KubeProxyConfiguration',
        '      - just text\n      - |\n        kind: KubeProxyConfiguration',
      ),
      'nodes[0].kubeadmConfigPatches[1]',
      'not a YAML mapping',
    ],
    [
      'a patch that is not a string',
      mutate(
        '      - |\n        kind: KubeProxyConfiguration',
        '      - {kind: KubeProxyConfiguration}\n      - |\n        kind: KubeProxyConfiguration',
      ),
      'nodes[0].kubeadmConfigPatches[1]',
      'YAML block string',
    ],
    [
      'a kube-proxy patch on a worker',
      mutate(
        '      topology.kubernetes.io/zone: ap-northeast-2c\n',
        '      topology.kubernetes.io/zone: ap-northeast-2c\n    kubeadmConfigPatches:\n      - |\n        kind: KubeProxyConfiguration\n        ipvs:\n          strictARP: true\n',
      ),
      'nodes[3].kubeadmConfigPatches[0]',
      'has no effect',
    ],
    [
      'a mode in the patch that contradicts kubeProxyMode',
      mutate('metricsBindAddress: 0.0.0.0', 'metricsBindAddress: 0.0.0.0\n        mode: iptables'),
      'networking.kubeProxyMode',
      'sets mode "iptables" but networking.kubeProxyMode is "ipvs"',
    ],
    [
      'a ClusterConfiguration subnet that contradicts networking',
      mutate(
        'kind: ClusterConfiguration',
        'kind: ClusterConfiguration\n        networking:\n          podSubnet: 10.20.0.0/16',
      ),
      'networking.podSubnet',
      'sets networking.podSubnet "10.20.0.0/16"',
    ],
    [
      'a malformed service-node-port-range',
      mutate('runtime-config: api/all=true', 'service-node-port-range: 30000:32767'),
      'kubeadmConfigPatches',
      'is not "min-max"',
    ],
  ] as const)('refuses %s', ([, text, path, problem]) => {
    const problems = problemsOf(text);
    expect(problems.length, JSON.stringify(problems)).toBeGreaterThan(0);
    expect(problems.find((p) => p.path === path)?.problem ?? JSON.stringify(problems)).toContain(problem);
  });
});

describe('defaults, images and patch merging', () => {
  it("applies kind's defaults when fields are left out", () => {
    const model = parseKindConfig('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n');
    expect(model.nodes.map((n) => n.role)).toEqual(['control-plane']);
    expect(parseKindConfig(minimal('', '  []\n').replace('nodes:\n  []', 'nodes: []')).nodes).toHaveLength(1);
    expect([model.podSubnet, model.serviceSubnet, model.kubeProxyMode, model.strictARP]).toEqual([
      '10.244.0.0/16',
      '10.96.0.0/16',
      'iptables',
      null,
    ]);
    expect([model.podSubnetDefaulted, model.serviceSubnetDefaulted, model.kubeProxyModeDefaulted]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('accepts dual stack, nftables and none', () => {
    const dual = parseKindConfig(
      minimal(
        'networking:\n  ipFamily: dual\n  podSubnet: 10.10.0.0/16,fd00:10::/56\n  kubeProxyMode: nftables\n',
      ),
    );
    expect(dual.podSubnets.map((c) => c.family)).toEqual(['ipv4', 'ipv6']);
    expect(dual.serviceSubnet).toBe('10.96.0.0/16,fd00:10:96::/112');
    expect(parseKindConfig(minimal('networking:\n  kubeProxyMode: none\n')).kubeProxyMode).toBe('none');
  });

  it('lists the node images pinned on nodes', () => {
    const image =
      'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865';
    const model = parseKindConfig(
      minimal(
        '',
        `  - role: control-plane\n    image: ${image}\n  - role: worker\n    image: ${image}\n  - role: worker\n`,
      ),
    );
    expect(model.nodeImages).toEqual([image]);
    expect(model.nodes.map((n) => n.image)).toEqual([image, image, null]);
  });

  it('merges patches the way kind applies them: cluster level first, then the node; null deletes', () => {
    const text = `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
kubeadmConfigPatches:
  - |
    kind: KubeProxyConfiguration
    metricsBindAddress: 0.0.0.0:10249
    ipvs:
      strictARP: true
      scheduler: wrr
nodes:
  - role: control-plane
    kubeadmConfigPatches:
      - |
        kind: KubeProxyConfiguration
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        metricsBindAddress: null
        ipvs:
          strictARP: false
networking:
  kubeProxyMode: ipvs
`;
    const model = parseKindConfig(text);
    expect([model.strictARP, model.ipvsScheduler, model.metricsBindAddress]).toEqual([false, 'wrr', null]);
    expect(model.patchesByKind.KubeProxyConfiguration.map((p) => p.scope)).toEqual(['cluster', 0]);
    expect(referenceExpectations(model).ipvsScheduler).toBe('wrr');
  });

  it('takes the NodePort range from the ClusterConfiguration patch (v1beta3 map and v1beta4 list)', () => {
    const v1beta3 = mutate('runtime-config: api/all=true', 'service-node-port-range: 30000-40000').replace(
      'containerPort: 30004',
      'containerPort: 35000',
    );
    expect(parseKindConfig(v1beta3).nodePortRange).toEqual({ min: 30000, max: 40000 });
    const v1beta4 = mutate(
      '          extraArgs:\n            runtime-config: api/all=true',
      '          extraArgs:\n            - name: service-node-port-range\n              value: 80-32767',
    ).replace('containerPort: 30004', 'containerPort: 80');
    expect(parseKindConfig(v1beta4).nodePortRange).toEqual({ min: 80, max: 32767 });
  });

  it('allows the same host port on different listen addresses or protocols', () => {
    const text = mutate('hostPort: 30001', 'hostPort: 30000\n        protocol: UDP');
    expect(parseKindConfig(text).controlPlanePortMappings[1]?.protocol).toBe('UDP');
  });
});

describe('checkSuiteExpectations', () => {
  it('reports every way the iptables-week config misses the IPVS suite', () => {
    const model = parseKindConfig(fixture('kind-config.iptables-no-strictarp.yaml'));
    const findings = checkSuiteExpectations(model, IPVS_SUITE_EXPECTATIONS);
    expect(findings.map((f) => [f.check, f.subject, f.expected, f.observed])).toEqual([
      ['config-proxy-mode', 'networking.kubeProxyMode', 'ipvs', 'iptables (kind default)'],
      [
        'config-strict-arp',
        'KubeProxyConfiguration ipvs.strictARP',
        'true',
        'not set (kube-proxy default false)',
      ],
      ['config-worker-count', 'nodes', '3 worker node(s)', '2'],
      [
        'config-port-mapping',
        'hostPort 30002',
        'control-plane hostPort 30002 -> containerPort 30002',
        'not mapped',
      ],
      [
        'config-port-mapping',
        'hostPort 30003',
        'control-plane hostPort 30003 -> containerPort 30003',
        'not mapped',
      ],
      [
        'config-port-mapping',
        'hostPort 30004',
        'control-plane hostPort 30004 -> containerPort 30004',
        'not mapped',
      ],
    ]);
    expect(findings[1]?.message).toMatch(
      /^strictARP missing while the suite expects it: add a kubeadmConfigPatches/,
    );
  });

  it.for([
    [
      'strictARP false',
      mutate('strictARP: true', 'strictARP: false'),
      'config-strict-arp',
      'strictARP is false while',
    ],
    [
      'another pod subnet',
      mutate('podSubnet: 10.10.0.0/16', 'podSubnet: 10.20.0.0/16'),
      'config-pod-subnet',
      'podSubnet is 10.20.0.0/16',
    ],
    [
      'another service subnet',
      mutate('serviceSubnet: 10.200.1.0/24', 'serviceSubnet: 10.201.0.0/16'),
      'config-service-subnet',
      'serviceSubnet is 10.201.0.0/16',
    ],
    [
      'two control planes',
      mutate(
        '  - role: worker\n    labels:\n      mynode: worker1',
        '  - role: control-plane\n  - role: worker\n    labels:\n      mynode: worker1',
      ),
      'config-control-plane-count',
      '2 control-plane node(s)',
    ],
    [
      'a host port mapped to another NodePort',
      mutate('containerPort: 30002', 'containerPort: 30009'),
      'config-port-mapping',
      'host port 30002 is not mapped',
    ],
    [
      'another scheduler',
      mutate('strictARP: true', 'strictARP: true\n          scheduler: sh'),
      'config-ipvs-scheduler',
      'IPVS scheduler is sh',
    ],
  ] as const)('reports %s', ([, text, check, message]) => {
    const findings = checkSuiteExpectations(parseKindConfig(text), IPVS_SUITE_EXPECTATIONS);
    expect(findings.map((f) => f.check)).toEqual([check]);
    expect(findings[0]?.message).toContain(message);
  });

  it('checks feature gates only when asked', () => {
    const model = parseKindConfig(reference);
    expect(checkSuiteExpectations(model, { featureGates: { MultiCIDRServiceAllocator: true } })).toEqual([]);
    expect(
      checkSuiteExpectations(model, { featureGates: { KubeProxyIPVS: true } }).map((f) => [
        f.check,
        f.observed,
      ]),
    ).toEqual([['config-feature-gate', 'not set']]);
    expect(checkSuiteExpectations(model, {})).toEqual([]);
  });
});

it('keeps the many-problems fixture paths unique (one problem per defect)', () => {
  const all = paths(fixture('kind-config.many-problems.yaml'));
  expect(new Set(all).size).toBe(all.length);
});
