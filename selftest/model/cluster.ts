/**
 * The conformant model cluster: the reference kind config (kind/cluster-ipvs.yaml) as a live run of
 * kind v0.24.0 / kindest/node:v1.31.0 would leave it after the suite deployed its workloads.
 *
 * Grounding (shared/reference/kube-proxy-ipvs.md and shared/captures):
 * - node InternalIPs follow capture 21 (control-plane is .4, worker .3, worker2 .5, worker3 .2), podCIDRs follow
 *   capture 19 (10.10.0.0/24 for the control-plane, then 10.10.4/3/1.0/24 for worker/worker2/worker3: not in name
 *   order), service IPs follow captures 16/17 (kubernetes .1, kube-dns .10).
 * - GUESSES (no capture): the echo/client ClusterIPs (10.200.1.97, 10.200.1.203), pod name suffixes, pod IP order
 *   inside each /24 (host-local IPAM hands out .2 upward), interface indices and MACs, Docker DNS ports,
 *   containerd version, kernel string (an ubuntu-24.04 GitHub runner kernel).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ApiEvent } from '../../helpers/api/types.ts';
import { clientPodName, WORKLOAD } from '../../helpers/workload.ts';
import { fnv1a, macFromSeed, nthAddress } from './net.ts';
import type { ModelCluster, ModelNode, ModelPod, ModelService, ModelState } from './types.ts';

/** Text of the reference kind config, read once (the model bundle's `requested.kindConfig`). */
export const KIND_CONFIG_TEXT: string = readFileSync(
  new URL('../../kind/cluster-ipvs.yaml', import.meta.url),
  'utf8',
);

const VERSIONS = JSON.parse(readFileSync(new URL('../../kind/versions.json', import.meta.url), 'utf8')) as {
  reference: string;
  pairs: { kind: string; image: string }[];
};

/** The kind/node-image pair of a kind release, from kind/versions.json. */
export function versionPair(kind: string): { kind: string; image: string } {
  const pair = VERSIONS.pairs.find((p) => p.kind === kind);
  if (!pair) throw new Error(`kind/versions.json has no pair for kind ${kind}`);
  return { kind: pair.kind, image: pair.image };
}

interface KindConfigNode {
  role: 'control-plane' | 'worker';
  labels?: Record<string, string>;
}
interface KindConfigShape {
  featureGates?: Record<string, boolean>;
  nodes: KindConfigNode[];
  networking: { podSubnet: string; serviceSubnet: string };
}

const KIND_CONFIG = parseYaml(KIND_CONFIG_TEXT) as KindConfigShape;

export const CLUSTER_NAME = 'ipvs-conformance';
export const MODEL_CREATED_AT = '2026-12-01T00:00:00Z';

/** Standard labels kubelet/kubeadm put on every kind node, plus the config's own. */
function nodeLabels(
  name: string,
  role: 'control-plane' | 'worker',
  own: Record<string, string>,
): Record<string, string> {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    ...own,
  };
  if (role === 'control-plane') {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  return labels;
}

/** Per-node facts that a kind run decides (addresses from capture 21, podCIDRs from capture 19). */
const NODE_FACTS = [
  { suffix: 'control-plane', ip: '172.18.0.4', cidr: '10.10.0.0/24', eth0: 11, rot: 2 },
  { suffix: 'worker', ip: '172.18.0.3', cidr: '10.10.4.0/24', eth0: 9, rot: 0 },
  { suffix: 'worker2', ip: '172.18.0.5', cidr: '10.10.3.0/24', eth0: 13, rot: 1 },
  { suffix: 'worker3', ip: '172.18.0.2', cidr: '10.10.1.0/24', eth0: 7, rot: 2 },
] as const;

function buildNodes(): ModelNode[] {
  if (KIND_CONFIG.nodes.length !== NODE_FACTS.length) {
    throw new Error(
      `kind/cluster-ipvs.yaml has ${KIND_CONFIG.nodes.length} nodes; the model knows ${NODE_FACTS.length}`,
    );
  }
  let workers = 0;
  return KIND_CONFIG.nodes.map((cfg, i) => {
    const facts = NODE_FACTS[i];
    if (!facts) throw new Error(`no model facts for node ${i}`);
    // kind names nodes <cluster>-control-plane, <cluster>-worker, <cluster>-worker2, ...
    const name =
      cfg.role === 'control-plane'
        ? `${CLUSTER_NAME}-control-plane`
        : `${CLUSTER_NAME}-worker${++workers === 1 ? '' : String(workers)}`;
    if (name !== `${CLUSTER_NAME}-${facts.suffix}`)
      throw new Error(`node order changed in kind config: ${name}`);
    const last = facts.ip.split('.')[3] ?? '0';
    return {
      name,
      role: cfg.role,
      internalIP: facts.ip,
      ipv6: `fc00:f853:ccd:e793::${last}`,
      podCIDR: facts.cidr,
      labels: nodeLabels(name, cfg.role, cfg.labels ?? {}),
      ready: true,
      kubeletVersion: 'v1.31.0',
      // Older Docker derives the MAC from the IPv4 address (02:42:ac:12:00:NN).
      eth0: {
        index: facts.eth0,
        peerIndex: facts.eth0 + 1,
        mac: `02:42:ac:12:00:${Number(last).toString(16).padStart(2, '0')}`,
      },
      kubeIpvs0: { index: 2, mac: macFromSeed(`${name}/kube-ipvs0`), up: false },
      dockerDns: {
        tcpPort: 32768 + (fnv1a(`${name}/tcp`) % 28000),
        udpPort: 32768 + (fnv1a(`${name}/udp`) % 28000),
      },
      ipvsHashSalt: fnv1a(`${name}/ipvs`) & 0xff,
      rrRotation: facts.rot,
    };
  });
}

