import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { ParseError } from './errors.ts';
import { loadFixture } from './fixture-file.ts';
import { normalizeIpv6 } from './ipvs-common.ts';
import { parseIpvsadm } from './ipvsadm.ts';
import { parseProcIpVs } from './proc-ip-vs.ts';
import type { IpvsRealServer, ProcIpVsTable, ProcIpVsVirtualServer } from './types.ts';

function parseErrorOf(text: string): ParseError {
  try {
    parseProcIpVs(text);
  } catch (e: unknown) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a ParseError for ${JSON.stringify(text)}, but it parsed`);
}

function service(
  table: ProcIpVsTable,
  protocol: string,
  address: string,
  port: number,
): ProcIpVsVirtualServer {
  const vs = table.virtualServers.find(
    (v) => v.protocol === protocol && v.address === address && v.port === port,
  );
  if (!vs) throw new Error(`no virtual server ${protocol} ${address}:${port} in the parsed table`);
  return vs;
}

const masq = (
  address: string,
  port: number,
  weight = 1,
  activeConns = 0,
  inactiveConns = 0,
): IpvsRealServer => ({
  address,
  port,
  forward: 'Masq',
  weight,
  activeConns,
  inactiveConns,
});

const HEADER =
  'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n';

// ---- a renderer following ip_vs_info_seq_show(), for round trips ----

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

function hexAddress(address: string): string {
  if (!address.includes(':')) {
    return address
      .split('.')
      .map((o) => hex(Number(o), 2))
      .join('');
  }
  // %pI6: eight groups of four lower-case hex digits.
  const parts = ipaddr.IPv6.parse(address).parts;
  return `[${parts.map((p) => p.toString(16).padStart(4, '0')).join(':')}]`;
}

function renderProc(table: ProcIpVsTable): string {
  let out = HEADER;
  for (const vs of table.virtualServers) {
    const v6 = vs.address.includes(':');
    if (vs.protocol === 'FWM') {
      out += `FWM  ${hex(Number(vs.address), 8)} ${vs.scheduler} ${vs.flags.includes('ops') ? 'ops ' : ''}`;
    } else if (v6) {
      out += `${vs.protocol}  ${hexAddress(vs.address)}:${hex(vs.port, 4)} ${vs.scheduler} `;
    } else {
      out += `${vs.protocol}  ${hexAddress(vs.address)}:${hex(vs.port, 4)} ${vs.scheduler} ${vs.flags.includes('ops') ? 'ops ' : ''}`;
    }
    out +=
      vs.persistentJiffies === null ? '\n' : `persistent ${vs.persistentJiffies} ${vs.persistentNetmask}\n`;
    for (const rs of vs.realServers) {
      out += `  -> ${hexAddress(rs.address)}:${hex(rs.port, 4)}      ${rs.forward.padEnd(7)} ${String(rs.weight).padEnd(6)} ${String(rs.activeConns).padEnd(10)} ${String(rs.inactiveConns).padEnd(10)}\n`;
    }
  }
  return out;
}

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc.ipV6().map((a) => normalizeIpv6(a) ?? '::1');
const signedCount = fc.integer({ min: -2_147_483_648, max: 2_147_483_647 });

const realServer: fc.Arbitrary<IpvsRealServer> = fc.record({
  address: fc.oneof(ipv4, ipv4, ipv6),
  port: fc.nat(65535),
  forward: fc.constantFrom('Masq', 'Local', 'Route', 'Tunnel'),
  weight: fc.nat(2_147_483_647),
  activeConns: signedCount,
  inactiveConns: signedCount,
});

const virtualServer: fc.Arbitrary<ProcIpVsVirtualServer> = fc
  .record({
    kind: fc.constantFrom('TCP', 'UDP', 'SCTP', 'FWM'),
    v6: fc.boolean(),
    v4addr: ipv4,
    v6addr: ipv6,
    mark: fc.integer({ min: 1, max: 4_294_967_295 }),
    port: fc.nat(65535),
    scheduler: fc.constantFrom('rr', 'wrr', 'lc', 'sh', 'none'),
    persistentJiffies: fc.option(fc.nat(2_147_483_647), { nil: null }),
    netmask: fc.constantFrom('FFFFFFFF', 'FFFFFF00', '80000000'),
    ops: fc.boolean(),
    realServers: fc.uniqueArray(realServer, { maxLength: 4, selector: (r) => `${r.address} ${r.port}` }),
  })
  .map((g): ProcIpVsVirtualServer => {
    const v6Service = g.kind !== 'FWM' && g.v6;
    const common = {
      scheduler: g.scheduler,
      // The kernel has no ops column for IPv6 services.
      flags: g.ops && !v6Service ? ['ops'] : [],
      persistentJiffies: g.persistentJiffies,
      persistentNetmask: g.persistentJiffies === null ? null : g.netmask,
      realServers: g.realServers,
    };
    if (g.kind === 'FWM') return { protocol: 'FWM', address: String(g.mark), port: 0, ...common };
    return { protocol: g.kind, address: g.v6 ? g.v6addr : g.v4addr, port: g.port, ...common };
  });

const table: fc.Arbitrary<ProcIpVsTable> = fc.record({
  version: fc.constant('1.2.1'),
  connectionTableSize: fc.constant(4096),
  virtualServers: fc.uniqueArray(virtualServer, {
    maxLength: 6,
    selector: (v) => `${v.protocol} ${v.address} ${v.port}`,
  }),
});

describe('parseProcIpVs on the DERIVED kind-worker file', () => {
  const t = parseProcIpVs(loadFixture('proc-ip-vs.derived-kind-worker.txt').body);

  it('decodes hex addresses and ports, keeping the kernel hash order', () => {
    expect(t.version).toBe('1.2.1');
    expect(t.connectionTableSize).toBe(4096);
    expect(t.virtualServers).toHaveLength(11);
    expect(t.virtualServers.reduce((n, v) => n + v.realServers.length, 0)).toBe(23);
    expect(t.virtualServers[0]).toEqual({
      protocol: 'TCP',
      address: '10.200.1.1',
      port: 443,
      scheduler: 'rr',
      persistentJiffies: null,
      persistentNetmask: null,
      flags: [],
      realServers: [masq('172.18.0.3', 6443, 1, 2, 0)],
    });
    expect(service(t, 'UDP', '10.200.1.10', 53).realServers).toEqual([
      masq('10.10.0.2', 53, 1, 0, 3),
      masq('10.10.0.4', 53, 1, 0, 2),
    ]);
    expect(service(t, 'TCP', '172.18.0.4', 30000).realServers.map((r) => [r.address, r.port])).toEqual([
      ['10.10.1.2', 8080],
      ['10.10.2.2', 8080],
      ['10.10.3.2', 8080],
    ]);
  });

  it('keeps the persistence timeout in jiffies with its netmask', () => {
    expect(service(t, 'TCP', '10.200.1.124', 80)).toMatchObject({
      persistentJiffies: 10_800_000,
      persistentNetmask: 'FFFFFFFF',
    });
    expect(service(t, 'TCP', '10.200.1.124', 80).realServers[2]).toEqual(masq('10.10.3.2', 8080, 0, 0, 1));
  });

  it('describes the same services as the DERIVED `ipvsadm -Ln` of that node (HZ=1000)', () => {
    const ln = parseIpvsadm(loadFixture('ipvsadm.derived-kind-worker-ln.txt').body);
    const key = (v: { protocol: string; address: string; port: number }) =>
      `${v.protocol} ${v.address}:${v.port}`;
    const rows = (rs: readonly IpvsRealServer[]) =>
      rs
        .map((r) => `${r.address}:${r.port} ${r.forward} ${r.weight} ${r.activeConns} ${r.inactiveConns}`)
        .sort();
    const fromProc = t.virtualServers
      .map((v) => [
        key(v),
        v.scheduler,
        v.persistentJiffies === null ? null : v.persistentJiffies / 1000,
        rows(v.realServers),
      ])
      .sort();
    const fromIpvsadm = ln.virtualServers
      .map((v) => [key(v), v.scheduler, v.persistent, rows(v.realServers)])
      .sort();
    expect(fromProc).toEqual(fromIpvsadm);
  });
});

describe('parseProcIpVs forms', () => {
  it('reads IPv6 (%pI6) services and real servers, FWM marks in hex, ops, and negative counters', () => {
    const text =
      HEADER +
      'TCP  [fd00:0010:0096:0000:0000:0000:0000:0001]:01BB rr \n' +
      '  -> [fd00:0010:0244:0001:0000:0000:0000:0006]:20FB      Masq    1      0          0         \n' +
      'FWM  0000000A wlc persistent 360000 FFFFFF00\n' +
      '  -> 0A000006:0000      Route   2      -1         3         \n' +
      'UDP  0AC8010A:0035 rr ops \n' +
      'SCTP 0AC80101:270F sh  persistent 2700000 FFFFFFFF\n';
    const t = parseProcIpVs(text);
    expect(t.virtualServers).toEqual([
      {
        protocol: 'TCP',
        address: 'fd00:10:96::1',
        port: 443,
        scheduler: 'rr',
        persistentJiffies: null,
        persistentNetmask: null,
        flags: [],
        realServers: [masq('fd00:10:244:1::6', 8443)],
      },
      {
        protocol: 'FWM',
        address: '10',
        port: 0,
        scheduler: 'wlc',
        persistentJiffies: 360_000,
        persistentNetmask: 'FFFFFF00',
        flags: [],
        realServers: [
          { address: '10.0.0.6', port: 0, forward: 'Route', weight: 2, activeConns: -1, inactiveConns: 3 },
        ],
      },
      {
        protocol: 'UDP',
        address: '10.200.1.10',
        port: 53,
        scheduler: 'rr',
        persistentJiffies: null,
        persistentNetmask: null,
        flags: ['ops'],
        realServers: [],
      },
      {
        protocol: 'SCTP',
        address: '10.200.1.1',
        port: 9999,
        scheduler: 'sh',
        persistentJiffies: 2_700_000,
        persistentNetmask: 'FFFFFFFF',
        flags: [],
        realServers: [],
      },
    ]);
  });

  it('accepts an empty table and a file without its header lines', () => {
    expect(parseProcIpVs(HEADER)).toEqual({
      version: '1.2.1',
      connectionTableSize: 4096,
      virtualServers: [],
    });
    const bare = parseProcIpVs(
      'TCP  0AC80101:01BB rr  \n  -> AC120003:192B      Masq    1      2          0\n',
    );
    expect(bare.version).toBeNull();
    expect(bare.virtualServers[0]?.realServers).toEqual([masq('172.18.0.3', 6443, 1, 2, 0)]);
  });
});

describe('parseProcIpVs refuses what it does not understand, naming the line', () => {
  const cases: { name: string; text: string; line: number; reason: RegExp }[] = [
    { name: 'ipvsadm dotted addresses', text: `${HEADER}TCP  10.200.1.1:443 rr\n`, line: 4, reason: /hex/ },
    {
      name: 'a lone elision line',
      text: `${HEADER}TCP  0AC80101:01BB rr  \n...\n`,
      line: 5,
      reason: /elision/,
    },
    {
      name: 'a real server before any service',
      text: `${HEADER}  -> AC120003:192B      Masq    1      2          0\n`,
      line: 4,
      reason: /before any virtual-server/,
    },
    { name: 'empty input', text: '', line: 1, reason: /empty input/ },
    {
      name: 'persistent without netmask',
      text: 'TCP  0AC80101:01BB rr  persistent 10800000\n',
      line: 1,
      reason: /netmask/,
    },
    {
      name: 'a non-numeric persistence timeout',
      text: 'TCP  0AC80101:01BB rr  persistent x FFFFFFFF\n',
      line: 1,
      reason: /jiffies/,
    },
    {
      name: 'an unknown flag',
      text: 'TCP  0AC80101:01BB rr  sticky\n',
      line: 1,
      reason: /unexpected "sticky"/,
    },
    { name: 'a decimal FWM mark', text: 'FWM  10 rr \n', line: 1, reason: /hex/ },
    { name: 'FWM mark 0', text: 'FWM  00000000 rr \n', line: 1, reason: /firewall mark/ },
    { name: 'a short hex address', text: 'TCP  AC8101:01BB rr \n', line: 1, reason: /hex/ },
    {
      name: 'an unknown forward',
      text: 'TCP  0AC80101:01BB rr \n  -> AC120003:192B Bypass 1 0 0\n',
      line: 2,
      reason: /forward/,
    },
    {
      name: 'a short real-server row',
      text: 'TCP  0AC80101:01BB rr \n  -> AC120003:192B Masq 1 0\n',
      line: 2,
      reason: /columns/,
    },
    {
      name: 'a service listed twice',
      text: 'TCP  0AC80101:01BB rr \nTCP  0AC80101:01BB rr \n',
      line: 2,
      reason: /twice/,
    },
    {
      name: 'a header after the table',
      text: `TCP  0AC80101:01BB rr \n${HEADER}`,
      line: 2,
      reason: /banner/,
    },
    { name: 'a wrong header', text: 'Prot LocalAddress:Port Conns\n', line: 1, reason: /header line/ },
    { name: 'an unknown protocol', text: 'AH   0AC80101:01BB rr \n', line: 1, reason: /not a line/ },
  ];

  it.for(cases)('$name', ({ text, line, reason }) => {
    const err = parseErrorOf(text);
    expect(err.format).toBe('proc-ip-vs');
    expect(err.line).toBe(line);
    expect(err.text).toBe(text.split('\n')[line - 1] ?? '');
    expect(err.reason).toMatch(reason);
  });
});

function onlyResultOrParseError(text: string): void {
  try {
    parseProcIpVs(text);
  } catch (e: unknown) {
    if (!(e instanceof ParseError)) throw e;
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    expect(e.format).toBe('proc-ip-vs');
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(Math.max(1, lines.length));
    expect(e.text).toBe(lines[e.line - 1] ?? '');
  }
}

const FRAGMENTS = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
  'TCP  ',
  'UDP  ',
  'FWM  ',
  '  -> ',
  '0AC80101:01BB',
  '[fd00:0000:0000:0000:0000:0000:0000:0001]:0050',
  '0000000A',
  'rr',
  ' ops ',
  'persistent ',
  '10800000',
  'FFFFFFFF',
  'Masq',
  ' ',
  '\n',
  '-1',
  '...',
  'G',
];

describe('parseProcIpVs properties', () => {
  it('random text yields a table or a ParseError, never another error', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), onlyResultOrParseError), {
      numRuns: 300,
    });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((p) => p.join('')),
        onlyResultOrParseError,
      ),
      { numRuns: 500 },
    );
  });

  it('valid files mutated by random line edits yield a table or a ParseError at a real line', () => {
    const source = fc.oneof(
      fc.constant(loadFixture('proc-ip-vs.derived-kind-worker.txt').body),
      table.map((t) => renderProc(t)),
    );
    const edit = fc.record({
      at: fc.nat(),
      op: fc.constantFrom('delete', 'duplicate', 'replace', 'truncate', 'swap'),
      text: fc.oneof(fc.string(), fc.constantFrom(...FRAGMENTS)),
      n: fc.nat(70),
    });
    fc.assert(
      fc.property(source, fc.array(edit, { minLength: 1, maxLength: 4 }), (text, edits) => {
        const lines = text.split('\n');
        for (const e of edits) {
          const i = e.at % lines.length;
          const line = lines[i] ?? '';
          if (e.op === 'delete') lines.splice(i, 1);
          else if (e.op === 'duplicate') lines.splice(i, 0, line);
          else if (e.op === 'replace') lines[i] = e.text;
          else if (e.op === 'truncate') lines[i] = line.slice(0, e.n);
          else {
            const j = e.n % lines.length;
            lines[i] = lines[j] ?? '';
            lines[j] = line;
          }
          if (lines.length === 0) break;
        }
        onlyResultOrParseError(lines.join('\n'));
      }),
      { numRuns: 400 },
    );
  });

  it('a generated table rendered as /proc/net/ip_vs parses back to itself', () => {
    fc.assert(
      fc.property(table, (t) => {
        expect(parseProcIpVs(renderProc(t))).toEqual(t);
      }),
      { numRuns: 200 },
    );
  });
});
