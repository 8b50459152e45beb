import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import { ParseError } from './errors.ts';
import { loadFixture } from './fixture-file.ts';
import { parseIpset } from './ipset.ts';
import type { IpSet, IpsetState } from './types.ts';

const body = (name: string): string => loadFixture(name).body;

function only(state: IpsetState): IpSet {
  expect(state.sets).toHaveLength(1);
  return state.sets[0] as IpSet;
}

function byName(state: IpsetState, name: string): IpSet {
  const set = state.sets.find((s) => s.name === name);
  if (set === undefined)
    throw new Error(`expected set ${name}, observed ${state.sets.map((s) => s.name).join(', ')}`);
  return set;
}

/** Runs the parser and returns the ParseError it must throw (fails the test if it does not). */
function parseError(text: string): ParseError {
  try {
    parseIpset(text);
  } catch (e: unknown) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a ParseError for ${JSON.stringify(text)}`);
}

describe('parseIpset on real `ipset list` captures', () => {
  it('reads capture 02 (tkng kind, KUBE-CLUSTER-IP, 9 entries)', () => {
    const set = only(parseIpset(body('ipset.capture-02-tkng-kube-cluster-ip.txt')));
    expect(set).toMatchObject({
      name: 'KUBE-CLUSTER-IP',
      type: 'hash:ip,port',
      revision: 5,
      header: { family: 'inet', hashsize: '1024', maxelem: '65536' },
      sizeInMemory: 768,
      references: 2,
      declaredEntries: 9,
    });
    expect(Object.keys(set.header)).toEqual(['family', 'hashsize', 'maxelem']);
    expect(set.members).toHaveLength(9);
    expect(set.members).toEqual(
      expect.arrayContaining([
        '10.96.0.10,udp:53',
        '10.96.0.10,tcp:53',
        '10.96.0.10,tcp:9153',
        '10.96.0.1,tcp:443',
        '10.96.119.228,tcp:80',
      ]),
    );
  });

  it('reads capture 03 (KUBE-LOOP-BACK, hash:ip,port,ip) with members in listed order', () => {
    const set = only(parseIpset(body('ipset.capture-03-tkng-kube-loop-back.txt')));
    expect(set.type).toBe('hash:ip,port,ip');
    expect(set.declaredEntries).toBe(2);
    expect(set.members).toEqual(['10.244.1.2,tcp:3030,10.244.1.2', '10.244.1.6,tcp:80,10.244.1.6']);
  });

  it('reads capture 08 (bitmap:port, header is only a range)', () => {
    const set = only(parseIpset(body('ipset.capture-08-tkng-kube-node-port-tcp.txt')));
    expect(set).toEqual({
      name: 'KUBE-NODE-PORT-TCP',
      type: 'bitmap:port',
      revision: 3,
      header: { range: '0-65535' },
      sizeInMemory: 8264,
      references: 1,
      declaredEntries: 1,
      members: ['30064'],
    });
  });

  it('reads capture 17 (KANS kind v1.31, modern header with bucketsize and initval)', () => {
    const set = only(parseIpset(body('ipset.capture-17-kans-kube-cluster-ip.txt')));
    expect(set).toEqual({
      name: 'KUBE-CLUSTER-IP',
      type: 'hash:ip,port',
      revision: 7,
      header: {
        family: 'inet',
        hashsize: '1024',
        maxelem: '65536',
        bucketsize: '12',
        initval: '0x6343ff52',
      },
      sizeInMemory: 456,
      references: 3,
      declaredEntries: 5,
      members: [
        '10.200.1.1,tcp:443',
        '10.200.1.10,tcp:53',
        '10.200.1.10,udp:53',
        '10.200.1.245,tcp:9000',
        '10.200.1.10,tcp:9153',
      ],
    });
  });

  it('reads the real kube-proxy-pod `ipset list` of all sets (k8s v1.23.5, incl. KUBE-6-*)', () => {
    const state = parseIpset(body('ipset.real-list-kube-proxy-pod-k8s-v1.23.5.txt'));
    expect(state.sets).toHaveLength(32);
    expect(state.sets.filter((s) => s.name.startsWith('KUBE-6-'))).toHaveLength(16);
    expect(byName(state, 'KUBE-CLUSTER-IP').members).toEqual([
      '10.96.0.10,tcp:9153',
      '10.96.0.10,udp:53',
      '10.96.0.10,tcp:53',
      '10.96.0.1,tcp:443',
    ]);
    expect(byName(state, 'KUBE-6-NODE-PORT-LOCAL-SCTP-HAS').header.family).toBe('inet6');
    expect(byName(state, 'KUBE-LOAD-BALANCER-SOURCE-CIDR').revision).toBe(8);
    expect(state.sets.some((s) => s.name === 'KUBE-IPVS-IPS')).toBe(false);
    for (const set of state.sets) expect(set.members).toHaveLength(set.declaredEntries ?? -1);
  });

  it('reads the old ipset 6.x form without "Number of entries:" as declaredEntries null', () => {
    const set = only(parseIpset(body('ipset.k8s-ipset-go-comment-sample-old-format.txt')));
    expect(set.declaredEntries).toBeNull();
    expect(set.members).toEqual(['192.168.1.2,tcp:8080', '192.168.1.1,udp:53']);
  });

  it('reads an empty bitmap set whose "Members:" is followed by a blank line', () => {
    const set = only(parseIpset(body('ipset.k8s-ipset-go-test-empty-bitmap.txt')));
    expect(set).toMatchObject({
      name: 'KUBE-NODE-PORT',
      type: 'bitmap:port',
      members: [],
      declaredEntries: null,
    });
  });
});

describe('parseIpset on the DERIVED kind-worker samples', () => {
  const list = parseIpset(body('ipset.derived-list-kind-worker-excerpt.txt'));
  const save = parseIpset(body('ipset.derived-save-kind-worker-v1.31.txt'));

  it('splits the blank-line separated list into its 4 sets', () => {
    expect(list.sets.map((s) => [s.name, s.members.length, s.declaredEntries])).toEqual([
      ['KUBE-CLUSTER-IP', 7, 7],
      ['KUBE-NODE-PORT-TCP', 2, 2],
      ['KUBE-LOOP-BACK', 2, 2],
      ['KUBE-IPVS-IPS', 5, 5],
    ]);
  });

  it('reads `ipset save`: every create line is a set, header from its options, no declared count', () => {
    expect(save.sets).toHaveLength(23);
    expect(byName(save, 'KUBE-NODE-PORT-TCP')).toEqual({
      name: 'KUBE-NODE-PORT-TCP',
      type: 'bitmap:port',
      header: { range: '0-65535' },
      revision: null,
      sizeInMemory: null,
      references: null,
      declaredEntries: null,
      members: ['30000', '30001'],
    });
    expect(byName(save, 'KUBE-EXTERNAL-IP').members).toEqual([]);
    expect(byName(save, 'KUBE-6-LOAD-BALANCER-SOURCE-CID')).toMatchObject({
      type: 'hash:ip,port,net',
      header: { family: 'inet6', initval: '0xcb6848f3' },
    });
  });

  it('gives the same type, header and members for a set in list and in save form', () => {
    for (const listed of list.sets) {
      const saved = byName(save, listed.name);
      expect({ type: saved.type, header: saved.header, members: saved.members }).toEqual({
        type: listed.type,
        header: listed.header,
        members: listed.members,
      });
    }
  });
});

describe('parseIpset edge cases of the format', () => {
  const set = (name: string, members: string[]) =>
    [
      `Name: ${name}`,
      'Type: hash:ip',
      'Revision: 4',
      'Header: family inet hashsize 1024 maxelem 65536',
      'Size in memory: 200',
      'References: 0',
      `Number of entries: ${members.length}`,
      'Members:',
      ...members,
    ].join('\n');

  it('starts a new set at "Name:" also without a blank line (`ipset list A; ipset list B`)', () => {
    const state = parseIpset(`${set('A', ['10.0.0.1'])}\n${set('B', ['10.0.0.2'])}\n`);
    expect(state.sets.map((s) => [s.name, s.members])).toEqual([
      ['A', ['10.0.0.1']],
      ['B', ['10.0.0.2']],
    ]);
  });

  it('strips trailing spaces and CRLF but keeps member options verbatim', () => {
    const text = `${set('A', ['10.0.0.1 timeout 300  ', '10.0.0.2 comment "a b"'])}`.replace(/\n/g, '\r\n');
    expect(only(parseIpset(text)).members).toEqual(['10.0.0.1 timeout 300', '10.0.0.2 comment "a b"']);
  });

  it('keeps declaredEntries apart from the members actually listed', () => {
    const text = set('A', ['10.0.0.1']).replace('Number of entries: 1', 'Number of entries: 3');
    expect(only(parseIpset(text))).toMatchObject({ declaredEntries: 3, members: ['10.0.0.1'] });
  });

  it('stores bare header flags (counters, comment, ...) with an empty value', () => {
    const text = set('A', []).replace('maxelem 65536', 'maxelem 65536 counters comment timeout 30');
    expect(only(parseIpset(text)).header).toEqual({
      family: 'inet',
      hashsize: '1024',
      maxelem: '65536',
      counters: '',
      comment: '',
      timeout: '30',
    });
  });

  it('keeps a header option named __proto__ as an ordinary key', () => {
    const header = parseIpset('create A hash:ip __proto__ 1 family inet').sets[0]?.header;
    expect(Object.keys(header ?? {})).toEqual(['__proto__', 'family']);
    expect(Object.getPrototypeOf(header)).toBe(Object.prototype);
  });

  it('returns no sets for empty output (no sets defined)', () => {
    expect(parseIpset('')).toEqual({ sets: [] });
    expect(parseIpset('\n\n')).toEqual({ sets: [] });
  });

  const good = set('A', ['10.0.0.1', '10.0.0.2']);
  test.for([
    ['an elided member list', good.replace('10.0.0.2', '...'), 10, /elided/],
    ['a unicode elision', good.replace('10.0.0.2', '…'), 10, /elided/],
    ['text before the first Name:', `hello\n${good}`, 1, /not `ipset list`/],
    ['XML output', '<ipsets>\n<ipset name="A">', 1, /XML/],
    [
      'a non-numeric Revision',
      good.replace('Revision: 4', 'Revision: four'),
      3,
      /Revision must be an unsigned/,
    ],
    ['a header option without value', good.replace('maxelem 65536', 'maxelem'), 4, /"maxelem" has no value/],
    ['a repeated header option', good.replace('maxelem 65536', 'family inet6'), 4, /appears twice/],
    ['an unknown header line', good.replace('References: 0', 'Refs: 0'), 6, /unknown line in the header/],
    ['a repeated header line', good.replace('References: 0', 'Revision: 4'), 6, /"Revision:" appears twice/],
    [
      'a blank line inside the header',
      good.replace('References: 0\n', '\n'),
      6,
      /blank line inside the header/,
    ],
    ['terse output without Members:', good.replace(/\nMembers:[\s\S]*$/, ''), 7, /no "Members:" line/],
    ['a header line among the members', `${good}\nType: hash:ip`, 11, /among the members/],
    ['an indented member', `${good}\n  10.0.0.3`, 11, /starts with whitespace/],
    ['"Members:" with text after it', good.replace('Members:', 'Members: 1'), 8, /alone on its line/],
    ['the same set listed twice', `${good}\n\n${good}`, 12, /listed twice/],
    ['a set without Type:', good.replace('Type: hash:ip\n', ''), 1, /no "Type:" line/],
    ['save: add before create', 'add KUBE-X 10.0.0.1\ncreate KUBE-X hash:ip', 1, /before its "create"/],
    ['save: add for an unknown set', 'create A hash:ip family inet\nadd B 10.0.0.1', 2, /set "B" before/],
    ['save: a set created twice', 'create A hash:ip\ncreate A hash:ip', 2, /created twice/],
    ['save: a list line inside save', 'create A hash:ip\nName: A', 2, /expected "create/],
    ['save: add without member', 'create A hash:ip\nadd A', 2, /expected "create/],
    ['save: elision', 'create A hash:ip\n...', 2, /elided/],
  ] as const)('rejects %s with a ParseError naming the line', ([, text, line, reason]) => {
    const error = parseError(text);
    expect(error.format).toBe('ipset');
    expect(error.line).toBe(line);
    expect(error.text).toBe(text.split('\n')[line - 1]);
    expect(error.reason).toMatch(reason);
  });
});

// ---- property tests -------------------------------------------------------------------------------

const FIXTURES = [
  'ipset.capture-02-tkng-kube-cluster-ip.txt',
  'ipset.capture-08-tkng-kube-node-port-tcp.txt',
  'ipset.capture-17-kans-kube-cluster-ip.txt',
  'ipset.derived-list-kind-worker-excerpt.txt',
  'ipset.derived-save-kind-worker-v1.31.txt',
  'ipset.k8s-ipset-go-test-empty-bitmap.txt',
].map(body);

/** The property: any input yields a state or a ParseError, never a TypeError or another exception. */
function resultOrParseError(text: string): void {
  try {
    const state = parseIpset(text);
    for (const s of state.sets) for (const m of s.members) expect(m).not.toMatch(/^\s*(\.\.\.|…)\s*$/);
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
    fc.constantFrom('', '...', 'Name: X', 'Members:', 'create A hash:ip', 'add A 1.2.3.4', 'Header: family'),
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

describe('parseIpset properties', () => {
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

  const setName = fc.stringMatching(/^[A-Z][A-Z0-9-]{0,30}$/);
  const member = fc.oneof(
    fc.ipV4(),
    fc
      .tuple(fc.ipV4(), fc.constantFrom('tcp', 'udp', 'sctp'), fc.integer({ min: 1, max: 65535 }))
      .map(([ip, p, port]) => `${ip},${p}:${port}`),
    fc.integer({ min: 0, max: 65535 }).map(String),
    fc.tuple(fc.ipV6(), fc.nat(600)).map(([ip, t]) => `${ip} timeout ${t}`),
  );
  const header = fc
    .record(
      {
        family: fc.constantFrom('inet', 'inet6'),
        hashsize: fc.nat().map(String),
        range: fc.constant('0-65535'),
        initval: fc.integer({ min: 0, max: 0xffffffff }).map((n) => `0x${n.toString(16).padStart(8, '0')}`),
        counters: fc.constant(''),
        comment: fc.constant(''),
      },
      { requiredKeys: [] },
    )
    .map((h) =>
      Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined)),
    );
  const sets = fc.uniqueArray(
    fc.record({
      name: setName,
      type: fc.constantFrom('hash:ip', 'hash:ip,port', 'hash:ip,port,ip', 'bitmap:port', 'hash:net'),
      header,
      members: fc.uniqueArray(member, { maxLength: 6 }),
      revision: fc.nat(9),
      sizeInMemory: fc.nat(),
      references: fc.nat(5),
    }),
    { selector: (s) => s.name, maxLength: 5 },
  );
  const headerText = (h: Record<string, string>): string =>
    Object.entries(h)
      .map(([k, v]) => (v === '' ? k : `${k} ${v}`))
      .join(' ');

  it('round-trips generated sets through `ipset list` and `ipset save` text', () => {
    fc.assert(
      fc.property(sets, (generated) => {
        const list = generated
          .map((s) =>
            [
              `Name: ${s.name}`,
              `Type: ${s.type}`,
              `Revision: ${s.revision}`,
              `Header: ${headerText(s.header)}`,
              `Size in memory: ${s.sizeInMemory}`,
              `References: ${s.references}`,
              `Number of entries: ${s.members.length}`,
              'Members:',
              ...s.members,
            ].join('\n'),
          )
          .join('\n\n');
        const save = generated
          .flatMap((s) => [
            `create ${s.name} ${s.type} ${headerText(s.header)}`.trimEnd(),
            ...s.members.map((m) => `add ${s.name} ${m}`),
          ])
          .join('\n');
        expect(parseIpset(list).sets).toEqual(
          generated.map((s) => ({ ...s, declaredEntries: s.members.length })),
        );
        expect(parseIpset(save).sets).toEqual(
          generated.map((s) => ({
            ...s,
            revision: null,
            sizeInMemory: null,
            references: null,
            declaredEntries: null,
          })),
        );
      }),
      { numRuns: 200 },
    );
  });
});
