import type { ApiObjects } from '../api/types.ts';
import type { NodeState } from '../bundle/node-state.ts';
import type { IptablesRule, IptablesState } from '../parse/types.ts';
import { type Finding, finding, formatSet, need, nodeSubject } from './findings.ts';
import { findRule, type RuleSpec, ruleSpec } from './iptables-rule.ts';
import { type Family, familyOf, isProxied, loopBackMembers, nodePorts, serviceIPs } from './service-model.ts';

/** Options of the iptables checks. */
export interface IptablesOptions {
  /** 4 judges iptables-save, 6 ip6tables-save (with KUBE-6-* set names). Default 4. */
  readonly family?: Family;
  /** kube-proxy's clusterCIDR (detectLocalMode ClusterCIDR); kind sets the pod subnet. Default: any form. */
  readonly clusterCIDR?: string;
  /** masqueradeAll in the KubeProxyConfiguration. Default false. */
  readonly masqueradeAll?: boolean;
  /** Whether `MASQUERADE --random-fully` is expected (iptables >= 1.6.2). Default true. */
  readonly randomFully?: boolean;
}

/** The ipset name kube-proxy uses for a base name in a family (IPv6: `KUBE-6-`, cut to 31 characters). */
export function setName(base: string, family: Family = 4): string {
  return family === 4 ? base : base.replace(/^KUBE-/, 'KUBE-6-').slice(0, 31);
}

/** Chains kube-proxy's IPVS proxier declares (reference 2.2). */
export const IPVS_CHAINS: Readonly<Record<'nat' | 'filter', readonly string[]>> = {
  nat: ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'],
  filter: [
    'KUBE-FORWARD',
    'KUBE-NODE-PORT',
    'KUBE-PROXY-FIREWALL',
    'KUBE-SOURCE-RANGES-FIREWALL',
    'KUBE-IPVS-FILTER',
    'KUBE-IPVS-OUT-FILTER',
  ],
};

/** One jump from a built-in chain (reference 2.3). */
export interface JumpRule {
  readonly table: 'nat' | 'filter';
  readonly from: string;
  readonly to: string;
  readonly comment: string;
}

/** The jumps, listed per built-in chain in the order they must appear (every one is prepended). */
export const IPVS_JUMPS: readonly JumpRule[] = [
  { table: 'nat', from: 'PREROUTING', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'OUTPUT', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'POSTROUTING', to: 'KUBE-POSTROUTING', comment: 'kubernetes postrouting rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-IPVS-FILTER', comment: 'kubernetes ipvs access filter' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-NODE-PORT', comment: 'kubernetes health check rules' },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-FORWARD', comment: 'kubernetes forwarding rules' },
  { table: 'filter', from: 'OUTPUT', to: 'KUBE-IPVS-OUT-FILTER', comment: 'kubernetes ipvs access filter' },
];

/** Chain names (or prefixes ending in `-`) that only iptables mode (or an older kube-proxy) creates. */
export const IPTABLES_MODE_CHAINS: readonly string[] = [
  'KUBE-SVC-',
  'KUBE-SVL-',
  'KUBE-SEP-',
  'KUBE-EXT-',
  'KUBE-FW-',
  'KUBE-XLB-',
  'KUBE-NODEPORTS',
  'KUBE-PROXY-CANARY',
  'KUBE-MARK-DROP',
];

function tableOf(family: Family): 'iptables' | 'ip6tables' {
  return family === 4 ? 'iptables' : 'ip6tables';
}

function label(family: Family): string {
  return family === 4 ? 'iptables' : 'ip6tables';
}

function rulesOf(state: IptablesState, table: string, chain: string): readonly IptablesRule[] | null {
  return state.tables[table]?.chains[chain]?.rules ?? null;
}