function podNet(
  namespace: string,
  name: string,
  node: ModelNode,
  hostOctet: number,
  netnsId: number,
  labels: Record<string, string>,
): ModelPod {
  const h = fnv1a(`${namespace}/${name}`).toString(16).padStart(8, '0');
  return {
    namespace,
    name,
    nodeName: node.name,
    ip: nthAddress(node.podCIDR, hostOctet),
    hostNetwork: false,
    labels,
    phase: 'Running',
    ready: true,
    // The CNI ptp plugin names the host end "veth" + 8 hex digits.
    veth: { name: `veth${h}`, index: 2 + netnsId, netnsId, mac: macFromSeed(`${namespace}/${name}/veth`) },
  };
}

function podHost(namespace: string, name: string, node: ModelNode, labels: Record<string, string>): ModelPod {
  return {
    namespace,
    name,
    nodeName: node.name,
    ip: node.internalIP,
    hostNetwork: true,
    labels,
    phase: 'Running',
    ready: true,
    veth: null,
  };
}

const OWNER = { [WORKLOAD.ownerLabel.key]: WORKLOAD.ownerLabel.value };
/** pod-template-hash of the echo ReplicaSet (guess; any 10-character hash looks the same to the suite). */
export const ECHO_HASH = '7d9f8b6c5d';
const ECHO_SUFFIX: Readonly<Record<string, string>> = {
  [`${CLUSTER_NAME}-worker`]: 'x4k2m',
  [`${CLUSTER_NAME}-worker2`]: 'q8w7n',
  [`${CLUSTER_NAME}-worker3`]: 'z6v9p',
};
/** The worker whose echo pod the scale-down removes (the ReplicaSet picks one; any worker is valid). */
export const SCALED_DOWN_WORKER = `${CLUSTER_NAME}-worker2`;

/** Echo pod name on a worker. */
export function echoPodName(node: string): string {
  const suffix = ECHO_SUFFIX[node];
  if (!suffix) throw new Error(`no echo pod on ${node}`);
  return `${WORKLOAD.echo.deployment}-${ECHO_HASH}-${suffix}`;
}

function buildPods(nodes: readonly ModelNode[]): ModelPod[] {
  const cp = nodes.find((n) => n.role === 'control-plane');
  if (!cp) throw new Error('model has no control-plane node');
  const pods: ModelPod[] = [];
  const ks = 'kube-system';
  for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    pods.push(podHost(ks, `${c}-${cp.name}`, cp, { component: c, tier: 'control-plane' }));
  }
  pods.push(
    podNet(ks, 'coredns-6f6b679f8f-7c5xq', cp, 2, 1, {
      'k8s-app': 'kube-dns',
      'pod-template-hash': '6f6b679f8f',
    }),
  );
  pods.push(
    podNet(ks, 'coredns-6f6b679f8f-r9m4k', cp, 3, 2, {
      'k8s-app': 'kube-dns',
      'pod-template-hash': '6f6b679f8f',
    }),
  );
  pods.push(
    podNet('local-path-storage', 'local-path-provisioner-57c5987fd4-kq2rz', cp, 4, 3, {
      app: 'local-path-provisioner',
      'pod-template-hash': '57c5987fd4',
    }),
  );
  for (const n of nodes) {
    const h = fnv1a(n.name).toString(36).slice(0, 5).padEnd(5, 'x');
    pods.push(podHost(ks, `kindnet-${h}`, n, { app: 'kindnet', 'k8s-app': 'kindnet', tier: 'node' }));
    pods.push(podHost(ks, `kube-proxy-${h.split('').reverse().join('')}`, n, { 'k8s-app': 'kube-proxy' }));
  }
  const ns = WORKLOAD.namespace;
  for (const n of nodes) {
    if (n.role !== 'worker') continue;
    pods.push(
      podNet(ns, echoPodName(n.name), n, 2, 1, {
        ...WORKLOAD.echo.labels,
        'pod-template-hash': ECHO_HASH,
        ...OWNER,
      }),
    );
  }
  for (const n of nodes) {
    // Clients are created after the echo pods: on workers they get .3, on the control-plane the next free address.
    const octet = n.role === 'control-plane' ? 5 : 3;
    const netns = n.role === 'control-plane' ? 4 : 2;
    pods.push(podNet(ns, clientPodName(n.name), n, octet, netns, { app: 'client', ...OWNER }));
  }
  return pods;
}

