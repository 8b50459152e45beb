import { describe, expect, it } from 'vitest';
import type { ApiService } from '../api/types.ts';
import {
  checkIptables,
  checkKubeChains,
  checkMasqueradeRules,
  checkNodePortRules,
  checkNoIptablesModeChains,
  checkServicesChain,
  hasLocalEndpoints,
  setName,
} from './iptables.ts';
import { canonicalize, ruleSpec, tokenizeRule } from './iptables-rule.ts';
import {
  API,
  addLineAfter,
  bad,
  dropLine,
  iptablesState,
  SERVICES,
  SLICES,
  sectionValue,
  service,
  withIptables,
  workerState,
} from './test-support.ts';

const checks = (fs: readonly { check: string }[]) => fs.map((f) => f.check);
const messages = (fs: readonly { message: string }[]) => fs.map((f) => f.message);

describe('rule canonical form', () => {
  it('tokenizes quoted comments with escaped quotes like iptables-restore', () => {
    expect(tokenizeRule(`-A X -m comment --comment "a \\'b\\' \\"c\\"" -j Y`)).toEqual([
      '-A',
      'X',
      '-m',
      'comment',
      '--comment',
      `a 'b' "c"`,
      '-j',
      'Y',
    ]);
    expect(() => tokenizeRule('-m comment --comment "open')).toThrow(/unterminated/);
  });
  it('is insensitive to match order, hex padding, --or-mark/--xor-mark and -A CHAIN', () => {
    const a = canonicalize(
      tokenizeRule(
        '-A KUBE-POSTROUTING -m set --match-set KUBE-LOOP-BACK dst,dst,src -m comment --comment "x" -j MASQUERADE',
      ),
    );
    const b = canonicalize(
      tokenizeRule('-m comment --comment x -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE'),
    );
    expect(a).toEqual(b);
    expect(ruleSpec('-j MARK --or-mark 0x004000').canonical).toEqual(
      ruleSpec('-j MARK --set-xmark 0x4000/0x4000').canonical,
    );
    expect(ruleSpec('-j MARK --xor-mark 0x004000').canonical).toEqual(
      ruleSpec('-j MARK --set-xmark 0x4000/0x0').canonical,
    );
    expect(ruleSpec('-p 6 -m set --match-set S dst -j R').canonical).toEqual(
      ruleSpec('-p tcp -m set --match-set S dst -j R').canonical,
    );
  });
  it('keeps negation, flags, targets and target options significant', () => {
    const base = ruleSpec('-m mark ! --mark 0x4000/0x4000 -j RETURN').canonical;
    expect(ruleSpec('-m mark --mark 0x4000/0x4000 -j RETURN').canonical).not.toEqual(base);
    expect(ruleSpec('-m set --match-set S dst,dst -j A').canonical).not.toEqual(
      ruleSpec('-m set --match-set S dst -j A').canonical,
    );
    expect(ruleSpec('-j MASQUERADE').canonical).not.toEqual(
      ruleSpec('-j MASQUERADE --random-fully').canonical,
    );
    expect(ruleSpec('-s 127.0.0.0/8 -j RETURN').canonical).not.toEqual(
      ruleSpec('! -s 127.0.0.0/8 -j RETURN').canonical,
    );
  });
});

describe('kube-proxy chains and jumps', () => {
  it('pass on the conformant node, IPv4 and IPv6', () => {
    expect(checkKubeChains(workerState())).toEqual([]);
    expect(checkKubeChains(workerState(), { family: 6 })).toEqual([]);
  });
  it('report a missing chain', () => {
    const f = checkKubeChains(withIptables(dropLine(':KUBE-IPVS-OUT-FILTER')));
    // The jump to it still exists, so only the declaration is reported.
    expect(messages(f)).toEqual([
      'node kind-worker: iptables filter: chain KUBE-IPVS-OUT-FILTER does not exist',
    ]);
  });
  it('report a missing jump with its comment', () => {
    const f = checkKubeChains(
      withIptables(dropLine('-A POSTROUTING -m comment --comment "kubernetes postrouting rules"')),
    );
    expect(f).toEqual([
      expect.objectContaining({
        check: 'iptables.jumps',
        subject: 'node kind-worker: iptables nat POSTROUTING',
        expected: '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
      }),
    ]);
  });
  it('report a jump with the wrong comment as missing', () => {
    const node = withIptables((t) =>
      t.replace('"kubernetes forwarding rules" -j KUBE-FORWARD', '"forwarding" -j KUBE-FORWARD'),
    );
    expect(checks(checkKubeChains(node))).toEqual(['iptables.jumps']);
  });
  it('judge relative order, not position: rules of others in between are fine, swapped ones are not', () => {
    const between = withIptables(
      addLineAfter(
        '-A INPUT -m comment --comment "kubernetes ipvs access filter"',
        '-A INPUT -j CILIUM_INPUT',
      ),
    );
    expect(checkKubeChains(between)).toEqual([]);
    const swapped = withIptables((t) => {
      const a = '-A FORWARD -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL';
      const b = '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD';
      return t.replace(a, '@@').replace(b, a).replace('@@', b);
    });
    expect(messages(checkKubeChains(swapped))).toEqual([
      'node kind-worker: iptables filter FORWARD: rules out of order',
    ]);
  });
  it('fail with the reason when iptables-save is unusable', () => {
    const node = workerState({ ip6tables: bad('ip6tables-save absent: ip6tables not installed') });
    expect(messages(checkKubeChains(node, { family: 6 }))).toEqual([
      'node kind-worker: ip6tables-save absent: ip6tables not installed',
    ]);
  });
});

