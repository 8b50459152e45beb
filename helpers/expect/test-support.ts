/**
 * Test support for the expectation checks: a small hand-written cluster (API objects) and the
 * conformant state of its node kind-worker as typed literals, so each test mutates one thing and
 * sees the check fail on it. The literals follow the reference's DERIVED samples (section 2), not
 * the checks' own logic, so the checks are not graded against themselves.
 */
import type { ApiEndpointSlice, ApiObjects, ApiService } from '../api/types.ts';
import type { NodeState, NodeVirtualServer, SectionResult } from '../bundle/node-state.ts';
import type {
  IpInterface,
  IpSet,
  IptablesChain,
  IptablesRule,
  IptablesState,
  IpvsRealServer,
} from '../parse/types.ts';
import { tokenizeRule } from './iptables-rule.ts';

/** A usable section. */
export function ok<T>(value: T): SectionResult<T> {
  return { ok: true, value };
}

/** An unusable section. */
export function bad<T>(reason: string): SectionResult<T> {
  return { ok: false, reason };
}

/** The section's value; throws in tests when it is not there. */
export function sectionValue<T>(s: SectionResult<T>): T {
  if (!s.ok) throw new Error(`test support: section not ok: ${s.reason}`);
  return s.value;
}

function svc(
  p: Partial<ApiService> & Pick<ApiService, 'namespace' | 'name' | 'clusterIP' | 'ports'>,
): ApiService {
  return {
    type: 'ClusterIP',
    clusterIPs: p.clusterIP === null ? [] : [p.clusterIP],
    sessionAffinity: 'None',
    affinityTimeoutSeconds: null,
    externalTrafficPolicy: null,
    internalTrafficPolicy: 'Cluster',
    selector: null,
    ...p,
  };
}

function ep(address: string, nodeName: string | null, ready = true, serving = ready, terminating = false) {
  return { addresses: [address], ready, serving, terminating, nodeName, targetPod: null };
}

/** The echo endpoints: one pod per worker. */
export const ECHO_PODS = {
  'kind-worker': '10.10.1.2',
  'kind-worker2': '10.10.2.2',
  'kind-worker3': '10.10.3.2',
} as const;

const echoEndpoints = Object.entries(ECHO_PODS).map(([node, ip]) => ep(ip, node));

/** Services of the model cluster. */
export const SERVICES: readonly ApiService[] = [
  svc({
    namespace: 'default',
    name: 'kubernetes',
    clusterIP: '10.200.1.1',
    ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443, nodePort: null }],
  }),
  svc({
    namespace: 'kube-system',
    name: 'kube-dns',
    clusterIP: '10.200.1.10',
    ports: [
      { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53, nodePort: null },
      { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53, nodePort: null },
      { name: 'metrics', protocol: 'TCP', port: 9153, targetPort: 9153, nodePort: null },
    ],
  }),
  svc({
    namespace: 'ipvs-conformance',
    name: 'echo-clusterip',
    clusterIP: '10.200.1.100',
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: null }],
  }),
  svc({
    namespace: 'ipvs-conformance',
    name: 'echo-nodeport',
    type: 'NodePort',
    clusterIP: '10.200.1.101',
    externalTrafficPolicy: 'Cluster',
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30000 }],
  }),
];

/** EndpointSlices of the model cluster. */
export const SLICES: readonly ApiEndpointSlice[] = [
  {
    namespace: 'default',
    name: 'kubernetes',
    serviceName: 'kubernetes',
    addressType: 'IPv4',
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    endpoints: [ep('172.18.0.2', null)],
  },
  {
    namespace: 'kube-system',
    name: 'kube-dns-abcde',
    serviceName: 'kube-dns',
    addressType: 'IPv4',
    ports: [
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ],
    endpoints: [ep('10.10.0.2', 'kind-control-plane'), ep('10.10.0.3', 'kind-control-plane')],
  },
  {
    namespace: 'ipvs-conformance',
    name: 'echo-clusterip-xyz12',
    serviceName: 'echo-clusterip',
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: echoEndpoints,
  },
  {
    namespace: 'ipvs-conformance',
    name: 'echo-nodeport-qrs34',
    serviceName: 'echo-nodeport',
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: echoEndpoints,
  },
];