interface OrderedCheck {
  readonly check: string;
  readonly node: NodeState;
  readonly family: Family;
  readonly table: string;
  readonly chain: string;
  /** Each must be present, in this relative order. */
  readonly specs: readonly RuleSpec[];
  /** Rules that must NOT be in the chain (e.g. a set rule whose set must be empty). */
  readonly absent?: readonly RuleSpec[];
  /** The chain holds exactly `specs` (kube-proxy flushes and rewrites it each sync). */
  readonly exact?: boolean;
}

function chainSubject(c: { node: NodeState; family: Family; table: string; chain: string }): string {
  return nodeSubject(c.node, `${label(c.family)} ${c.table} ${c.chain}`);
}

/** Presence and relative order of rules in one chain; other rules around them are allowed unless `exact`. */
function judgeChain(state: IptablesState, c: OrderedCheck): Finding[] {
  const subject = chainSubject(c);
  const rules = rulesOf(state, c.table, c.chain);
  const wanted = c.specs.map((s) => s.text);
  if (rules === null) {
    return [
      finding(c.check, subject, 'chain does not exist', `chain with ${wanted.join(' | ')}`, 'no such chain'),
    ];
  }
  const observed = rules.length === 0 ? '(empty chain)' : rules.map((r) => r.text).join(' | ');
  const out: Finding[] = [];
  const at = c.specs.map((s) => findRule(rules, s));
  c.specs.forEach((s, i) => {
    if (at[i] === -1) out.push(finding(c.check, subject, `missing rule ${s.text}`, s.text, observed));
  });
  const present = at.filter((i) => i >= 0);
  if (present.some((v, i) => i > 0 && v < (present[i - 1] ?? -1))) {
    out.push(finding(c.check, subject, 'rules out of order', wanted.join(' | '), observed));
  }
  for (const s of c.absent ?? []) {
    if (findRule(rules, s) >= 0)
      out.push(finding(c.check, subject, `unexpected rule ${s.text}`, `no rule ${s.text}`, observed));
  }
  if (c.exact === true) {
    const matched = new Set(at);
    rules.forEach((r, i) => {
      if (!matched.has(i))
        out.push(finding(c.check, subject, `unexpected rule ${r.text}`, wanted.join(' | '), observed));
    });
  }
  return out;
}

function state(
  node: NodeState,
  family: Family,
  check: string,
): { ok: true; value: IptablesState } | { ok: false; finding: Finding } {
  return need(node, tableOf(family), check);
}

/** The IPVS proxier's chains exist in nat and filter, and the built-in chains jump to them with kube-proxy's comments, in order. */
export function checkKubeChains(node: NodeState, opts: IptablesOptions = {}): Finding[] {
  const family = opts.family ?? 4;
  const s = state(node, family, 'iptables.chains');
  if (!s.ok) return [s.finding];
  const out: Finding[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const have = Object.keys(s.value.tables[table]?.chains ?? {});
    for (const chain of IPVS_CHAINS[table]) {
      if (!have.includes(chain)) {
        out.push(
          finding(
            'iptables.chains',
            nodeSubject(node, `${label(family)} ${table}`),
            `chain ${chain} does not exist`,
            `chain ${chain}`,
            `chains ${formatSet(have)}`,
          ),
        );
      }
    }
  }
  const groups = new Map<string, JumpRule[]>();
  for (const j of IPVS_JUMPS)
    groups.set(`${j.table} ${j.from}`, [...(groups.get(`${j.table} ${j.from}`) ?? []), j]);
  for (const jumps of groups.values()) {
    const first = jumps[0];
    if (first === undefined) continue;
    out.push(
      ...judgeChain(s.value, {
        check: 'iptables.jumps',
        node,
        family,
        table: first.table,
        chain: first.from,
        specs: jumps.map((j) => ruleSpec(`-m comment --comment "${j.comment}" -j ${j.to}`)),
      }),
    );
  }
  return out;
}

function hasNodePort(
  api: Pick<ApiObjects, 'services'>,
  family: Family,
  proto: string,
  local: boolean | null,
): boolean {
  return nodePorts(api.services, family).some(
    (n) =>
      n.port.protocol === proto && (local === null || (n.svc.externalTrafficPolicy === 'Local') === local),
  );
}