describe('NodePort rules', () => {
  it('pass on the conformant node', () => {
    expect(checkNodePortRules(workerState(), API)).toEqual([]);
    expect(checkNodePortRules(workerState(), API, { family: 6 })).toEqual([]);
  });
  it('report a missing KUBE-SERVICES -> KUBE-NODE-PORT jump', () => {
    const f = checkNodePortRules(
      withIptables(dropLine('-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT')),
      API,
    );
    expect(f).toEqual([
      expect.objectContaining({
        subject: 'node kind-worker: iptables nat KUBE-SERVICES',
        message:
          'node kind-worker: iptables nat KUBE-SERVICES: missing rule -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
      }),
    ]);
  });
  it('report a missing KUBE-NODE-PORT-TCP -> KUBE-MARK-MASQ rule when a TCP NodePort exists', () => {
    const f = checkNodePortRules(
      withIptables(dropLine('--match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ')),
      API,
    );
    expect(f).toHaveLength(1);
    expect(f[0]?.expected).toBe(
      '-p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
    );
    expect(f[0]?.observed).toBe('(empty chain)');
  });
  it('report a NodePort rule with the wrong set flags', () => {
    const node = withIptables((t) => t.replace('KUBE-NODE-PORT-TCP dst -j', 'KUBE-NODE-PORT-TCP dst,dst -j'));
    expect(checks(checkNodePortRules(node, API))).toEqual(['iptables.node-port']);
  });
  it('report the rule when no TCP NodePort exists (its set must be empty)', () => {
    const noNodePort = SERVICES.filter((s) => s.type !== 'NodePort');
    expect(messages(checkNodePortRules(workerState(), { services: noNodePort }))).toEqual([
      expect.stringContaining('unexpected rule -p tcp'),
    ]);
  });
  it('expect the ETP=Local RETURN before the masquerade rule', () => {
    const local: ApiService = { ...service('echo-nodeport'), externalTrafficPolicy: 'Local' };
    const services = [...SERVICES.filter((s) => s.name !== 'echo-nodeport'), local];
    expect(checks(checkNodePortRules(workerState(), { services }))).toEqual(['iptables.node-port']);
    const localRule =
      '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port with externalTrafficPolicy=local" -m set --match-set KUBE-NODE-PORT-LOCAL-TCP dst -j RETURN';
    const before = withIptables((t) =>
      t.replace('-A KUBE-NODE-PORT -p tcp', `${localRule}\n-A KUBE-NODE-PORT -p tcp`),
    );
    expect(checkNodePortRules(before, { services })).toEqual([]);
    const after = withIptables(addLineAfter('KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ', localRule));
    expect(messages(checkNodePortRules(after, { services }))).toEqual([
      'node kind-worker: iptables nat KUBE-NODE-PORT: rules out of order',
    ]);
  });
  it('expect the SCTP hash rule with its escaped comment', () => {
    const sctp: ApiService = {
      ...service('echo-nodeport'),
      name: 'sctp',
      clusterIP: '10.200.1.150',
      clusterIPs: ['10.200.1.150'],
      ports: [{ name: null, protocol: 'SCTP', port: 9, targetPort: 9, nodePort: 30004 }],
    };
    const rule = `-A KUBE-NODE-PORT -p sctp -m comment --comment "Kubernetes nodeport SCTP port for masquerade purpose with type \\'hash ip:port\\'" -m set --match-set KUBE-NODE-PORT-SCTP-HASH dst,dst -j KUBE-MARK-MASQ`;
    const services = [...SERVICES, sctp];
    expect(checks(checkNodePortRules(workerState(), { services }))).toEqual(['iptables.node-port']);
    expect(
      checkNodePortRules(withIptables(addLineAfter('KUBE-NODE-PORT-TCP dst', rule)), { services }),
    ).toEqual([]);
  });
  it('report a missing filter KUBE-NODE-PORT health-check ACCEPT', () => {
    const f = checkNodePortRules(withIptables(dropLine('"Kubernetes health check node port"')), API);
    expect(f.map((x) => x.subject)).toEqual(['node kind-worker: iptables filter KUBE-NODE-PORT']);
  });
});