/** Services + slices as the checks take them. */
export const API: Pick<ApiObjects, 'services' | 'endpointSlices'> = {
  services: SERVICES,
  endpointSlices: SLICES,
};

/** Finds a model service by name. */
export function service(name: string): ApiService {
  const s = SERVICES.find((x) => x.name === name);
  if (s === undefined) throw new Error(`test support: no service ${name}`);
  return s;
}

/** Slices of a model service. */
export function slicesOf(name: string): ApiEndpointSlice[] {
  return SLICES.filter((s) => s.serviceName === name);
}

function rs(address: string, port: number, weight = 1): IpvsRealServer {
  return { address, port, forward: 'Masq' as const, weight, activeConns: 0, inactiveConns: 0 };
}

/** A virtual server literal. */
export function vs(
  protocol: 'TCP' | 'UDP' | 'SCTP',
  address: string,
  port: number,
  realServers: readonly IpvsRealServer[],
  extra: Partial<NodeVirtualServer> = {},
): NodeVirtualServer {
  return {
    protocol,
    address,
    port,
    scheduler: 'rr',
    flags: [],
    realServers,
    persistentJiffies: null,
    persistentNetmask: null,
    ...extra,
  };
}

/** A real server literal (Masq, no connections). */
export const realServer = rs;

const echoRs = [rs('10.10.1.2', 8080), rs('10.10.2.2', 8080), rs('10.10.3.2', 8080)];
const dnsRs = (port: number) => [rs('10.10.0.2', port), rs('10.10.0.3', port)];

/** kind-worker's /proc/net/ip_vs, already decoded (eth0 172.18.0.3, kindnet gateway 10.10.1.1). */
export const WORKER_VIRTUAL_SERVERS: readonly NodeVirtualServer[] = [
  vs('TCP', '10.200.1.1', 443, [rs('172.18.0.2', 6443)]),
  vs('UDP', '10.200.1.10', 53, dnsRs(53)),
  vs('TCP', '10.200.1.10', 53, dnsRs(53)),
  vs('TCP', '10.200.1.10', 9153, dnsRs(9153)),
  vs('TCP', '10.200.1.100', 80, echoRs),
  vs('TCP', '10.200.1.101', 80, echoRs),
  vs('TCP', '172.18.0.3', 30000, echoRs),
  vs('TCP', '10.10.1.1', 30000, echoRs),
];

function itf(name: string, type: string | null, state: string, addresses: string[]): IpInterface {
  return { name, index: null, type, state, flags: [], addresses };
}

/** kind-worker's `ip -j -d addr`. */
export const WORKER_INTERFACES: readonly IpInterface[] = [
  itf('lo', null, 'UNKNOWN', ['127.0.0.1/8', '::1/128']),
  itf('eth0', 'veth', 'UP', ['172.18.0.3/16', 'fc00:f853:ccd:e793::3/64', 'fe80::42:acff:fe12:3/64']),
  itf('kube-ipvs0', 'dummy', 'DOWN', [
    '10.200.1.1/32',
    '10.200.1.10/32',
    '10.200.1.100/32',
    '10.200.1.101/32',
  ]),
  itf('veth0a1b2c3d', 'veth', 'UP', ['10.10.1.1/32', 'fe80::1c:2dff:fe3e:4f5a/64']),
];