function buildServices(): ModelService[] {
  const ns = WORKLOAD.namespace;
  return [
    {
      namespace: 'default',
      name: 'kubernetes',
      type: 'ClusterIP',
      clusterIP: '10.200.1.1',
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443, nodePort: null }],
      selector: null,
      sliceName: 'kubernetes',
    },
    {
      namespace: 'kube-system',
      name: 'kube-dns',
      type: 'ClusterIP',
      clusterIP: '10.200.1.10',
      ports: [
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53, nodePort: null },
        { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53, nodePort: null },
        { name: 'metrics', protocol: 'TCP', port: 9153, targetPort: 9153, nodePort: null },
      ],
      selector: { 'k8s-app': 'kube-dns' },
      sliceName: 'kube-dns-k7hbs',
    },
    {
      namespace: ns,
      name: WORKLOAD.clusterIpService.name,
      type: 'ClusterIP',
      clusterIP: '10.200.1.97',
      ports: [
        {
          name: 'http',
          protocol: 'TCP',
          port: WORKLOAD.clusterIpService.port,
          targetPort: WORKLOAD.echo.containerPort,
          nodePort: null,
        },
      ],
      selector: { ...WORKLOAD.echo.labels },
      sliceName: `${WORKLOAD.clusterIpService.name}-8qzvd`,
    },
    {
      namespace: ns,
      name: WORKLOAD.nodePortService.name,
      type: 'NodePort',
      clusterIP: '10.200.1.203',
      ports: [
        {
          name: 'http',
          protocol: 'TCP',
          port: WORKLOAD.nodePortService.port,
          targetPort: WORKLOAD.echo.containerPort,
          nodePort: WORKLOAD.nodePortService.nodePort,
        },
      ],
      selector: { ...WORKLOAD.echo.labels },
      sliceName: `${WORKLOAD.nodePortService.name}-m2x6c`,
    },
  ];
}

function scaleDownEvent(): ApiEvent {
  return {
    namespace: WORKLOAD.namespace,
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    message: `Scaled down replica set ${WORKLOAD.echo.deployment}-${ECHO_HASH} to ${WORKLOAD.echo.scaledReplicas} from ${WORKLOAD.echo.replicas}`,
    involvedObject: { kind: 'Deployment', name: WORKLOAD.echo.deployment, namespace: WORKLOAD.namespace },
  };
}

function buildStates(nodes: readonly ModelNode[], services: readonly ModelService[]): ModelState[] {
  const pods = buildPods(nodes);
  const gone = echoPodName(SCALED_DOWN_WORKER);
  const goneIp = pods.find((p) => p.name === gone)?.ip;
  const cp = nodes.find((n) => n.role === 'control-plane');
  const echoSvc = services.find((s) => s.name === WORKLOAD.clusterIpService.name);
  if (!goneIp || !cp || !echoSvc) throw new Error('model is missing the scale-down pieces');
  return [
    { label: 'initial', takenAt: '2026-12-01T00:04:10Z', pods, draining: [], events: [] },
    {
      label: 'after-scale-down',
      takenAt: '2026-12-01T00:05:40Z',
      pods: pods.filter((p) => p.name !== gone),
      // Graceful termination: the removed backend still had TIME_WAIT connections from this node's client, so
      // kube-proxy keeps it at weight 0 until they expire (reference §2.14). Modelled on one node only; the model
      // does not simulate connection counters elsewhere (they stay 0).
      draining: [
        {
          node: cp.name,
          protocol: 'TCP',
          vip: echoSvc.clusterIP,
          vport: WORKLOAD.clusterIpService.port,
          address: goneIp,
          port: WORKLOAD.echo.containerPort,
          inactConns: 20,
        },
      ],
      events: [scaleDownEvent()],
    },
  ];
}

/** Builds the conformant model cluster (a fresh object each call, so callers may change their copy). */
export function buildModelCluster(): ModelCluster {
  const ref = versionPair(VERSIONS.reference);
  const nodes = buildNodes();
  const services = buildServices();
  return {
    clusterName: CLUSTER_NAME,
    namespace: WORKLOAD.namespace,
    kindVersion: ref.kind,
    nodeImage: ref.image,
    kindConfig: KIND_CONFIG_TEXT,
    serverVersion: 'v1.31.0',
    kubeProxyImage: 'registry.k8s.io/kube-proxy:v1.31.0',
    kernel: '6.8.0-1021-azure',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    containerRuntimeVersion: 'containerd://1.7.18',
    podSubnet: KIND_CONFIG.networking.podSubnet,
    serviceSubnet: KIND_CONFIG.networking.serviceSubnet,
    featureGates: { ...(KIND_CONFIG.featureGates ?? {}) },
    proxyMode: 'ipvs',
    configMode: 'ipvs',
    configScheduler: '',
    scheduler: 'rr',
    strictARP: true,
    apiserver: { address: nodes[0]?.internalIP ?? '172.18.0.4', port: 6443 },
    nodes,
    services,
    states: buildStates(nodes, services),
    sysctlOverrides: {},
    metricsIpFamilyLabel: false,
    createdAt: MODEL_CREATED_AT,
  };
}