describe('masquerade rules', () => {
  it('pass on the conformant node', () => {
    expect(checkMasqueradeRules(workerState(), API)).toEqual([]);
    expect(checkMasqueradeRules(workerState(), API, { family: 6 })).toEqual([]);
  });
  it('report a wrong KUBE-MARK-MASQ mark and an extra rule in it', () => {
    const wrong = withIptables((t) =>
      t.replace(
        '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
        '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x8000/0x8000',
      ),
    );
    expect(messages(checkMasqueradeRules(wrong, API))).toEqual([
      'node kind-worker: iptables nat KUBE-MARK-MASQ: missing rule -j MARK --set-xmark 0x4000/0x4000',
      'node kind-worker: iptables nat KUBE-MARK-MASQ: unexpected rule -A KUBE-MARK-MASQ -j MARK --set-xmark 0x8000/0x8000',
    ]);
  });
  it.for([
    ['the RETURN of unmarked packets', '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN'],
    ['the mark clearing', '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0'],
    [
      'the MASQUERADE --random-fully',
      '"kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    ],
    ['the KUBE-LOOP-BACK hairpin masquerade', 'KUBE-LOOP-BACK dst,dst,src -j MASQUERADE'],
  ] as const)('report a missing KUBE-POSTROUTING rule: %s', ([, line]) => {
    const f = checkMasqueradeRules(withIptables(dropLine(line)), API);
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toMatch(/KUBE-POSTROUTING: missing rule /);
  });
  it('report MASQUERADE without --random-fully unless told it is not expected', () => {
    const node = withIptables((t) => t.replace('-j MASQUERADE --random-fully', '-j MASQUERADE'));
    expect(checks(checkMasqueradeRules(node, API))).toEqual(['iptables.masquerade', 'iptables.masquerade']);
    expect(checkMasqueradeRules(node, API, { randomFully: false })).toEqual([]);
  });
  it('expect no KUBE-LOOP-BACK rule on a node without local endpoints', () => {
    const remote = {
      services: API.services,
      endpointSlices: SLICES.map((s) => ({
        ...s,
        endpoints: s.endpoints.filter((e) => e.nodeName !== 'kind-worker'),
      })),
    };
    expect(hasLocalEndpoints(workerState(), remote)).toBe(false);
    expect(messages(checkMasqueradeRules(workerState(), remote))).toEqual([
      expect.stringContaining('KUBE-POSTROUTING: unexpected rule'),
      expect.stringContaining('KUBE-POSTROUTING: unexpected rule'),
    ]);
    const without = withIptables(dropLine('KUBE-LOOP-BACK dst,dst,src'));
    expect(checkMasqueradeRules(without, remote)).toEqual([]);
  });
  it('count a terminating local endpoint as local (KUBE-LOOP-BACK keeps it)', () => {
    const terminating = {
      services: API.services,
      endpointSlices: SLICES.map((s) => ({
        ...s,
        endpoints: s.endpoints.map((e) =>
          e.nodeName === 'kind-worker' ? { ...e, ready: false, serving: false, terminating: true } : e,
        ),
      })),
    };
    expect(hasLocalEndpoints(workerState(), terminating)).toBe(true);
  });
  it('report the rules out of order', () => {
    const node = withIptables((t) =>
      t
        .replace('-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n', '')
        .replace(
          '-A KUBE-POSTROUTING -m mark ! --mark',
          '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n-A KUBE-POSTROUTING -m mark ! --mark',
        ),
    );
    expect(messages(checkMasqueradeRules(node, API))).toEqual([
      'node kind-worker: iptables nat KUBE-POSTROUTING: rules out of order',
    ]);
  });
});

describe('KUBE-SERVICES', () => {
  it('passes on the conformant node with or without a known clusterCIDR', () => {
    expect(checkServicesChain(workerState(), API, { clusterCIDR: '10.10.0.0/16' })).toEqual([]);
    expect(checkServicesChain(workerState(), API)).toEqual([]);
    expect(checkServicesChain(workerState(), API, { family: 6 })).toEqual([]);
  });
  it('reports a masquerade rule for another CIDR, and one without the local detector', () => {
    expect(checks(checkServicesChain(workerState(), API, { clusterCIDR: '10.244.0.0/16' }))).toEqual([
      'iptables.services',
    ]);
    const noDetector = withIptables((t) =>
      t.replace('-A KUBE-SERVICES ! -s 10.10.0.0/16 ', '-A KUBE-SERVICES '),
    );
    expect(checks(checkServicesChain(noDetector, API))).toEqual(['iptables.services']);
    expect(checkServicesChain(noDetector, API, { masqueradeAll: true })).toEqual([]);
  });
  it('reports the localhost RETURN when it is not first', () => {
    const node = withIptables((t) =>
      t
        .replace('-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN\n', '')
        .replace(
          '-A KUBE-SERVICES -m addrtype',
          '-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN\n-A KUBE-SERVICES -m addrtype',
        ),
    );
    expect(messages(checkServicesChain(node, API))).toEqual([
      'node kind-worker: iptables nat KUBE-SERVICES: rules out of order',
      'node kind-worker: iptables nat KUBE-SERVICES: localhost RETURN is not the first rule',
    ]);
  });
  it('reports a missing ACCEPT of ClusterIP traffic', () => {
    expect(
      checks(checkServicesChain(withIptables(dropLine('KUBE-CLUSTER-IP dst,dst -j ACCEPT')), API)),
    ).toEqual(['iptables.services']);
  });
});

describe('no iptables-mode chains', () => {
  it('passes on the conformant node', () => {
    expect(checkNoIptablesModeChains(workerState())).toEqual([]);
    expect(checkNoIptablesModeChains(workerState(), { family: 6 })).toEqual([]);
  });
  it.for([
    'KUBE-SVC-ERIFXISQEP7F7OF4',
    'KUBE-SEP-6E7XQMQ4RAYOWTTM',
    'KUBE-EXT-XYZ',
    'KUBE-NODEPORTS',
    'KUBE-PROXY-CANARY',
    'KUBE-MARK-DROP',
  ])('reports %s', (chain) => {
    const node = withIptables(addLineAfter(':KUBE-SERVICES - [0:0]', `:${chain} - [0:0]`));
    expect(checkNoIptablesModeChains(node)).toEqual([
      expect.objectContaining({
        check: 'iptables.mode-chains',
        subject: 'node kind-worker: iptables nat',
        observed: `{${chain}}`,
      }),
    ]);
  });
  it('does not mistake the kubelet KUBE-FIREWALL or KUBE-FORWARD for KUBE-FW-*', () => {
    expect(sectionValue(workerState().iptables).tables.filter?.chains['KUBE-FIREWALL']).toBeDefined();
    expect(checkNoIptablesModeChains(workerState())).toEqual([]);
  });
  it('reports them in ip6tables too', () => {
    const node = withIptables(addLineAfter(':KUBE-SERVICES - [0:0]', ':KUBE-SVC-AAAA - [0:0]'), 6);
    expect(checks(checkNoIptablesModeChains(node, { family: 6 }))).toEqual(['iptables.mode-chains']);
  });
});

describe('all iptables checks', () => {
  it('name ipsets per family', () => {
    expect(setName('KUBE-NODE-PORT-LOCAL-SCTP-HASH', 6)).toBe('KUBE-6-NODE-PORT-LOCAL-SCTP-HAS');
    expect(setName('KUBE-LOOP-BACK')).toBe('KUBE-LOOP-BACK');
  });
  it('report once when the section is missing', () => {
    expect(checkIptables(workerState({ iptables: bad('iptables-save absent: x') }), API)).toHaveLength(1);
  });
  it('catch a node fallen back to iptables mode', () => {
    const iptablesMode = iptablesState(`*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
COMMIT
*filter
:INPUT ACCEPT [0:0]
COMMIT`);
    const f = checkIptables(workerState({ iptables: { ok: true, value: iptablesMode } }), API);
    expect(new Set(checks(f))).toEqual(
      new Set([
        'iptables.chains',
        'iptables.jumps',
        'iptables.services',
        'iptables.node-port',
        'iptables.masquerade',
        'iptables.mode-chains',
      ]),
    );
  });
});
