import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import { ParseError } from './errors.ts';
import { loadFixture } from './fixture-file.ts';
import { parseIptablesSave, splitRestoreArgs } from './iptables-save.ts';
import type { IptablesChain, IptablesRule, IptablesState } from './types.ts';

const body = (name: string): string => loadFixture(name).body;

function chain(state: IptablesState, table: string, name: string): IptablesChain {
  const c = state.tables[table]?.chains[name];
  if (c === undefined) {
    throw new Error(
      `expected chain ${table}/${name}, observed tables ${Object.keys(state.tables).join(', ')}`,
    );
  }
  return c;
}

/** The value after `--match-set`, as kube-proxy's own test helper (checkIptables) reads it. */
function matchSet(rule: IptablesRule): string {
  const i = rule.args.indexOf('--match-set');
  return i < 0 ? '' : (rule.args[i + 1] ?? '');
}

function parseError(text: string): ParseError {
  try {
    parseIptablesSave(text);
  } catch (e: unknown) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a ParseError for ${JSON.stringify(text)}`);
}

const HAIRPIN = 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose';
const SNAT = 'kubernetes service traffic requiring SNAT';
const CLUSTER_IP_MASQ = 'Kubernetes service cluster ip + port for masquerade purpose';

describe('splitRestoreArgs (iptables-restore argv splitting)', () => {
  test.for([
    ['plain words', '-A X -j ACCEPT', ['-A', 'X', '-j', 'ACCEPT']],
    ['repeated blanks and tabs', '-A  X\t-j   ACCEPT', ['-A', 'X', '-j', 'ACCEPT']],
    ['a quoted word with spaces', '--comment "a b  c" -j X', ['--comment', 'a b  c', '-j', 'X']],
    ['escaped double quote and backslash', String.raw`"say \"hi\" \\o/"`, ['say "hi" \\o/']],
    [
      'escaped single quote (xtables_save_string)',
      String.raw`"type \'hash ip:port\'"`,
      ["type 'hash ip:port'"],
    ],
    ['an empty quoted argument', '--comment "" -j X', ['--comment', '', '-j', 'X']],
    ['a quote glued to a word, closing quote ends the word', 'a"b c"d', ['ab c', 'd']],
    ['a backslash outside quotes is literal', String.raw`a\b`, [String.raw`a\b`]],
    ['negation stays an argument', '! -s 10.0.0.0/8', ['!', '-s', '10.0.0.0/8']],
  ] as const)('splits %s', ([, text, args]) => {
    expect(splitRestoreArgs(text)).toEqual(args);
  });

  it('reports an unterminated quote, also one ended by a trailing backslash', () => {
    expect(splitRestoreArgs('--comment "abc')).toEqual({ error: 'unterminated double quote' });
    expect(splitRestoreArgs('--comment "abc\\')).toEqual({ error: 'unterminated double quote' });
  });
});

describe('parseIptablesSave on the DERIVED kind-worker iptables-save (IPv4, v1.31)', () => {
  const text = body('iptables-save.derived-v4-kind-worker-v1.31.txt');
  const state = parseIptablesSave(text);

  it('keys the three tables and their chains by name, with policies and counters', () => {
    expect(Object.keys(state.tables)).toEqual(['mangle', 'filter', 'nat']);
    expect(Object.keys(state.tables.nat?.chains ?? {})).toEqual([
      'PREROUTING',
      'INPUT',
      'OUTPUT',
      'POSTROUTING',
      'DOCKER_OUTPUT',
      'DOCKER_POSTROUTING',
      'KIND-MASQ-AGENT',
      'KUBE-KUBELET-CANARY',
      'KUBE-LOAD-BALANCER',
      'KUBE-MARK-MASQ',
      'KUBE-NODE-PORT',
      'KUBE-POSTROUTING',
      'KUBE-SERVICES',
    ]);
    expect(chain(state, 'nat', 'PREROUTING')).toMatchObject({
      policy: 'ACCEPT',
      counters: { packets: 0, bytes: 0 },
    });
    expect(chain(state, 'nat', 'KUBE-SERVICES').policy).toBeNull();
    expect(chain(state, 'mangle', 'KUBE-IPTABLES-HINT').rules).toEqual([]);
  });

  it('reads the three KUBE-POSTROUTING masquerade rules after the loop-back one, with targets and comments', () => {
    const rules = chain(state, 'nat', 'KUBE-POSTROUTING').rules;
    expect(rules.map((r) => [r.target, r.jump, r.comment])).toEqual([
      ['MASQUERADE', 'jump', HAIRPIN],
      ['RETURN', 'jump', null],
      ['MARK', 'jump', null],
      ['MASQUERADE', 'jump', SNAT],
    ]);
    expect(rules[1]).toEqual({
      text: '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      chain: 'KUBE-POSTROUTING',
      target: 'RETURN',
      jump: 'jump',
      comment: null,
      counters: null,
      args: ['-A', 'KUBE-POSTROUTING', '-m', 'mark', '!', '--mark', '0x4000/0x4000', '-j', 'RETURN'],
    });
    expect(rules[2]?.args.slice(-3)).toEqual(['MARK', '--set-xmark', '0x4000/0x0']);
    expect(rules[3]?.args.slice(-2)).toEqual(['MASQUERADE', '--random-fully']);
    expect(matchSet(rules[0] as IptablesRule)).toBe('KUBE-LOOP-BACK');
  });

  it('reads KUBE-SERVICES in order: localhost RETURN first, ACCEPT on KUBE-CLUSTER-IP last', () => {
    const rules = chain(state, 'nat', 'KUBE-SERVICES').rules;
    expect(rules.map((r) => [r.target, matchSet(r)])).toEqual([
      ['RETURN', ''],
      ['KUBE-MARK-MASQ', 'KUBE-CLUSTER-IP'],
      ['KUBE-NODE-PORT', ''],
      ['ACCEPT', 'KUBE-CLUSTER-IP'],
    ]);
    expect(rules[1]?.args.slice(2, 5)).toEqual(['!', '-s', '10.10.0.0/16']);
    expect(rules[1]?.comment).toBe(CLUSTER_IP_MASQ);
    expect(chain(state, 'nat', 'KUBE-MARK-MASQ').rules[0]?.text).toBe(
      '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    );
  });

  it('keeps every rule text verbatim and in the order of the input', () => {
    const ruleLines = text.split('\n').filter((l) => l.startsWith('-A '));
    const parsed = Object.values(state.tables).flatMap((t) =>
      Object.values(t.chains).flatMap((c) => c.rules),
    );
    expect(parsed.map((r) => r.text)).toEqual(ruleLines);
    expect(parsed).toHaveLength(44);
  });

  it('reads the filter table jumps and the KUBE-IPVS-FILTER REJECT rule', () => {
    expect(chain(state, 'filter', 'INPUT').rules.map((r) => r.target)).toEqual([
      'KUBE-IPVS-FILTER',
      'KUBE-PROXY-FIREWALL',
      'KUBE-NODE-PORT',
      'KUBE-FIREWALL',
    ]);
    const last = chain(state, 'filter', 'KUBE-IPVS-FILTER').rules.at(-1);
    expect(last?.target).toBe('REJECT');
    expect(last?.args.slice(-2)).toEqual(['--reject-with', 'icmp-port-unreachable']);
    expect(chain(state, 'filter', 'KUBE-FIREWALL').rules[0]?.args).toContain('RELATED,ESTABLISHED,DNAT');
  });
});

describe('parseIptablesSave on other iptables-save forms', () => {
  it('reads the DERIVED ip6tables-save: ::1 RETURN first, icmp6 REJECT, KUBE-6-* set names', () => {
    const state = parseIptablesSave(body('ip6tables-save.derived-kind-worker-v1.31.txt'));
    expect(chain(state, 'nat', 'KUBE-SERVICES').rules.map((r) => r.text)).toEqual([
      '-A KUBE-SERVICES -s ::1/128 -j RETURN',
      '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
    ]);
    const reject = chain(state, 'filter', 'KUBE-IPVS-FILTER').rules.at(-1);
    expect(reject?.args.slice(-1)).toEqual(['icmp6-port-unreachable']);
    expect(matchSet(reject as IptablesRule)).toBe('KUBE-6-IPVS-IPS');
    expect(state.tables.filter?.chains['KUBE-FIREWALL']).toBeUndefined();
  });

  it('reads the `-c` counters form of the rules in captures 04/05/06 (DERIVED save form)', () => {
    const state = parseIptablesSave(body('iptables-save.derived-tkng-captures-04-05-06-nat-counters.txt'));
    expect(chain(state, 'nat', 'POSTROUTING')).toMatchObject({
      policy: 'ACCEPT',
      counters: { packets: 5, bytes: 300 },
    });
    expect(chain(state, 'nat', 'POSTROUTING').rules.map((r) => [r.target, r.counters])).toEqual([
      ['KUBE-POSTROUTING', { packets: 1199, bytes: 80799 }],
      ['DOCKER_POSTROUTING', { packets: 0, bytes: 0 }],
      ['KIND-MASQ-AGENT', { packets: 920, bytes: 61751 }],
    ]);
    const post = chain(state, 'nat', 'KUBE-POSTROUTING').rules;
    expect(post.map((r) => [r.target, r.comment, r.counters?.packets])).toEqual([
      ['MASQUERADE', HAIRPIN, 0],
      ['RETURN', null, 1],
      ['MARK', null, 0],
      ['MASQUERADE', SNAT, 0],
    ]);
    // The counters prefix is not part of the rule text or its argv.
    expect(post[1]?.text).toBe('-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN');
    expect(post[1]?.args[0]).toBe('-A');
    // Capture 04: MARK-MASQ for non-pod sources, NODE-PORT for local destinations, ACCEPT; no KUBE-SVC-* chains.
    const services = chain(state, 'nat', 'KUBE-SERVICES').rules;
    expect(services.map((r) => [r.target, matchSet(r)])).toEqual([
      ['KUBE-MARK-MASQ', 'KUBE-CLUSTER-IP'],
      ['KUBE-NODE-PORT', ''],
      ['ACCEPT', 'KUBE-CLUSTER-IP'],
    ]);
    expect(services[0]?.args).toEqual(expect.arrayContaining(['!', '-s', '10.244.0.0/16']));
    expect(Object.keys(state.tables.nat?.chains ?? {}).some((c) => c.startsWith('KUBE-SVC-'))).toBe(false);
  });

  it('reads the DERIVED save form of capture 09 (KUBE-NODE-PORT -> KUBE-MARK-MASQ for KUBE-NODE-PORT-TCP)', () => {
    const state = parseIptablesSave(body('iptables-save.derived-tkng-capture-09-nat-kube-node-port.txt'));
    const rules = chain(state, 'nat', 'KUBE-NODE-PORT').rules;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      target: 'KUBE-MARK-MASQ',
      comment: 'Kubernetes nodeport TCP port for masquerade purpose',
      counters: null,
    });
    expect(rules[0]?.args.slice(2, 4)).toEqual(['-p', 'tcp']);
    expect(matchSet(rules[0] as IptablesRule)).toBe('KUBE-NODE-PORT-TCP');
  });

  it("unescapes \\' in the SCTP comments and matches the upstream TestNodePortIPv4 sctp/local expectation", () => {
    const state = parseIptablesSave(body('iptables-save.derived-k8s-proxier-test-sctp-local-nodeport.txt'));
    // checkIptables reads nat, then filter, for the chain name.
    const rules = [
      ...chain(state, 'nat', 'KUBE-NODE-PORT').rules,
      ...chain(state, 'filter', 'KUBE-NODE-PORT').rules,
    ];
    expect(rules.map((r) => [r.target, matchSet(r)])).toEqual([
      ['RETURN', 'KUBE-NODE-PORT-LOCAL-SCTP-HASH'],
      ['KUBE-MARK-MASQ', 'KUBE-NODE-PORT-SCTP-HASH'],
      ['ACCEPT', 'KUBE-HEALTH-CHECK-NODE-PORT'],
    ]);
    expect(rules[1]?.comment).toBe(
      "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'",
    );
    expect(rules[1]?.text).toContain(String.raw`with type \'hash ip:port\'"`);
  });

  it('matches the upstream TestAcceptIPVSTraffic KUBE-SERVICES expectation (DERIVED rendering)', () => {
    const state = parseIptablesSave(body('iptables-save.derived-k8s-proxier-test-accept-ipvs-traffic.txt'));
    const source = (r: IptablesRule): string => {
      const i = r.args.indexOf('-s');
      return i < 0 ? '' : (r.args[i + 1] ?? '');
    };
    expect(chain(state, 'nat', 'KUBE-SERVICES').rules.map((r) => [r.target, matchSet(r), source(r)])).toEqual(
      [
        ['RETURN', '', '127.0.0.0/8'],
        ['KUBE-LOAD-BALANCER', 'KUBE-LOAD-BALANCER', ''],
        ['KUBE-MARK-MASQ', 'KUBE-CLUSTER-IP', ''],
        ['KUBE-MARK-MASQ', 'KUBE-EXTERNAL-IP', ''],
        ['ACCEPT', 'KUBE-EXTERNAL-IP', ''],
        ['ACCEPT', 'KUBE-EXTERNAL-IP', ''],
        ['KUBE-NODE-PORT', '', ''],
        ['ACCEPT', 'KUBE-CLUSTER-IP', ''],
        ['ACCEPT', 'KUBE-LOAD-BALANCER', ''],
      ],
    );
  });

  test.for([
    ['capture 04', 'iptables-save.not-save-capture-04-tkng-nvL-kube-services.txt'],
    ['capture 05', 'iptables-save.not-save-capture-05-tkng-nvL-kube-postrouting.txt'],
  ] as const)('refuses the `iptables -nvL` list output of %s at its first line', ([, name]) => {
    const error = parseError(body(name));
    expect(error.line).toBe(1);
    expect(error.text).toMatch(/^Chain KUBE-/);
  });
});