const NODE_PORT_SET_RULES: readonly {
  proto: 'TCP' | 'UDP' | 'SCTP';
  local: boolean;
  set: string;
  flags: string;
  to: string;
  comment: string;
}[] = [
  {
    proto: 'TCP',
    local: true,
    set: 'KUBE-NODE-PORT-LOCAL-TCP',
    flags: 'dst',
    to: 'RETURN',
    comment: 'Kubernetes nodeport TCP port with externalTrafficPolicy=local',
  },
  {
    proto: 'TCP',
    local: false,
    set: 'KUBE-NODE-PORT-TCP',
    flags: 'dst',
    to: 'KUBE-MARK-MASQ',
    comment: 'Kubernetes nodeport TCP port for masquerade purpose',
  },
  {
    proto: 'UDP',
    local: true,
    set: 'KUBE-NODE-PORT-LOCAL-UDP',
    flags: 'dst',
    to: 'RETURN',
    comment: 'Kubernetes nodeport UDP port with externalTrafficPolicy=local',
  },
  {
    proto: 'UDP',
    local: false,
    set: 'KUBE-NODE-PORT-UDP',
    flags: 'dst',
    to: 'KUBE-MARK-MASQ',
    comment: 'Kubernetes nodeport UDP port for masquerade purpose',
  },
  {
    proto: 'SCTP',
    local: true,
    set: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH',
    flags: 'dst,dst',
    to: 'RETURN',
    comment: "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'",
  },
  {
    proto: 'SCTP',
    local: false,
    set: 'KUBE-NODE-PORT-SCTP-HASH',
    flags: 'dst,dst',
    to: 'KUBE-MARK-MASQ',
    comment: "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'",
  },
];

/**
 * NodePort plumbing: KUBE-SERVICES sends LOCAL destinations to nat KUBE-NODE-PORT; that chain has
 * the set rules of reference 2.5 exactly for the protocols that have a NodePort (the ETP=Local
 * RETURN first); filter KUBE-NODE-PORT accepts health-check node ports.
 */
export function checkNodePortRules(
  node: NodeState,
  api: Pick<ApiObjects, 'services'>,
  opts: IptablesOptions = {},
): Finding[] {
  const family = opts.family ?? 4;
  const s = state(node, family, 'iptables.node-port');
  if (!s.ok) return [s.finding];
  const present: RuleSpec[] = [];
  const absent: RuleSpec[] = [];
  for (const r of NODE_PORT_SET_RULES) {
    // The all-ports set holds every nodePort (Local ones too); the LOCAL set only ETP=Local ones.
    const wanted = hasNodePort(api, family, r.proto, r.local ? true : null);
    const spec = ruleSpec(
      `-p ${r.proto.toLowerCase()} -m comment --comment "${r.comment.replaceAll("'", "\\'")}" -m set --match-set ${setName(r.set, family)} ${r.flags} -j ${r.to}`,
    );
    (wanted ? present : absent).push(spec);
  }
  return [
    ...judgeChain(s.value, {
      check: 'iptables.node-port',
      node,
      family,
      table: 'nat',
      chain: 'KUBE-SERVICES',
      specs: [ruleSpec('-m addrtype --dst-type LOCAL -j KUBE-NODE-PORT')],
    }),
    ...judgeChain(s.value, {
      check: 'iptables.node-port',
      node,
      family,
      table: 'nat',
      chain: 'KUBE-NODE-PORT',
      specs: present,
      absent,
    }),
    ...judgeChain(s.value, {
      check: 'iptables.node-port',
      node,
      family,
      table: 'filter',
      chain: 'KUBE-NODE-PORT',
      specs: [
        ruleSpec(
          `-m comment --comment "Kubernetes health check node port" -m set --match-set ${setName('KUBE-HEALTH-CHECK-NODE-PORT', family)} dst -j ACCEPT`,
        ),
      ],
    }),
  ];
}