/** Builds an IptablesState from iptables-save text (only `*table`, `:CHAIN`, `-A` and COMMIT lines). */
export function iptablesState(text: string): IptablesState {
  const tables: Record<string, Record<string, { policy: string | null; rules: IptablesRule[] }>> = {};
  let table: Record<string, { policy: string | null; rules: IptablesRule[] }> | undefined;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith('*')) {
      table = {};
      tables[line.slice(1)] = table;
    } else if (table === undefined) {
      throw new Error(`test support: rule outside a table: ${line}`);
    } else if (line.startsWith(':')) {
      const [name = '', policy = '-'] = line.slice(1).split(' ');
      table[name] = { policy: policy === '-' ? null : policy, rules: [] };
    } else if (line.startsWith('-A ')) {
      const args = tokenizeRule(line);
      const chain = args[1] ?? '';
      const j = args.indexOf('-j');
      const c = args.indexOf('--comment');
      const rule: IptablesRule = {
        text: line,
        chain,
        target: j >= 0 ? (args[j + 1] ?? null) : null,
        jump: j >= 0 ? 'jump' : null,
        comment: c >= 0 ? (args[c + 1] ?? null) : null,
        counters: null,
        args,
      };
      const target = table[chain] ?? { policy: null, rules: [] };
      target.rules.push(rule);
      table[chain] = target;
    }
  }
  const out: Record<string, { chains: Record<string, IptablesChain> }> = {};
  for (const [name, chains] of Object.entries(tables)) {
    out[name] = {
      chains: Object.fromEntries(
        Object.entries(chains).map(([c, v]) => [c, { policy: v.policy, counters: null, rules: v.rules }]),
      ),
    };
  }
  return { tables: out };
}

/** kind-worker's iptables-save (after reference DERIVED-iptables-save-v4-kind-worker-ipvs-v1.31, without the ETP=Local service). */
export const WORKER_IPTABLES = `
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-IPVS-FILTER - [0:0]
:KUBE-IPVS-OUT-FILTER - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-NODE-PORT - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SOURCE-RANGES-FIREWALL - [0:0]
-A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER
-A INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A OUTPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-OUT-FILTER
-A OUTPUT -j KUBE-FIREWALL
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-IPVS-FILTER -m set --match-set KUBE-LOAD-BALANCER dst,dst -j RETURN
-A KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN
-A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP dst,dst -j RETURN
-A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst -j RETURN
-A KUBE-IPVS-FILTER -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j RETURN
-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT --reject-with icmp-port-unreachable
-A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT
-A KUBE-SOURCE-RANGES-FIREWALL -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER_OUTPUT - [0:0]
:DOCKER_POSTROUTING - [0:0]
:KIND-MASQ-AGENT - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-LOAD-BALANCER - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODE-PORT - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SERVICES - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A PREROUTING -d 172.18.0.1/32 -j DOCKER_OUTPUT
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -d 172.18.0.1/32 -j DOCKER_OUTPUT
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A POSTROUTING -d 172.18.0.1/32 -j DOCKER_POSTROUTING
-A POSTROUTING -m addrtype ! --dst-type LOCAL -m comment --comment "kind-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom KIND-MASQ-AGENT chain" -j KIND-MASQ-AGENT
-A DOCKER_OUTPUT -d 172.18.0.1/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 127.0.0.11:37619
-A KIND-MASQ-AGENT -d 10.10.0.0/16 -m comment --comment "kind-masq-agent: local traffic is not subject to MASQUERADE" -j RETURN
-A KIND-MASQ-AGENT -m comment --comment "kind-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)" -j MASQUERADE
-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ
-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN
-A KUBE-SERVICES ! -s 10.10.0.0/16 -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ
-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT
-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT
COMMIT
`;

/** kind-worker's ip6tables-save (reference DERIVED-ip6tables-save-kind-worker-ipvs-v1.31, nat and filter). */
export const WORKER_IP6TABLES = `
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-IPVS-FILTER - [0:0]
:KUBE-IPVS-OUT-FILTER - [0:0]
:KUBE-NODE-PORT - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SOURCE-RANGES-FIREWALL - [0:0]
-A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER
-A INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT
-A FORWARD -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A OUTPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-OUT-FILTER
-A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-6-HEALTH-CHECK-NODE-PORT dst -j ACCEPT
-A KUBE-SOURCE-RANGES-FIREWALL -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-LOAD-BALANCER - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODE-PORT - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SERVICES - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SERVICES -s ::1/128 -j RETURN
-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT
COMMIT
`;