describe('parseIptablesSave rule details', () => {
  const wrap = (...lines: string[]): string =>
    ['*nat', ':X - [0:0]', ':Y - [0:0]', ...lines, 'COMMIT', ''].join('\n');
  const rule = (line: string): IptablesRule => {
    const r = chain(parseIptablesSave(wrap(line)), 'nat', 'X').rules[0];
    if (r === undefined) throw new Error('expected one rule in chain X');
    return r;
  };

  it('reports -g as a goto and a rule without -j/-g as having no target', () => {
    expect(rule('-A X -g Y')).toMatchObject({ target: 'Y', jump: 'goto' });
    expect(rule('-A X -s 10.0.0.0/8')).toMatchObject({ target: null, jump: null, comment: null });
    expect(rule('-A X')).toMatchObject({ target: null, args: ['-A', 'X'] });
    expect(rule('-A X --jump ACCEPT')).toMatchObject({ target: 'ACCEPT', jump: 'jump' });
  });

  it('reads an unquoted comment, and a comment that looks like an option', () => {
    expect(rule('-A X -m comment --comment foo -j ACCEPT').comment).toBe('foo');
    expect(rule('-A X -m comment --comment -j -j ACCEPT')).toMatchObject({ comment: '-j', target: 'ACCEPT' });
    expect(rule('-A X -m comment --comment "" -j ACCEPT').comment).toBe('');
  });

  it('tolerates trailing spaces and CRLF line ends, keeping the text without them', () => {
    const state = parseIptablesSave(wrap('-A X -j ACCEPT  ').replace(/\n/g, '\r\n'));
    expect(chain(state, 'nat', 'X').rules[0]?.text).toBe('-A X -j ACCEPT');
  });

  it('accepts a chain declaration without counters and empty output', () => {
    expect(
      chain(parseIptablesSave('*raw\n:PREROUTING ACCEPT\nCOMMIT\n'), 'raw', 'PREROUTING').counters,
    ).toBeNull();
    expect(parseIptablesSave('')).toEqual({ tables: {} });
    expect(parseIptablesSave('# Generated by iptables-save\n')).toEqual({ tables: {} });
  });

  it('keeps a chain or table named __proto__ as an ordinary key', () => {
    const state = parseIptablesSave('*__proto__\n:__proto__ - [0:0]\n-A __proto__ -j ACCEPT\nCOMMIT\n');
    expect(Object.keys(state.tables)).toEqual(['__proto__']);
    expect(chain(state, '__proto__', '__proto__').rules[0]?.target).toBe('ACCEPT');
    expect(JSON.stringify(state)).toContain('"tables":{"__proto__":{"chains":{"__proto__"');
  });

  const good = wrap('-A X -j Y');
  test.for([
    ['a rule outside a table', '-A X -j ACCEPT', 1, /outside a table/],
    [
      'a rule for an undeclared chain',
      wrap('-A Z -j ACCEPT'),
      4,
      /"Z", which is not declared in table "nat"/,
    ],
    ['a rule before its chain is declared', '*nat\n-A X -j Y\n:X - [0:0]\nCOMMIT', 2, /not declared/],
    ['a table without COMMIT', good.replace('COMMIT\n', ''), 1, /table "nat" has no COMMIT/],
    ['a new table before COMMIT', `*filter\n${good}`, 2, /table "filter" \(line 1\) has no COMMIT/],
    ['an unterminated quote', wrap('-A X -m comment --comment "abc -j Y'), 4, /unterminated double quote/],
    [
      '-I (never printed by iptables-save)',
      wrap('-I X 1 -j Y'),
      4,
      /"-I" is a command iptables-save never prints/,
    ],
    ['-N', wrap('-N Z'), 4, /"-N" is a command/],
    ['--append long form', wrap('--append X -j Y'), 4, /"--append" is a command/],
    ['-A without chain', wrap('-A'), 4, /needs a chain name/],
    ['an unknown line', wrap('hello world'), 4, /unknown line/],
    ['a lone elision', wrap('...'), 4, /elided/],
    ['a unicode elision', wrap('  …'), 4, /elided/],
    ['COMMIT outside a table', 'COMMIT', 1, /COMMIT outside a table/],
    ['a chain outside a table', ':X - [0:0]', 1, /outside a table/],
    ['a malformed chain declaration', '*nat\n:X - [a:b]\nCOMMIT', 2, /a chain declaration is/],
    ['a chain declared twice', '*nat\n:X - [0:0]\n:X - [0:0]\nCOMMIT', 3, /declared twice/],
    ['a table given twice', `${good}*nat\nCOMMIT`, 6, /table "nat" appears twice/],
    ['a malformed table line', '*nat filter\nCOMMIT', 1, /one-word name/],
    ['two targets', wrap('-A X -j Y -j ACCEPT'), 4, /more than one -j\/-g/],
    ['-j without target', wrap('-A X -j'), 4, /-j has no target/],
    ['--comment without value', wrap('-A X -m comment --comment'), 4, /--comment has no value/],
    ['a counter beyond 2^53', wrap('[99999999999999999999:0] -A X -j Y'), 4, /too large/],
    ['an incompatible nft table', "# Table `nat' is incompatible, use 'nft' tool.", 1, /nft list ruleset/],
  ] as const)('rejects %s with a ParseError naming the line', ([, text, line, reason]) => {
    const error = parseError(text);
    expect(error.format).toBe('iptables-save');
    expect(error.line).toBe(line);
    expect(error.text).toBe(text.split('\n')[line - 1]);
    expect(error.reason).toMatch(reason);
  });
});