/** Whether this node has an endpoint of a proxied Service (so KUBE-LOOP-BACK is non-empty). */
export function hasLocalEndpoints(
  node: NodeState,
  api: Pick<ApiObjects, 'services' | 'endpointSlices'>,
  family: Family = 4,
): boolean {
  return loopBackMembers(api.services, api.endpointSlices, family, node.name).size > 0;
}

/**
 * KUBE-MARK-MASQ is exactly `-j MARK --set-xmark 0x4000/0x4000`: the masquerade bit 14 (kube-proxy
 * writes `--or-mark 0x004000`, iptables-save prints the canonical xmark form). NodePort traffic
 * relies on it, and KUBE-POSTROUTING only masquerades packets carrying this very mark.
 */
export function checkMarkMasqChain(node: NodeState, opts: IptablesOptions = {}): Finding[] {
  const family = opts.family ?? 4;
  const s = state(node, family, 'iptables.masquerade');
  if (!s.ok) return [s.finding];
  return judgeChain(s.value, {
    check: 'iptables.masquerade',
    node,
    family,
    table: 'nat',
    chain: 'KUBE-MARK-MASQ',
    specs: [ruleSpec('-j MARK --set-xmark 0x4000/0x4000')],
    exact: true,
  });
}

/**
 * Masquerade plumbing: KUBE-MARK-MASQ is exactly `MARK --set-xmark 0x4000/0x4000`; KUBE-POSTROUTING is
 * exactly [KUBE-LOOP-BACK MASQUERADE when the node has local endpoints], RETURN unmarked, clear the
 * mark, MASQUERADE --random-fully.
 */
export function checkMasqueradeRules(
  node: NodeState,
  api: Pick<ApiObjects, 'services' | 'endpointSlices'>,
  opts: IptablesOptions = {},
): Finding[] {
  const family = opts.family ?? 4;
  const s = state(node, family, 'iptables.masquerade');
  if (!s.ok) return [s.finding];
  const loopBack = ruleSpec(
    `-m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set ${setName('KUBE-LOOP-BACK', family)} dst,dst,src -j MASQUERADE`,
  );
  const local = hasLocalEndpoints(node, api, family);
  const post = [
    ruleSpec('-m mark ! --mark 0x4000/0x4000 -j RETURN'),
    ruleSpec('-j MARK --set-xmark 0x4000/0x0'),
    ruleSpec(
      `-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${opts.randomFully === false ? '' : ' --random-fully'}`,
    ),
  ];
  return [
    ...checkMarkMasqChain(node, opts),
    ...judgeChain(s.value, {
      check: 'iptables.masquerade',
      node,
      family,
      table: 'nat',
      chain: 'KUBE-POSTROUTING',
      specs: local ? [loopBack, ...post] : post,
      absent: local ? [] : [loopBack],
      exact: true,
    }),
  ];
}

/**
 * KUBE-SERVICES in kube-proxy's write order (reference 2.6): localhost RETURN first, the ClusterIP
 * masquerade rule, the NodePort jump, ACCEPT of ClusterIP traffic (the last two set rules only when
 * a Service of the family exists). The masquerade rule is `! -s <clusterCIDR>` (local detector)
 * unless masqueradeAll; without opts.clusterCIDR the CIDR is read from the rule, only its shape judged.
 */
