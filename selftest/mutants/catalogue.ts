/**
 * The mutant catalogue (DESIGN.md §2): each mutant is the model bundle with one defect injected and names the one
 * suite test that must fail on it. Mutants either change the model data and re-render (consistent across every
 * section) or post-edit rendered text (minimal). `apply` is pure: it never changes its input or the model.
 * `alsoFails` lists other tests a mutant unavoidably trips (documentation; the runner lists, not judges them).
 */
import type { ApiEvent } from '../../helpers/api/types.ts';
import type { Bundle } from '../../helpers/bundle/types.ts';
import { WORKLOAD } from '../../helpers/workload.ts';
import { CLUSTER_NAME, echoPodName, versionPair } from '../model/cluster.ts';
import { ipv4Hex, nthAddress, portHex, seededRandom } from '../model/net.ts';
import type { ModelCluster } from '../model/types.ts';
import {
  asMutant,
  cloneBundle,
  type DeepMutable,
  editProcVirtualServer,
  editSection,
  movePodIp,
  removeLine,
  removeProcVirtualServer,
  renderMutatedModel,
  replaceOnce,
  requireModelBundle,
} from './edit.ts';
import { SUITE_TESTS, type SuiteFile, type SuiteTest } from './suite-tests.ts';

/** One injected defect and the test that must catch it. */
export interface Mutant {
  /** kebab-case, unique. */
  readonly name: string;
  readonly description: string;
  readonly expectFailing: { readonly file: string; readonly test: string };
  /** Other suite tests this mutant unavoidably fails as well (`file > title`). */
  readonly alsoFails: readonly string[];
  /**
   * What the named test's failure message must say, so a mutant counts as caught only when the
   * test failed for the defect injected (not for an unrelated error in the same test). Pins the
   * finding's check id and its distinctive subject (node, member, rule, value), not whole sentences.
   */
  readonly expectMessage: RegExp;
  /** The model bundle with the defect; a fresh object, the input is left untouched. */
  apply(bundle: Bundle): Bundle;
}

const CP = `${CLUSTER_NAME}-control-plane`;
const W1 = `${CLUSTER_NAME}-worker`;
const W2 = `${CLUSTER_NAME}-worker2`;
const W3 = `${CLUSTER_NAME}-worker3`;
const NS = WORKLOAD.namespace;

// Addresses the post-edit mutants look for (the model's; an edit throws if the model changes under it).
const NODEPORT_CLUSTER_IP = '10.200.1.203';
const ECHO_PORT = WORKLOAD.echo.containerPort;
const NODE_PORT = WORKLOAD.nodePortService.nodePort;
const W3_IP = '172.18.0.2';
const W1_CIDR = '10.10.4.0/24';

function vsLine(proto: string, address: string, port: number, sched = 'rr'): string {
  return `${proto}  ${ipv4Hex(address)}:${portHex(port)} ${sched}`;
}
function rsLine(address: string, port: number, weight = 1): string {
  return `  -> ${ipv4Hex(address)}:${portHex(port)}      Masq    ${String(weight).padEnd(6)} ${'0'.padEnd(10)} ${'0'.padEnd(10)}`;
}

function t<F extends SuiteFile>(file: F, test: SuiteTest<F>): { file: F; test: string } {
  return { file, test };
}
function also<F extends SuiteFile>(file: F, test: SuiteTest<F>): string {
  return `${file} > ${test}`;
}

/** A mutant that post-edits a deep copy of the bundle. */
function edits(
  name: string,
  description: string,
  expectFailing: { file: string; test: string },
  expectMessage: RegExp,
  edit: (b: DeepMutable<Bundle>) => void,
  alsoFails: readonly string[] = [],
): Mutant {
  return {
    name,
    description,
    expectFailing,
    expectMessage,
    alsoFails,
    apply(bundle) {
      const b = cloneBundle(bundle);
      edit(b);
      return asMutant(b, name);
    },
  };
}

/** A mutant that changes the model data and re-renders every section from it. */
function model(
  name: string,
  description: string,
  expectFailing: { file: string; test: string },
  expectMessage: RegExp,
  mutate: (m: MutableModel) => void,
  alsoFails: readonly string[] = [],
): Mutant {
  return {
    name,
    description,
    expectFailing,
    expectMessage,
    alsoFails,
    apply(bundle) {
      requireModelBundle(bundle, name);
      return renderMutatedModel(name, mutate);
    },
  };
}

const STRICT_ALL = also(
  'suites/strict-arp.test.ts',
  'arp_ignore is 1 and arp_announce is 2 for all interfaces on every node',
);
const STRICT_EFFECTIVE = also(
  'suites/strict-arp.test.ts',
  'the effective arp_ignore and arp_announce of every interface are strict on every node',
);