// ---- property tests -------------------------------------------------------------------------------

const FIXTURES = [
  'iptables-save.derived-v4-kind-worker-v1.31.txt',
  'ip6tables-save.derived-kind-worker-v1.31.txt',
  'iptables-save.derived-tkng-captures-04-05-06-nat-counters.txt',
  'iptables-save.derived-k8s-proxier-test-sctp-local-nodeport.txt',
].map(body);

function resultOrParseError(text: string): void {
  try {
    const state = parseIptablesSave(text);
    for (const t of Object.values(state.tables)) {
      for (const [name, c] of Object.entries(t.chains)) for (const r of c.rules) expect(r.chain).toBe(name);
    }
  } catch (e: unknown) {
    if (!(e instanceof ParseError)) throw e;
  }
}

const edit = fc.record({
  op: fc.constantFrom('delete', 'duplicate', 'swap', 'insert', 'truncate', 'char'),
  at: fc.nat(),
  other: fc.nat(),
  text: fc.oneof(
    fc.string(),
    fc.constantFrom(
      '',
      '...',
      'COMMIT',
      '*nat',
      ':X - [0:0]',
      '-A X -j Y',
      '"',
      '\\',
      '-I INPUT 1',
      '[1:2] -A',
    ),
  ),
});
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, edits: readonly Edit[]): string {
  let lines = text.split('\n');
  for (const e of edits) {
    const i = lines.length === 0 ? 0 : e.at % lines.length;
    const j = lines.length === 0 ? 0 : e.other % lines.length;
    if (e.op === 'delete') lines.splice(i, 1);
    else if (e.op === 'duplicate') lines.splice(i, 0, lines[i] ?? '');
    else if (e.op === 'swap') [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
    else if (e.op === 'insert') lines.splice(i, 0, e.text);
    else if (e.op === 'truncate')
      lines = lines
        .join('\n')
        .slice(0, e.at % (text.length + 1))
        .split('\n');
    else {
      const l = lines[i] ?? '';
      const k = l.length === 0 ? 0 : e.other % l.length;
      lines[i] = l.slice(0, k) + e.text.slice(0, 1) + l.slice(k + 1);
    }
  }
  return lines.join('\n');
}

/** xtables_save_string: quote unless only [A-Za-z0-9_-], escaping `"`, `\` and `'` inside the quotes. */
function saveString(value: string): string {
  return /^[A-Za-z0-9_-]+$/.test(value) ? value : `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

const chainName = fc.stringMatching(/^[A-Z][A-Z0-9_-]{0,27}$/);
const commentText = fc.oneof(
  fc.string({
    unit: fc.constantFrom(...' "\'\\abcXYZ019-_:,.()=#!*[]\t'.split(''), 'é', '中'),
    maxLength: 40,
  }),
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'",
    '-j',
    '',
    '"',
  ),
);
const match = fc.oneof(
  fc.ipV4().map((ip) => ['-s', `${ip}/32`]),
  fc.ipV4().map((ip) => ['!', '-d', `${ip}/32`]),
  fc.constantFrom(
    ['-p', 'tcp'],
    ['-m', 'addrtype', '--dst-type', 'LOCAL'],
    ['-m', 'mark', '!', '--mark', '0x4000/0x4000'],
  ),
  chainName.map((s) => ['-m', 'set', '--match-set', s, 'dst,dst']),
  commentText.map((c) => ['-m', 'comment', '--comment', c]),
);
const counters = fc.option(fc.record({ packets: fc.nat(), bytes: fc.nat() }), { nil: null });
const ruleSpec = fc.record({
  matches: fc.array(match, { maxLength: 4 }),
  target: fc.option(
    fc.record({
      jump: fc.constantFrom('jump', 'goto'),
      name: fc.oneof(chainName, fc.constantFrom('ACCEPT', 'MARK', 'MASQUERADE')),
      options: fc.constantFrom([], ['--set-xmark', '0x4000/0x0'], ['--random-fully']),
    }),
    { nil: null },
  ),
  counters,
});
const tableSpec = fc.uniqueArray(
  fc.record({
    name: chainName,
    policy: fc.option(fc.constantFrom('ACCEPT', 'DROP'), { nil: null }),
    counters,
    rules: fc.array(ruleSpec, { maxLength: 4 }),
  }),
  { selector: (c) => c.name, minLength: 1, maxLength: 4 },
);
const stateSpec = fc.uniqueArray(
  fc.record({ table: fc.constantFrom('raw', 'mangle', 'filter', 'nat'), chains: tableSpec }),
  {
    selector: (t) => t.table,
    maxLength: 3,
  },
);
type StateSpec = typeof stateSpec extends fc.Arbitrary<infer T> ? T : never;

/** Renders the spec as iptables-save -c would print it, and the state the parser must return for it. */
function render(spec: StateSpec): { text: string; expected: IptablesState } {
  const out: string[] = [];
  const tables: Record<string, { chains: Record<string, IptablesChain> }> = {};
  for (const t of spec) {
    out.push('# Generated by iptables-save v1.8.9 (nf_tables) on Mon Dec  1 08:00:00 2025', `*${t.table}`);
    const chains: Record<string, IptablesChain> = {};
    for (const c of t.chains) {
      out.push(
        `:${c.name} ${c.policy ?? '-'}${c.counters ? ` [${c.counters.packets}:${c.counters.bytes}]` : ''}`,
      );
    }
    for (const c of t.chains) {
      const rules: IptablesRule[] = c.rules.map((r) => {
        const args = ['-A', c.name, ...r.matches.flat()];
        const words = [
          '-A',
          c.name,
          ...r.matches.flatMap((m) =>
            m[2] === '--comment' ? [...m.slice(0, 3), saveString(m[3] ?? '')] : m,
          ),
        ];
        if (r.target !== null) {
          const jump = [r.target.jump === 'goto' ? '-g' : '-j', r.target.name, ...r.target.options];
          args.push(...jump);
          words.push(...jump);
        }
        const text = words.join(' ');
        out.push(r.counters ? `[${r.counters.packets}:${r.counters.bytes}] ${text}` : text);
        const firstComment = r.matches.find((m) => m[2] === '--comment');
        return {
          text,
          chain: c.name,
          target: r.target?.name ?? null,
          jump: r.target?.jump ?? null,
          comment: firstComment?.[3] ?? null,
          counters: r.counters,
          args,
        } as IptablesRule;
      });
      chains[c.name] = { policy: c.policy, counters: c.counters, rules };
    }
    out.push('COMMIT', '# Completed on Mon Dec  1 08:00:00 2025');
    tables[t.table] = { chains };
  }
  return { text: `${out.join('\n')}\n`, expected: { tables } };
}

describe('parseIptablesSave properties', () => {
  it('yields a state or a ParseError for arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.lorem({ mode: 'sentences' })),
        (t) => resultOrParseError(t),
      ),
      { numRuns: 300 },
    );
  });

  it('yields a state or a ParseError for mutated valid outputs', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.array(edit, { minLength: 1, maxLength: 4 }), (t, edits) =>
        resultOrParseError(mutate(t, edits)),
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips a generated state rendered as iptables-save (comments with spaces, quotes, backslashes)', () => {
    fc.assert(
      fc.property(stateSpec, (spec) => {
        const { text, expected } = render(spec);
        expect(parseIptablesSave(text)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseIptablesSave performance', () => {
  /** A nat table of `lines` lines: 1,000 chains and rules with quoted comments spread over them. */
  function bigSave(lines: number): string {
    const out = ['*nat'];
    for (let c = 0; c < 1000; c++) out.push(`:KUBE-C${c} - [0:0]`);
    for (let i = 0; out.length < lines - 1; i++) {
      out.push(
        `[${i}:${i * 60}] -A KUBE-C${i % 1000} ! -s 10.10.0.0/16 -m comment --comment "svc ${i} \\'port\\' \\"x\\"" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ`,
      );
    }
    out.push('COMMIT');
    return `${out.join('\n')}\n`;
  }
  const best = (text: string): number => {
    let min = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 2; k++) {
      const t0 = performance.now();
      parseIptablesSave(text);
      min = Math.min(min, performance.now() - t0);
    }
    return min;
  };

  it('parses a 100,000-line iptables-save in linear time', () => {
    const big = bigSave(100_000);
    const small = bigSave(25_000);
    const state = parseIptablesSave(big);
    const rules = Object.values(state.tables.nat?.chains ?? {}).reduce((n, c) => n + c.rules.length, 0);
    expect(rules).toBe(100_000 - 1000 - 2);
    expect(state.tables.nat?.chains['KUBE-C7']?.rules[0]?.comment).toBe('svc 7 \'port\' "x"');
    const tBig = best(big);
    const tSmall = best(small);
    // Budget for a shared 2-core machine; a quadratic parser takes minutes here, a linear one well under a second.
    expect(tBig, `100k lines took ${tBig.toFixed(0)} ms`).toBeLessThan(10_000);
    // 4x the lines may cost at most ~10x the time (noise allowance); quadratic growth would be 16x.
    expect(
      tBig / Math.max(tSmall, 1),
      `25k: ${tSmall.toFixed(0)} ms, 100k: ${tBig.toFixed(0)} ms`,
    ).toBeLessThan(10);
  });
});