export function checkServicesChain(
  node: NodeState,
  api: Pick<ApiObjects, 'services'>,
  opts: IptablesOptions = {},
): Finding[] {
  const family = opts.family ?? 4;
  const s = state(node, family, 'iptables.services');
  if (!s.ok) return [s.finding];
  const clusterIp = setName('KUBE-CLUSTER-IP', family);
  const comment = '-m comment --comment "Kubernetes service cluster ip + port for masquerade purpose"';
  const rules = rulesOf(s.value, 'nat', 'KUBE-SERVICES') ?? [];
  const seenCidr = rules
    .map((r) => /^-A \S+ ! -s (\S+) .*--match-set \S+ dst,dst -j KUBE-MARK-MASQ$/.exec(r.text)?.[1])
    .find((x) => x !== undefined);
  const cidr = opts.clusterCIDR ?? seenCidr ?? '<clusterCIDR>';
  const masq =
    opts.masqueradeAll === true
      ? `${comment} -m set --match-set ${clusterIp} dst,dst -j KUBE-MARK-MASQ`
      : `! -s ${cidr} ${comment} -m set --match-set ${clusterIp} dst,dst -j KUBE-MARK-MASQ`;
  const localhost = ruleSpec(`-s ${family === 4 ? '127.0.0.0/8' : '::1/128'} -j RETURN`);
  const nodePortJump = ruleSpec('-m addrtype --dst-type LOCAL -j KUBE-NODE-PORT');
  // KUBE-CLUSTER-IP rules are written only when the set is non-empty (e.g. never for the IPv6 proxier of an IPv4 cluster).
  const any = api.services.some(
    (svc) => isProxied(svc) && serviceIPs(svc).some((ip) => familyOf(ip) === family),
  );
  const specs = any
    ? [localhost, ruleSpec(masq), nodePortJump, ruleSpec(`-m set --match-set ${clusterIp} dst,dst -j ACCEPT`)]
    : [localhost, nodePortJump];
  const out = judgeChain(s.value, {
    check: 'iptables.services',
    node,
    family,
    table: 'nat',
    chain: 'KUBE-SERVICES',
    specs,
  });
  // TestDismissLocalhostRuleExist: the localhost RETURN must be the very first rule.
  const first = rules[0];
  if (first !== undefined && findRule(rules, localhost) > 0) {
    out.push(
      finding(
        'iptables.services',
        chainSubject({ node, family, table: 'nat', chain: 'KUBE-SERVICES' }),
        'localhost RETURN is not the first rule',
        localhost.text,
        first.text,
      ),
    );
  }
  return out;
}

/** No chain of iptables mode (KUBE-SVC-*, KUBE-SEP-*, KUBE-NODEPORTS, KUBE-PROXY-CANARY, ...) exists in any table. */
export function checkNoIptablesModeChains(node: NodeState, opts: IptablesOptions = {}): Finding[] {
  const family = opts.family ?? 4;
  const s = state(node, family, 'iptables.mode-chains');
  if (!s.ok) return [s.finding];
  const out: Finding[] = [];
  for (const [table, t] of Object.entries(s.value.tables)) {
    const bad = Object.keys(t.chains).filter((c) =>
      IPTABLES_MODE_CHAINS.some((p) => (p.endsWith('-') ? c.startsWith(p) : c === p)),
    );
    if (bad.length > 0) {
      out.push(
        finding(
          'iptables.mode-chains',
          nodeSubject(node, `${label(family)} ${table}`),
          `iptables-mode chains present: ${bad.join(', ')}`,
          'no KUBE-SVC-*/KUBE-SEP-*/KUBE-EXT-*/KUBE-NODEPORTS/KUBE-PROXY-CANARY/KUBE-MARK-DROP chain',
          formatSet(bad),
        ),
      );
    }
  }
  return out;
}

/** Every iptables check for one family. */
export function checkIptables(
  node: NodeState,
  api: Pick<ApiObjects, 'services' | 'endpointSlices'>,
  opts: IptablesOptions = {},
): Finding[] {
  const family = opts.family ?? 4;
  const s = state(node, family, 'iptables');
  if (!s.ok) return [s.finding];
  return [
    ...checkKubeChains(node, opts),
    ...checkServicesChain(node, api, opts),
    ...checkNodePortRules(node, api, opts),
    ...checkMasqueradeRules(node, api, opts),
    ...checkNoIptablesModeChains(node, opts),
  ];
}