function set(name: string, type: string, members: string[]): IpSet {
  return {
    name,
    type,
    header: {},
    revision: null,
    sizeInMemory: null,
    references: null,
    declaredEntries: null,
    members,
  };
}

/** kind-worker's `ipset save` (IPv4 sets, plus some KUBE-6-* that must never matter). */
export const WORKER_IPSETS: readonly IpSet[] = [
  set('KUBE-LOOP-BACK', 'hash:ip,port,ip', ['10.10.1.2,tcp:8080,10.10.1.2']),
  set('KUBE-CLUSTER-IP', 'hash:ip,port', [
    '10.200.1.10,tcp:53',
    '10.200.1.1,tcp:443',
    '10.200.1.10,udp:53',
    '10.200.1.100,tcp:80',
    '10.200.1.10,tcp:9153',
    '10.200.1.101,tcp:80',
  ]),
  set('KUBE-EXTERNAL-IP', 'hash:ip,port', []),
  set('KUBE-EXTERNAL-IP-LOCAL', 'hash:ip,port', []),
  set('KUBE-LOAD-BALANCER', 'hash:ip,port', []),
  set('KUBE-LOAD-BALANCER-LOCAL', 'hash:ip,port', []),
  set('KUBE-NODE-PORT-TCP', 'bitmap:port', ['30000']),
  set('KUBE-NODE-PORT-LOCAL-TCP', 'bitmap:port', []),
  set('KUBE-NODE-PORT-UDP', 'bitmap:port', []),
  set('KUBE-NODE-PORT-LOCAL-UDP', 'bitmap:port', []),
  set('KUBE-NODE-PORT-SCTP-HASH', 'hash:ip,port', []),
  set('KUBE-NODE-PORT-LOCAL-SCTP-HASH', 'hash:ip,port', []),
  set('KUBE-HEALTH-CHECK-NODE-PORT', 'bitmap:port', []),
  set('KUBE-IPVS-IPS', 'hash:ip', ['10.200.1.10', '10.200.1.1', '10.200.1.101', '10.200.1.100']),
  set('KUBE-6-LOOP-BACK', 'hash:ip,port,ip', ['fd00::9,tcp:1,fd00::9']),
  set('KUBE-6-NODE-PORT-LOCAL-SCTP-HAS', 'hash:ip,port', []),
];

/** kind-worker's sysctls after kube-proxy started with strictARP. */
export const WORKER_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.conf.all.arp_ignore': '1',
  'net.ipv4.conf.all.arp_announce': '2',
  'net.ipv4.conf.default.arp_ignore': '0',
  'net.ipv4.conf.default.arp_announce': '0',
  'net.ipv4.conf.lo.arp_ignore': '0',
  'net.ipv4.conf.lo.arp_announce': '0',
  'net.ipv4.conf.eth0.arp_ignore': '0',
  'net.ipv4.conf.eth0.arp_announce': '0',
  'net.ipv4.conf.kube-ipvs0.arp_ignore': '0',
  'net.ipv4.conf.kube-ipvs0.arp_announce': '0',
  'net.ipv4.conf.veth0a1b2c3d.arp_ignore': '0',
  'net.ipv4.conf.veth0a1b2c3d.arp_announce': '0',
  'net.ipv4.vs.conntrack': '1',
  'net.ipv4.vs.conn_reuse_mode': '1',
  'net.ipv4.vs.expire_nodest_conn': '1',
  'net.ipv4.vs.expire_quiescent_template': '1',
  'net.ipv4.ip_forward': '1',
};