type MutableModel = DeepMutable<ModelCluster>;

function nodeOf(m: MutableModel, name: string) {
  const n = m.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`mutant: model has no node ${name}`);
  return n;
}

/** Gives `node` a new podCIDR and renumbers its pod-network pods into it (host part kept, plus `offset`). */
function renumberNode(m: MutableModel, node: string, cidr: string, offset = 0): void {
  const n = nodeOf(m, node);
  const initial = m.states.find((s) => s.label === 'initial');
  if (!initial) throw new Error('mutant: model has no initial state');
  for (const p of initial.pods) {
    if (p.nodeName !== node || p.hostNetwork || p.ip === null) continue;
    const host = Number(p.ip.split('.')[3]);
    movePodIp(m, p.name, nthAddress(cidr, host + offset));
  }
  n.podCIDR = cidr;
}

function randomAnswers(seed: number, names: readonly string[], n: number): string[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => names[Math.floor(r() * names.length)] ?? '');
}

const DEPRECATION_MESSAGE =
  "The ipvs proxier is now deprecated and may be removed in a future release. Please use 'nftables' instead.";

/** Every mutant, in a stable order. */
export const MUTANTS: readonly Mutant[] = [
  // ---- preflight ----
  edits(
    'live-run-failed',
    'The live run recorded a failure in the traffic stage (the rest of the bundle is the model).',
    t('suites/00-preflight.test.ts', 'the live run completed every stage'),
    /\[live-run\][^\n]*failed at traffic[^\n]*exec timed out/,
    (b) => {
      b.failure = {
        stage: 'traffic',
        message: 'client pod client-ipvs-conformance-worker: exec timed out after 30000 ms',
      };
    },
  ),
  model(
    'iptables-fallback',
    'kube-proxy silently runs iptables mode (ConfigMap still says ipvs): /proxyMode iptables, /proc/net/ip_vs empty, ' +
      'no kube-ipvs0 and no ipsets, KUBE-SVC-*/KUBE-SEP-* chains, arp sysctls untouched, random spread.',
    t('suites/00-preflight.test.ts', 'kube-proxy reports proxyMode ipvs on every node'),
    /\[proxy-mode\][^\n]*control-plane: \/proxyMode: kube-proxy runs iptables[\s\S]*worker3: \/proxyMode: kube-proxy runs iptables/,
    (m) => {
      m.proxyMode = 'iptables';
    },
    ['nearly every IPVS, ipset, iptables, strictARP sysctl and round-robin test'],
  ),
  edits(
    'proxy-mode-iptables-one-node',
    "worker2's kube-proxy answers /proxyMode with iptables (everything else as in the model).",
    t('suites/00-preflight.test.ts', 'kube-proxy reports proxyMode ipvs on every node'),
    /\[proxy-mode\][^\n]*worker2: \/proxyMode: kube-proxy runs iptables/,
    (b) => editSection(b, { node: W2, section: 'proxy-mode' }, () => 'iptables'),
  ),
  edits(
    'server-version-mismatch',
    'The API server reports v1.30.4 although kindest/node:v1.31.0 was requested (api serverVersion and fingerprint).',
    t('suites/00-preflight.test.ts', 'the API server version equals the requested node image'),
    /\[server-version\][^\n]*runs v1\.30\.4, not the v1\.31\.0/,
    (b) => {
      for (const s of b.snapshots) s.api.serverVersion.gitVersion = 'v1.30.4';
      b.fingerprint.serverVersion = 'v1.30.4';
    },
  ),
  model(
    'node-missing',
    'worker3 never joined: 1 control-plane + 2 workers; its echo replica stays Pending (no node, no IP) and no client ' +
      'runs there; the scale-down removes the Pending replica.',
    t('suites/00-preflight.test.ts', 'the cluster has 1 control-plane and 3 workers, all Ready'),
    /\[node-count\][^\n]*2 worker node\(s\) instead of 3 \(missing ipvs-conformance-worker3\)/,
    (m) => {
      m.nodes = m.nodes.filter((n) => n.name !== W3);
      const pending = echoPodName(W3);
      for (const s of m.states) {
        s.pods = s.pods
          .filter((p) => p.nodeName !== W3 || p.name === pending)
          .map((p) =>
            p.name === pending
              ? { ...p, nodeName: null, ip: null, veth: null, phase: 'Pending', ready: false }
              : p,
          );
        s.draining = [];
      }
      const initial = m.states.find((s) => s.label === 'initial');
      const after = m.states.find((s) => s.label === 'after-scale-down');
      if (initial && after) after.pods = initial.pods.filter((p) => p.name !== pending);
    },
    [
      `${also('suites/layout.test.ts', 'node labels and zones are as configured')} (worker3's configured labels are missing)`,
    ],
  ),
  model(
    'node-not-ready',
    'worker2 reports Ready=False (its data plane is still programmed).',
    t('suites/00-preflight.test.ts', 'the cluster has 1 control-plane and 3 workers, all Ready'),
    /\[node-ready\] node ipvs-conformance-worker2 is not Ready/,
    (m) => {
      nodeOf(m, W2).ready = false;
    },
  ),
  model(
    'kube-ipvs0-up',
    "The control-plane's kube-ipvs0 was set up (flags UP,LOWER_UP, operstate UNKNOWN) - kube-proxy never does that.",
    t('suites/00-preflight.test.ts', 'every node has the kube-ipvs0 dummy interface, state DOWN'),
    /\[kube-ipvs0\.device\][^\n]*control-plane: kube-ipvs0: state UNKNOWN, not DOWN/,
    (m) => {
      nodeOf(m, CP).kubeIpvs0.up = true;
    },
  ),
  model(
    'ipvs-deprecated',
    'A v1.35 cluster (kind v0.31.0, kindest/node:v1.35.0 from kind/versions.json): kube-proxy logs the deprecation ' +
      'and records a Warning IPVSDeprecation event on every Node; metrics carry ip_family labels (v1.33+).',
    t(
      'suites/00-preflight.test.ts',
      'IPVS mode is neither deprecated nor gated off for this Kubernetes version',
    ),
    /\[ipvs-deprecated\][^\n]*v1\.35\.0[\s\S]*IPVSDeprecation events on/,
    (m) => {
      const pair = versionPair('v0.31.0');
      m.kindVersion = pair.kind;
      m.nodeImage = pair.image;
      m.serverVersion = 'v1.35.0';
      m.kubeProxyImage = 'registry.k8s.io/kube-proxy:v1.35.0';
      m.metricsIpFamilyLabel = true;
      for (const n of m.nodes) n.kubeletVersion = 'v1.35.0';
      // Reason from KEP-5495 / server_linux.go (reference §3); the event message is assumed equal to the log line.
      const events: ApiEvent[] = m.nodes.map((n) => ({
        namespace: 'default',
        type: 'Warning',
        reason: 'IPVSDeprecation',
        message: DEPRECATION_MESSAGE,
        involvedObject: { kind: 'Node', name: n.name, namespace: null },
      }));
      for (const s of m.states) s.events = [...events, ...s.events];
    },
  ),

  // ---- IPVS virtual servers ----
  edits(
    'missing-real-server',
    "worker3's IPVS table lacks one echo real server on the echo-nodeport ClusterIP virtual server " +
      '(a VS no traffic sample uses, so only the table check sees it).',
    t(
      'suites/ipvs-services.test.ts',
      'every ClusterIP port has a virtual server on every node with the ready endpoints as real servers',
    ),
    /\[ipvs\.cluster-ip\.real-servers\][^\n]*worker3: TCP 10\.200\.1\.203:80[^\n]*real server 10\.10\.1\.2:8080 is missing/,
    (b) =>
      editSection(b, { node: W3, section: 'proc-ip-vs', snapshot: 'initial' }, (text) =>
        editProcVirtualServer(text, vsLine('TCP', NODEPORT_CLUSTER_IP, 80), (rs) => rs.slice(1)),
      ),
  ),
  edits(
    'stale-real-server',
    "worker's echo-nodeport ClusterIP virtual server has an extra weight-1 real server 10.10.4.9:8080 that no " +
      'EndpointSlice lists.',
    t(
      'suites/ipvs-services.test.ts',
      'every ClusterIP port has a virtual server on every node with the ready endpoints as real servers',
    ),
    /\[ipvs\.cluster-ip\.real-servers\][^\n]*worker: TCP 10\.200\.1\.203:80[^\n]*stale real server 10\.10\.4\.9:8080/,
    (b) =>
      editSection(b, { node: W1, section: 'proc-ip-vs', snapshot: 'initial' }, (text) =>
        editProcVirtualServer(text, vsLine('TCP', NODEPORT_CLUSTER_IP, 80), (rs) => [
          ...rs,
          rsLine('10.10.4.9', ECHO_PORT),
        ]),
      ),
  ),
  edits(
    'clusterip-vs-missing',
    "worker2 has no virtual server for kube-dns's metrics port 10.200.1.10:9153.",
    t(
      'suites/ipvs-services.test.ts',
      'every ClusterIP port has a virtual server on every node with the ready endpoints as real servers',
    ),
    /\[ipvs\.cluster-ip\.virtual-server\][^\n]*worker2: TCP 10\.200\.1\.10:9153[^\n]*no virtual server/,
    (b) =>
      editSection(b, { node: W2, section: 'proc-ip-vs', snapshot: 'initial' }, (text) =>
        removeProcVirtualServer(text, vsLine('TCP', '10.200.1.10', 9153)),
      ),
  ),
  edits(
    'nodeport-vs-missing-on-gateway-address',
    "worker has no NodePort virtual server on its kindnet gateway address 10.10.4.1:30000 (eth0's is there).",
    t(
      'suites/ipvs-services.test.ts',
      'every NodePort has a virtual server on every node address with the ready endpoints as real servers',
    ),
    /\[ipvs\.node-port\.virtual-server\][^\n]*worker: TCP 10\.10\.4\.1:30000[^\n]*no virtual server/,
    (b) =>
      editSection(b, { node: W1, section: 'proc-ip-vs' }, (text) =>
        removeProcVirtualServer(text, vsLine('TCP', nthAddress(W1_CIDR, 1), NODE_PORT)),
      ),
  ),
  model(
    'scheduler-wlc',
    'kube-proxy is configured with ipvs.scheduler wlc: every virtual server on every node uses wlc.',
    t('suites/ipvs-services.test.ts', 'every virtual server uses the rr scheduler'),
    /\[ipvs\.scheduler\][^\n]*scheduler wlc, not rr[\s\S]*worker3:[^\n]*scheduler wlc, not rr/,
    (m) => {
      m.scheduler = 'wlc';
      m.configScheduler = 'wlc';
    },
  ),
  edits(
    'clusterip-not-on-kube-ipvs0',
    "worker2's kube-ipvs0 lacks echo-nodeport's ClusterIP 10.200.1.203 (and KUBE-IPVS-IPS with it); the VS is still there.",
    t('suites/ipvs-services.test.ts', 'every ClusterIP is bound to kube-ipvs0 on every node'),
    /\[kube-ipvs0\.addresses\][^\n]*worker2: kube-ipvs0: ClusterIP 10\.200\.1\.203[^\n]*not bound/,
    (b) => {
      editSection(b, { node: W2, section: 'ip-addr' }, (text) => {
        const links = JSON.parse(text) as { ifname: string; addr_info: { local: string }[] }[];
        for (const l of links) {
          if (l.ifname === 'kube-ipvs0')
            l.addr_info = l.addr_info.filter((a) => a.local !== NODEPORT_CLUSTER_IP);
        }
        return `${JSON.stringify(links)}\n`;
      });
      editSection(b, { node: W2, section: 'ipset-save' }, (text) =>
        removeLine(text, `add KUBE-IPVS-IPS ${NODEPORT_CLUSTER_IP}`),
      );
    },
  ),
  edits(
    'scale-down-not-reflected',
    "After the scale-down, worker's IPVS table is unchanged: the removed echo pod is still a weight-1 real server " +
      '(the after-scale-down proc-ip-vs is the initial one).',
    t(
      'suites/ipvs-services.test.ts',
      'a scale-down of the echo Deployment is reflected in every node IPVS table',
    ),
    /\[ipvs\.cluster-ip\.real-servers\][^\n]*worker: TCP[^\n]*stale real server 10\.10\.3\.2:8080/,
    (b) => {
      const initial = b.snapshots.find((s) => s.label === 'initial')?.nodes.find((n) => n.node === W1)
        ?.sections['proc-ip-vs'];
      if (initial?.status !== 'ok') throw new Error('mutant: no initial proc-ip-vs for worker');
      editSection(b, { node: W1, section: 'proc-ip-vs', snapshot: 'after-scale-down' }, () => initial.text);
    },
  ),

  // ---- round-robin ----
  edits(
    'spread-stuck',
    "A keep-alive bug: every ClusterIP request from worker's client reaches one backend.",
    t(
      'suites/round-robin.test.ts',
      'ClusterIP traffic from every node is round-robin over all echo backends',
    ),
    /\[spread-clusterip\][^\n]*client-ipvs-conformance-worker is stuck, not round-robin/,
    (b) => {
      const s = b.traffic.find((x) => x.kind === 'clusterip' && x.fromNode === W1);
      const first = s?.answers[0];
      if (!s || !first) throw new Error('mutant: no clusterip sample from worker');
      s.answers = s.answers.map(() => first);
    },
  ),
  edits(
    'spread-random',
    'ClusterIP answers on every node are a seeded random choice among the three backends (iptables-like spread).',
    t(
      'suites/round-robin.test.ts',
      'ClusterIP traffic from every node is round-robin over all echo backends',
    ),
    /\[spread-clusterip\][^\n]*is random, not round-robin[\s\S]*client-ipvs-conformance-worker3 is random/,
    (b) => {
      b.traffic.forEach((s, i) => {
        if (s.kind !== 'clusterip') return;
        const names = [...new Set(s.answers.filter((a): a is string => a !== null))].sort();
        s.answers = randomAnswers(0xc0ffee + i, names, s.answers.length);
      });
    },
  ),
  edits(
    'nodeport-host-spread-stuck',
    'Every host request to 127.0.0.1:30000 reaches the same backend.',
    t('suites/round-robin.test.ts', 'NodePort traffic from the host is round-robin over all echo backends'),
    /\[spread-nodeport-host\][^\n]*from host is stuck, not round-robin/,
    (b) => {
      const s = b.traffic.find((x) => x.kind === 'nodeport-host');
      const first = s?.answers[0];
      if (!s || !first) throw new Error('mutant: no nodeport-host sample');
      s.answers = s.answers.map(() => first);
    },
  ),
  edits(
    'nodeport-pod-unreachable',
    "worker3's NodePort 172.18.0.2:30000 times out from every client pod.",
    t('suites/round-robin.test.ts', 'the NodePort answers on every node address from pods on every node'),
    /\[nodeport-reachable\][^\n]*172\.18\.0\.2:30000 does not answer pods[\s\S]*connection timed out/,
    (b) => {
      const hit = b.traffic.filter((x) => x.kind === 'nodeport-pod' && x.target === `${W3_IP}:${NODE_PORT}`);
      if (hit.length === 0) throw new Error('mutant: no nodeport-pod samples to worker3');
      for (const s of hit) {
        s.answers = s.answers.map(() => null);
        s.errors = s.answers.map(() => `connect to ${W3_IP}:${NODE_PORT}: connection timed out`);
      }
    },
  ),

  // ---- NodePort iptables and ipset rules ----
  edits(
    'nodeport-jump-missing',
    "worker's nat KUBE-SERVICES lacks `-m addrtype --dst-type LOCAL -j KUBE-NODE-PORT`.",
    t(
      'suites/nodeport-iptables.test.ts',
      'KUBE-SERVICES sends local destinations to the nat KUBE-NODE-PORT chain on every node',
    ),
    /\[iptables\.services\][^\n]*worker: iptables nat KUBE-SERVICES: missing rule -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT/,
    (b) =>
      editSection(b, { node: W1, section: 'iptables-save' }, (text) =>
        removeLine(text, '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT'),
      ),
    [
      also(
        'suites/nodeport-iptables.test.ts',
        'KUBE-NODE-PORT marks NodePort traffic for masquerade with KUBE-MARK-MASQ (mark 0x4000)',
      ),
    ],
  ),
  edits(
    'nodeport-ipset-member-missing',
    "30000 is missing from worker3's KUBE-NODE-PORT-TCP (deleted behind kube-proxy's back; the rule is still there).",
    t('suites/nodeport-iptables.test.ts', 'every nodePort is a member of KUBE-NODE-PORT-TCP on every node'),
    /\[ipset\.node-port\][^\n]*worker3: ipset KUBE-NODE-PORT-TCP: missing member 30000/,
    (b) =>
      editSection(b, { node: W3, section: 'ipset-save' }, (text) =>
        removeLine(text, `add KUBE-NODE-PORT-TCP ${NODE_PORT}`),
      ),
  ),
  edits(
    'nodeport-masq-rule-missing',
    "The control-plane's nat KUBE-NODE-PORT lacks the KUBE-NODE-PORT-TCP -> KUBE-MARK-MASQ rule.",
    t(
      'suites/nodeport-iptables.test.ts',
      'KUBE-NODE-PORT marks NodePort traffic for masquerade with KUBE-MARK-MASQ (mark 0x4000)',
    ),
    /\[iptables\.node-port\][^\n]*control-plane: iptables nat KUBE-NODE-PORT: missing rule[^\n]*KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ/,
    (b) =>
      editSection(b, { node: CP, section: 'iptables-save' }, (text) =>
        removeLine(
          text,
          '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
        ),
      ),
  ),
  edits(
    'masq-mark-wrong',
    "worker2's KUBE-MARK-MASQ sets mark 0x8000 instead of 0x4000.",
    // NodePort traffic is marked by this chain; KUBE-POSTROUTING (which matches the mark) fails too.
    t(
      'suites/nodeport-iptables.test.ts',
      'KUBE-NODE-PORT marks NodePort traffic for masquerade with KUBE-MARK-MASQ (mark 0x4000)',
    ),
    /\[iptables\.masquerade\][^\n]*worker2: iptables nat KUBE-MARK-MASQ: missing rule -j MARK --set-xmark 0x4000\/0x4000[\s\S]*0x8000\/0x8000/,
    (b) =>
      editSection(b, { node: W2, section: 'iptables-save' }, (text) =>
        replaceOnce(
          text,
          '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
          '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x8000/0x8000',
        ),
      ),
    [
      also(
        'suites/nodeport-iptables.test.ts',
        'KUBE-POSTROUTING masquerades marked packets and KUBE-LOOP-BACK hairpin traffic',
      ),
    ],
  ),
  edits(
    'postrouting-masquerade-missing',
    "worker3's KUBE-POSTROUTING lacks the final `MASQUERADE --random-fully` for marked packets.",
    t(
      'suites/nodeport-iptables.test.ts',
      'KUBE-POSTROUTING masquerades marked packets and KUBE-LOOP-BACK hairpin traffic',
    ),
    /\[iptables\.masquerade\][^\n]*worker3: iptables nat KUBE-POSTROUTING: missing rule[^\n]*-j MASQUERADE --random-fully/,
    (b) =>
      editSection(b, { node: W3, section: 'iptables-save' }, (text) =>
        removeLine(
          text,
          '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
        ),
      ),
  ),
  edits(
    'loop-back-masquerade-missing',
    'The control-plane (which has local coredns endpoints) lacks the KUBE-LOOP-BACK hairpin MASQUERADE rule.',
    t(
      'suites/nodeport-iptables.test.ts',
      'KUBE-POSTROUTING masquerades marked packets and KUBE-LOOP-BACK hairpin traffic',
    ),
    /\[iptables\.masquerade\][^\n]*control-plane: iptables nat KUBE-POSTROUTING: missing rule[^\n]*KUBE-LOOP-BACK dst,dst,src -j MASQUERADE/,
    (b) =>
      editSection(b, { node: CP, section: 'iptables-save' }, (text) =>
        removeLine(
          text,
          '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE',
        ),
      ),
  ),
  edits(
    'loop-back-member-missing',
    "The control-plane's KUBE-LOOP-BACK lacks its local coredns endpoint 10.10.0.3,tcp:9153,10.10.0.3.",
    t('suites/nodeport-iptables.test.ts', 'KUBE-LOOP-BACK holds exactly the local endpoints on every node'),
    /\[ipset\.loop-back\][^\n]*control-plane: ipset KUBE-LOOP-BACK: missing member 10\.10\.0\.3,tcp:9153,10\.10\.0\.3/,
    (b) =>
      editSection(b, { node: CP, section: 'ipset-save' }, (text) =>
        removeLine(text, 'add KUBE-LOOP-BACK 10.10.0.3,tcp:9153,10.10.0.3'),
      ),
  ),
  edits(
    'loop-back-member-foreign',
    "worker's KUBE-LOOP-BACK also holds worker3's echo endpoint 10.10.1.2,tcp:8080,10.10.1.2 (not local).",
    t('suites/nodeport-iptables.test.ts', 'KUBE-LOOP-BACK holds exactly the local endpoints on every node'),
    /\[ipset\.loop-back\][^\n]*worker: ipset KUBE-LOOP-BACK: unexpected member 10\.10\.1\.2,tcp:8080,10\.10\.1\.2/,
    (b) =>
      editSection(b, { node: W1, section: 'ipset-save' }, (text) =>
        replaceOnce(
          text,
          'create KUBE-CLUSTER-IP ',
          `add KUBE-LOOP-BACK 10.10.1.2,tcp:${ECHO_PORT},10.10.1.2\ncreate KUBE-CLUSTER-IP `,
        ),
      ),
  ),
  edits(
    'cluster-ip-member-missing',
    "worker2's KUBE-CLUSTER-IP lacks 10.200.1.10,tcp:9153 (kube-dns metrics).",
    t('suites/nodeport-iptables.test.ts', 'KUBE-CLUSTER-IP holds every ClusterIP port on every node'),
    /\[ipset\.cluster-ip\][^\n]*worker2: ipset KUBE-CLUSTER-IP: missing member 10\.200\.1\.10,tcp:9153/,
    (b) =>
      editSection(b, { node: W2, section: 'ipset-save' }, (text) =>
        removeLine(text, 'add KUBE-CLUSTER-IP 10.200.1.10,tcp:9153'),
      ),
  ),
  edits(
    'iptables-chain-leftover',
    "worker3's nat table still declares iptables-mode chains KUBE-SVC-*/KUBE-SEP-* (left over from an iptables-mode run).",
    t('suites/nodeport-iptables.test.ts', 'no iptables-mode service chains exist on any node'),
    /\[iptables\.mode-chains\][^\n]*worker3: iptables nat: iptables-mode chains present: KUBE-SEP-IT2ZTR26TO4XFPTO, KUBE-SVC-ERIFXISQEP7F7OF4/,
    (b) =>
      editSection(b, { node: W3, section: 'iptables-save' }, (text) =>
        replaceOnce(
          text,
          ':KUBE-SERVICES - [0:0]\n',
          ':KUBE-SEP-IT2ZTR26TO4XFPTO - [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]\n',
        ),
      ),
  ),

  // ---- strictARP ----
  model(
    'strict-arp-off',
    'The kube-proxy ConfigMap has ipvs.strictARP false, so kube-proxy leaves arp_ignore/arp_announce at 0/0 on every node.',
    t('suites/strict-arp.test.ts', 'the kube-proxy ConfigMap sets ipvs.strictARP to true'),
    /\[strict-arp-config\][\s\S]*observed: ipvs\.strictARP: false/,
    (m) => {
      m.strictARP = false;
    },
    [STRICT_ALL, STRICT_EFFECTIVE],
  ),
  edits(
    'arp-ignore-one-node',
    "worker2's net.ipv4.conf.all.arp_ignore is 0; its default and per-interface arp_ignore are 1, so the effective " +
      'values stay strict and only the `all` check sees it.',
    t('suites/strict-arp.test.ts', 'arp_ignore is 1 and arp_announce is 2 for all interfaces on every node'),
    /\[sysctl\.arp\][^\n]*worker2: net\.ipv4\.conf\.all\.arp_ignore: is 0, not 1/,
    (b) =>
      editSection(b, { node: W2, section: 'sysctl' }, (text) =>
        text
          .split('\n')
          .map((l) => {
            if (l === 'net.ipv4.conf.all.arp_ignore = 1') return 'net.ipv4.conf.all.arp_ignore = 0';
            return /^net\.ipv4\.conf\.(?!all\.)[^.]+\.arp_ignore = 0$/.test(l) ? l.replace(/= 0$/, '= 1') : l;
          })
          .join('\n'),
      ),
  ),
  edits(
    'arp-ignore-iface-2',
    "worker3's eth0 has arp_ignore 2 (effective max(1, 2) = 2, not 1; kind warns 2 breaks kindnet's ptp routes).",
    t(
      'suites/strict-arp.test.ts',
      'the effective arp_ignore and arp_announce of every interface are strict on every node',
    ),
    /\[sysctl\.arp-effective\][^\n]*worker3: eth0 arp_ignore: effective arp_ignore is 2/,
    (b) =>
      editSection(b, { node: W3, section: 'sysctl' }, (text) =>
        replaceOnce(text, 'net.ipv4.conf.eth0.arp_ignore = 0\n', 'net.ipv4.conf.eth0.arp_ignore = 2\n'),
      ),
  ),

  edits(
    'ipvs-sysctl-expire-nodest-off',
    "worker's net.ipv4.vs.expire_nodest_conn is 0 (kube-proxy sets 1 so connections to removed real servers fail fast).",
    t('suites/strict-arp.test.ts', 'the IPVS sysctls kube-proxy sets are in place on every node'),
    /\[sysctl\.ipvs\][^\n]*worker: net\.ipv4\.vs\.expire_nodest_conn: is 0, not 1/,
    (b) =>
      editSection(b, { node: W1, section: 'sysctl' }, (text) =>
        replaceOnce(text, 'net.ipv4.vs.expire_nodest_conn = 1\n', 'net.ipv4.vs.expire_nodest_conn = 0\n'),
      ),
  ),

  // ---- subnet layout ----
  edits(
    'kubeadm-subnet-mismatch',
    "kubeadm-config's ClusterConfiguration says podSubnet 10.244.0.0/16 (kubeadm's usual default, not the kind config's).",
    t('suites/layout.test.ts', 'kubeadm-config has the configured podSubnet and serviceSubnet'),
    /\[kubeadm-pod-subnet\][^\n]*podSubnet is 10\.244\.0\.0\/16 while[^\n]*10\.10\.0\.0\/16/,
    (b) => {
      for (const s of b.snapshots) {
        const c = s.api.kubeadmClusterConfiguration;
        if (c === null) throw new Error('mutant: no kubeadm ClusterConfiguration');
        s.api.kubeadmClusterConfiguration = replaceOnce(
          c,
          'podSubnet: 10.10.0.0/16',
          'podSubnet: 10.244.0.0/16',
        );
      }
    },
  ),
  model(
    'podcidr-outside-subnet',
    "worker3's podCIDR is 10.11.1.0/24, outside podSubnet 10.10.0.0/16 (its pods and gateway renumbered consistently).",
    t('suites/layout.test.ts', 'every node podCIDR is a distinct /24 inside the pod subnet'),
    /\[podcidr-in-pod-subnet\][^\n]*worker3 podCIDR 10\.11\.1\.0\/24 lies outside the pod subnet/,
    (m) => renumberNode(m, W3, '10.11.1.0/24'),
  ),
  model(
    'podcidr-overlap',
    "worker3 got worker2's podCIDR 10.10.3.0/24 (its pods renumbered to .12/.13 so no pod IP collides).",
    t('suites/layout.test.ts', 'every node podCIDR is a distinct /24 inside the pod subnet'),
    /\[podcidr-disjoint\][^\n]*worker2 and ipvs-conformance-worker3 have overlapping podCIDRs 10\.10\.3\.0\/24/,
    (m) => renumberNode(m, W3, '10.10.3.0/24', 10),
  ),
  model(
    'pod-ip-outside-podcidr',
    "worker's echo pod has IP 10.10.9.2: inside the pod subnet but outside worker's podCIDR 10.10.4.0/24.",
    t('suites/layout.test.ts', 'every pod IP is inside its node podCIDR'),
    /\[pod-ip-in-node-podcidr\][^\n]*on node ipvs-conformance-worker has IP 10\.10\.9\.2 outside[^\n]*10\.10\.4\.0\/24/,
    (m) => movePodIp(m, echoPodName(W1), '10.10.9.2'),
  ),
  model(
    'clusterip-outside-subnet',
    'echo-clusterip got ClusterIP 10.96.0.50, outside serviceSubnet 10.200.1.0/24 (consistent in IPVS, kube-ipvs0, ' +
      'ipsets and traffic, so only the layout check sees it).',
    t(
      'suites/layout.test.ts',
      'every ClusterIP is inside the service subnet, kubernetes at .1 and kube-dns at .10',
    ),
    /\[clusterip-in-service-subnet\][^\n]*echo-clusterip ClusterIP 10\.96\.0\.50 lies outside/,
    (m) => {
      const svc = m.services.find((s) => s.namespace === NS && s.name === WORKLOAD.clusterIpService.name);
      if (!svc) throw new Error('mutant: no echo-clusterip service');
      const old = svc.clusterIP;
      svc.clusterIP = '10.96.0.50';
      for (const s of m.states) for (const d of s.draining) if (d.vip === old) d.vip = svc.clusterIP;
    },
  ),
  edits(
    'node-zone-wrong',
    'worker2 carries topology.kubernetes.io/zone ap-northeast-2a instead of the configured ap-northeast-2b.',
    t('suites/layout.test.ts', 'node labels and zones are as configured'),
    /\[node-label\][^\n]*topology\.kubernetes\.io\/zone[\s\S]*observed: topology\.kubernetes\.io\/zone=ap-northeast-2a/,
    (b) => {
      for (const s of b.snapshots) {
        const n = s.api.nodes.find((x) => x.name === W2);
        if (n?.labels['topology.kubernetes.io/zone'] !== 'ap-northeast-2b')
          throw new Error('mutant: worker2 zone not as modelled');
        n.labels['topology.kubernetes.io/zone'] = 'ap-northeast-2a';
      }
    },
  ),
  // Incomplete bundles: what a test needs is missing, so that test must fail naming it (never skip).
  edits(
    'snapshot-missing',
    "The bundle lacks the 'after-scale-down' snapshot (e.g. recorded by a run that stopped early).",
    t(
      'suites/ipvs-services.test.ts',
      'a scale-down of the echo Deployment is reflected in every node IPVS table',
    ),
    /BundleError: the bundle has no 'after-scale-down' snapshot/,
    (b) => {
      b.snapshots = b.snapshots.filter((s) => s.label !== 'after-scale-down');
    },
  ),
  edits(
    'section-absent',
    "worker3's /proc/net/ip_vs section is recorded absent (the node exec could not read it).",
    t(
      'suites/ipvs-services.test.ts',
      'every ClusterIP port has a virtual server on every node with the ready endpoints as real servers',
    ),
    /\[ipvs\][^\n]*worker3: proc-ip-vs absent/,
    (b) => {
      for (const s of b.snapshots) {
        const n = s.nodes.find((x) => x.node === W3);
        if (!n) throw new Error('mutant: no worker3 snapshot');
        n.sections['proc-ip-vs'] = {
          status: 'absent',
          command: n.sections['proc-ip-vs'].command,
          reason: 'exit 1: cat: /proc/net/ip_vs: No such file or directory',
        };
      }
    },
    [
      also(
        'suites/ipvs-services.test.ts',
        'every NodePort has a virtual server on every node address with the ready endpoints as real servers',
      ),
      also('suites/ipvs-services.test.ts', 'every virtual server uses the rr scheduler'),
      also(
        'suites/ipvs-services.test.ts',
        'a scale-down of the echo Deployment is reflected in every node IPVS table',
      ),
    ],
  ),
];

/** The mutant of that name, or undefined. */
export function getMutant(name: string): Mutant | undefined {
  return MUTANTS.find((m) => m.name === name);
}

/** Every (file, title) the mutants may name (re-exported for the runner and the catalogue test). */
export { SUITE_TESTS };