/** The conformant state of kind-worker; `over` replaces whole sections. */
export function workerState(over: Partial<NodeState> = {}): NodeState {
  return {
    name: 'kind-worker',
    ipvs: ok({ virtualServers: WORKER_VIRTUAL_SERVERS }),
    iptables: ok(iptablesState(WORKER_IPTABLES)),
    ip6tables: ok(iptablesState(WORKER_IP6TABLES)),
    ipsets: ok({ sets: WORKER_IPSETS }),
    interfaces: ok({ interfaces: WORKER_INTERFACES }),
    sysctls: ok({ values: WORKER_SYSCTLS }),
    proxyMode: ok('ipvs'),
    metrics: ok(''),
    kernel: ok('6.8.0-1017-azure'),
    ...over,
  };
}

/** kind-worker with its IPVS table replaced. */
export function withVirtualServers(vss: readonly NodeVirtualServer[]): NodeState {
  return workerState({ ipvs: ok({ virtualServers: vss }) });
}

/** kind-worker with one virtual server changed (by `PROTO addr:port`). */
export function withVirtualServer(
  key: string,
  change: (v: NodeVirtualServer) => NodeVirtualServer | null,
): NodeState {
  const out: NodeVirtualServer[] = [];
  let hit = false;
  for (const v of WORKER_VIRTUAL_SERVERS) {
    if (`${v.protocol} ${v.address}:${v.port}` !== key) {
      out.push(v);
      continue;
    }
    hit = true;
    const c = change(v);
    if (c !== null) out.push(c);
  }
  if (!hit) throw new Error(`test support: no virtual server ${key}`);
  return withVirtualServers(out);
}

/** kind-worker with its iptables-save text edited (line-wise replace / delete / append). */
export function withIptables(edit: (text: string) => string, family: 4 | 6 = 4): NodeState {
  const text = edit(family === 4 ? WORKER_IPTABLES : WORKER_IP6TABLES);
  return workerState(
    family === 4 ? { iptables: ok(iptablesState(text)) } : { ip6tables: ok(iptablesState(text)) },
  );
}

/** Drops every line containing `needle` (fails loudly if none does, so a test cannot silently test nothing). */
export function dropLine(needle: string): (text: string) => string {
  return (text) => {
    const lines = text.split('\n');
    const kept = lines.filter((l) => !l.includes(needle));
    if (kept.length === lines.length) throw new Error(`test support: no line contains ${needle}`);
    return kept.join('\n');
  };
}

/** Inserts `line` after the first line containing `needle`. */
export function addLineAfter(needle: string, line: string): (text: string) => string {
  return (text) => {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes(needle));
    if (at < 0) throw new Error(`test support: no line contains ${needle}`);
    lines.splice(at + 1, 0, line);
    return lines.join('\n');
  };
}

/** kind-worker with one ipset's members replaced. */
export function withSet(name: string, members: string[]): NodeState {
  let hit = false;
  const sets = WORKER_IPSETS.map((s) => {
    if (s.name !== name) return s;
    hit = true;
    return { ...s, members };
  });
  if (!hit) throw new Error(`test support: no set ${name}`);
  return workerState({ ipsets: ok({ sets }) });
}

/** kind-worker with sysctl keys changed (`undefined` deletes a key). */
export function withSysctls(change: Readonly<Record<string, string | undefined>>): NodeState {
  const values: Record<string, string> = { ...WORKER_SYSCTLS };
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) delete values[k];
    else values[k] = v;
  }
  return workerState({ sysctls: ok({ values }) });
}

/** kind-worker with one interface changed or removed (null). */
export function withInterface(name: string, change: (i: IpInterface) => IpInterface | null): NodeState {
  const out: IpInterface[] = [];
  for (const i of WORKER_INTERFACES) {
    if (i.name !== name) out.push(i);
    else {
      const c = change(i);
      if (c !== null) out.push(c);
    }
  }
  return workerState({ interfaces: ok({ interfaces: out }) });
}
