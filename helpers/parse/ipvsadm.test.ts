import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from './errors.ts';
import { loadFixture } from './fixture-file.ts';
import { normalizeIpv6 } from './ipvs-common.ts';
import { parseIpvsadm } from './ipvsadm.ts';
import type { IpvsCounters, IpvsRealServer, IpvsTable, IpvsVirtualServer } from './types.ts';

function parseErrorOf(text: string): ParseError {
  try {
    parseIpvsadm(text);
  } catch (e: unknown) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a ParseError for ${JSON.stringify(text)}, but it parsed`);
}

function service(table: IpvsTable, protocol: string, address: string, port: number): IpvsVirtualServer {
  const vs = table.virtualServers.find(
    (v) => v.protocol === protocol && v.address === address && v.port === port,
  );
  if (!vs) throw new Error(`no virtual server ${protocol} ${address}:${port} in the parsed table`);
  return vs;
}

function realServerCount(table: IpvsTable): number {
  return table.virtualServers.reduce((n, vs) => n + vs.realServers.length, 0);
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

const TITLES =
  'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
const BANNER = 'IP Virtual Server version 1.2.1 (size=4096)\n';

// ---- a renderer that follows ipvsadm 1.31's printf formats, for round trips and the benchmark ----

type Form = 'list' | 'stats';

function largenum(n: number): string {
  if (n < 1e8) return String(n).padStart(9);
  if (n < 1e9) return `${String(Math.floor(n / 1e3)).padStart(8)}K`;
  if (n < 1e11) return `${String(Math.floor(n / 1e6)).padStart(8)}M`;
  if (n < 1e14) return `${String(Math.floor(n / 1e9)).padStart(8)}G`;
  return `${String(Math.floor(n / 1e12)).padStart(8)}T`;
}

function addrPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function svcName(vs: IpvsVirtualServer): string {
  if (vs.protocol === 'FWM') return `FWM  ${vs.address}${vs.family === 'inet6' ? ' IPv6' : ''}`;
  return `${vs.protocol.padEnd(4)} ${addrPort(vs.address, vs.port)}`;
}

const STATS_ORDER = ['conns', 'inPkts', 'outPkts', 'inBytes', 'outBytes'] as const;
const statsColumns = (s: IpvsCounters | undefined): string =>
  STATS_ORDER.map((k) => largenum(s?.[k] ?? 0)).join('');

function renderIpvsadm(table: IpvsTable, form: Form = 'list', banner = true): string {
  const out: string[] = [];
  if (banner) out.push(`IP Virtual Server version ${table.version} (size=${table.connectionTableSize})`);
  if (form === 'list') out.push(TITLES.trimEnd());
  else
    out.push(
      `${'Prot LocalAddress:Port'.padEnd(33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((c) => c.padStart(8)).join(' ')}`,
      '  -> RemoteAddress:Port',
    );
  for (const vs of table.virtualServers) {
    if (form === 'stats') out.push(`${svcName(vs).padEnd(33)}${statsColumns(vs.stats)}`);
    else {
      let line = `${svcName(vs)} ${vs.scheduler}`;
      const schedFlags = vs.flags.filter((f) => /^(sh|mh)-/.test(f));
      if (schedFlags.length > 0) line += ` (${schedFlags.join(',')})`;
      if (vs.persistent !== null) line += ` persistent ${vs.persistent}`;
      for (const f of vs.flags) if (/^(mask|pe) /.test(f)) line += ` ${f}`;
      if (vs.flags.includes('ops')) line += ' ops';
      out.push(line);
    }
    for (const rs of vs.realServers) {
      const name = addrPort(rs.address, rs.port).padEnd(28);
      if (form === 'stats') out.push(`  -> ${name}${statsColumns(rs.stats)}`);
      else
        out.push(
          `  -> ${name} ${rs.forward.padEnd(7)} ${String(rs.weight).padEnd(6)} ${String(rs.activeConns).padEnd(10)} ${String(rs.inactiveConns).padEnd(10)}`,
        );
    }
  }
  return `${out.join('\n')}\n`;
}

// ---- arbitraries: tables ipvsadm could print ----

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'));
// RFC 5952 text, the form the parser normalises to.
const ipv6 = fc.ipV6().map((a) => normalizeIpv6(a) ?? '::1');
const port = fc.nat(65535);
const counter = fc.nat(4_294_967_295);

const realServer: fc.Arbitrary<IpvsRealServer> = fc.record({
  address: fc.oneof(ipv4, ipv4, ipv6),
  port,
  forward: fc.constantFrom('Masq', 'Local', 'Route', 'Tunnel'),
  weight: fc.nat(2_147_483_647),
  activeConns: counter,
  inactiveConns: counter,
});

const virtualServer: fc.Arbitrary<IpvsVirtualServer> = fc
  .record({
    kind: fc.constantFrom('TCP', 'UDP', 'SCTP', 'FWM'),
    v6: fc.boolean(),
    v4addr: ipv4,
    v6addr: ipv6,
    mark: fc.integer({ min: 1, max: 4_294_967_295 }),
    port,
    scheduler: fc.constantFrom('rr', 'wrr', 'lc', 'wlc', 'sh', 'mh', 'sed', 'nq', 'lblcr'),
    schedFlags: fc.subarray(['fallback', 'port']),
    persistent: fc.option(fc.nat(4_294_967_295), { nil: null }),
    mask: fc.option(fc.constantFrom('255.255.255.0', '255.255.0.0'), { nil: null }),
    pe: fc.option(fc.constant('sip'), { nil: null }),
    ops: fc.boolean(),
    realServers: fc.uniqueArray(realServer, { maxLength: 5, selector: (r) => `${r.address} ${r.port}` }),
  })
  .map((g): IpvsVirtualServer => {
    const flags: string[] = [];
    if (g.scheduler === 'sh' || g.scheduler === 'mh')
      flags.push(...g.schedFlags.map((f) => `${g.scheduler}-${f}`));
    if (g.persistent !== null && g.mask !== null && !g.v6) flags.push(`mask ${g.mask}`);
    if (g.persistent !== null && g.pe !== null) flags.push(`pe ${g.pe}`);
    if (g.ops) flags.push('ops');
    const common = { scheduler: g.scheduler, persistent: g.persistent, flags, realServers: g.realServers };
    if (g.kind === 'FWM') {
      return {
        protocol: 'FWM',
        address: String(g.mark),
        port: 0,
        family: g.v6 ? 'inet6' : 'inet',
        ...common,
      };
    }
    return { protocol: g.kind, address: g.v6 ? g.v6addr : g.v4addr, port: g.port, ...common };
  });

const table: fc.Arbitrary<IpvsTable> = fc.record({
  version: fc.constant('1.2.1'),
  connectionTableSize: fc.constantFrom(4096, 1048576),
  virtualServers: fc.uniqueArray(virtualServer, {
    maxLength: 6,
    selector: (v) => `${v.protocol} ${v.family ?? ''} ${v.address} ${v.port}`,
  }),
});

// ---- fixtures ----

describe('parseIpvsadm on captured and derived outputs', () => {
  it('reads capture 01 (tkng kind worker, `ipvsadm -ln`): 12 services, 20 real servers, all rr and Masq 1', () => {
    const t = parseIpvsadm(loadFixture('ipvsadm.tkng-kind-ln.txt').body);
    expect(t.version).toBe('1.2.1');
    expect(t.connectionTableSize).toBe(4096);
    expect(t.listForm).toBeUndefined();
    expect(t.virtualServers).toHaveLength(12);
    expect(realServerCount(t)).toBe(20);
    expect(new Set(t.virtualServers.map((v) => v.scheduler))).toEqual(new Set(['rr']));
    expect(t.virtualServers.every((v) => v.persistent === null && v.flags.length === 0)).toBe(true);
    expect(
      t.virtualServers.flatMap((v) => v.realServers).every((r) => r.forward === 'Masq' && r.weight === 1),
    ).toBe(true);
    expect(service(t, 'UDP', '10.96.0.10', 53)).toEqual({
      protocol: 'UDP',
      address: '10.96.0.10',
      port: 53,
      scheduler: 'rr',
      persistent: null,
      flags: [],
      realServers: [masq('10.244.0.3', 53, 1, 0, 8), masq('10.244.0.4', 53, 1, 0, 8)],
    });
    expect(service(t, 'TCP', '10.96.0.1', 443).realServers).toEqual([masq('192.168.224.3', 6443)]);
    expect(service(t, 'TCP', '10.96.119.228', 80).realServers).toEqual([
      masq('10.244.1.6', 80),
      masq('10.244.2.4', 80),
    ]);
    // Order as printed: the NodePort on the node IP first, the 127.0.0.1 one just before UDP.
    expect(t.virtualServers.map((v) => `${v.protocol} ${v.address}:${v.port}`)).toEqual([
      'TCP 192.168.224.4:31730',
      'TCP 10.96.0.1:443',
      'TCP 10.96.0.10:53',
      'TCP 10.96.0.10:9153',
      'TCP 10.96.10.207:3030',
      'TCP 10.96.68.46:3030',
      'TCP 10.96.119.228:80',
      'TCP 10.96.148.225:80',
      'TCP 10.96.159.35:11211',
      'TCP 10.244.2.1:31730',
      'TCP 127.0.0.1:31730',
      'UDP 10.96.0.10:53',
    ]);
  });

  it('reads the kubernetes README sample with `persistent 10800` on the API service', () => {
    const t = parseIpvsadm(loadFixture('ipvsadm.k8s-readme-ln-debug.txt').body);
    expect(t.virtualServers).toHaveLength(3);
    expect(service(t, 'TCP', '10.0.0.1', 443)).toMatchObject({
      scheduler: 'rr',
      persistent: 10800,
      flags: [],
      realServers: [masq('192.168.0.1', 6443, 1, 1, 0)],
    });
    expect(service(t, 'UDP', '10.0.0.10', 53).persistent).toBeNull();
  });

  it('reads the tkng NodePort excerpts: the full list and a grep of service lines without banner', () => {
    const full = parseIpvsadm(loadFixture('ipvsadm.tkng-kind-nodeport-ln.txt').body);
    expect(full.virtualServers).toHaveLength(1);
    expect(service(full, 'TCP', '192.168.224.2', 30064).realServers.map((r) => r.address)).toEqual([
      '10.244.1.6',
      '10.244.2.7',
      '10.244.2.8',
    ]);
    const grep = parseIpvsadm(loadFixture('ipvsadm.tkng-kind-nodeport-grep.txt').body);
    expect(grep.version).toBeNull();
    expect(grep.connectionTableSize).toBeNull();
    expect(grep.virtualServers.map((v) => [v.address, v.port, v.realServers.length])).toEqual([
      ['192.168.224.2', 30064, 0],
      ['10.244.1.1', 30064, 0],
      ['127.0.0.1', 30064, 0],
    ]);
  });

  it('reads the DERIVED kind-worker list: weight-0 terminating real server, persistence, trailing spaces', () => {
    const t = parseIpvsadm(loadFixture('ipvsadm.derived-kind-worker-ln.txt').body);
    expect(t.virtualServers).toHaveLength(11);
    expect(realServerCount(t)).toBe(23);
    // ipvsadm's signed-overflow sort puts 172.18.x before 10.x; the parser keeps the printed order.
    expect(t.virtualServers[0]).toMatchObject({ address: '172.18.0.4', port: 30000 });
    expect(service(t, 'TCP', '10.200.1.124', 80)).toEqual({
      protocol: 'TCP',
      address: '10.200.1.124',
      port: 80,
      scheduler: 'rr',
      persistent: 10800,
      flags: [],
      realServers: [masq('10.10.1.2', 8080), masq('10.10.2.2', 8080), masq('10.10.3.2', 8080, 0, 0, 1)],
    });
    expect(service(t, 'TCP', '10.200.1.123', 80).realServers.map((r) => r.inactiveConns)).toEqual([
      33, 33, 34,
    ]);
  });

  it('reads the DERIVED --stats form, expanding K and G counters, and marks the placeholders', () => {
    const t = parseIpvsadm(loadFixture('ipvsadm.derived-kind-worker-stats.txt').body);
    expect(t.listForm).toBe('stats');
    expect(t.virtualServers).toHaveLength(11);
    expect(realServerCount(t)).toBe(23);
    const big = service(t, 'TCP', '172.18.0.4', 30001);
    expect(big.stats).toEqual({
      conns: 123_456_000,
      inPkts: 987_654_000,
      outPkts: 0,
      inBytes: 120e9,
      outBytes: 5,
    });
    expect(big.realServers[0]?.stats).toEqual(big.stats);
    expect(big).toMatchObject({ scheduler: '', persistent: null, flags: [] });
    expect(service(t, 'UDP', '10.200.1.10', 53).realServers.map((r) => [r.address, r.stats?.conns])).toEqual([
      ['10.10.0.2', 21],
      ['10.10.0.4', 20],
    ]);
  });

  it('reads the DERIVED --rate form', () => {
    const t = parseIpvsadm(loadFixture('ipvsadm.derived-kind-worker-rate.txt').body);
    expect(t.listForm).toBe('rate');
    expect(service(t, 'TCP', '10.200.1.1', 443).stats).toEqual({
      cps: 0,
      inPps: 3,
      outPps: 2,
      inBps: 250,
      outBps: 900,
    });
    expect(service(t, 'TCP', '10.200.1.123', 80).stats).toEqual({
      cps: 1,
      inPps: 6,
      outPps: 5,
      inBps: 415,
      outBps: 810,
    });
    expect(service(t, 'TCP', '10.200.1.1', 443).realServers[0]?.stats?.outBps).toBe(900);
  });

  it('reads the DERIVED --persistent-conn form and agrees with the plain list on weights and counts', () => {
    const pc = parseIpvsadm(loadFixture('ipvsadm.derived-kind-worker-persistent-conn.txt').body);
    const ln = parseIpvsadm(loadFixture('ipvsadm.derived-kind-worker-ln.txt').body);
    expect(pc.listForm).toBe('persistent-conn');
    expect(service(pc, 'TCP', '10.200.1.124', 80).persistent).toBe(10800);
    expect(service(pc, 'TCP', '10.200.1.124', 80).realServers[0]?.persistentConns).toBe(1);
    const strip = (t: IpvsTable) =>
      t.virtualServers.map((v) => ({
        key: `${v.protocol} ${v.address}:${v.port} ${v.scheduler} ${v.persistent}`,
        rs: v.realServers.map((r) => [r.address, r.port, r.weight, r.activeConns, r.inactiveConns]),
      }));
    expect(strip(pc)).toEqual(strip(ln));
  });

  it('refuses `ipvsadm -S` save rules at line 1', () => {
    const body = loadFixture('ipvsadm.derived-kind-worker-save.txt').body;
    const err = parseErrorOf(body);
    expect(err.format).toBe('ipvsadm');
    expect(err.line).toBe(1);
    expect(err.text).toBe('-A -t 172.18.0.4:30000 -s rr');
    expect(err.reason).toMatch(/-S/);
  });
});

// ---- forms and edge cases ----

describe('parseIpvsadm forms', () => {
  it('reads the `-t addr:port` single-service form (titles, no banner)', () => {
    const t = parseIpvsadm(
      `${TITLES}TCP  10.200.1.124:80 rr persistent 10800\n  -> 10.10.1.2:8080               Masq    1      0          0         \n`,
    );
    expect(t).toEqual({
      version: null,
      connectionTableSize: null,
      virtualServers: [
        {
          protocol: 'TCP',
          address: '10.200.1.124',
          port: 80,
          scheduler: 'rr',
          persistent: 10800,
          flags: [],
          realServers: [masq('10.10.1.2', 8080)],
        },
      ],
    });
  });

  it('accepts empty tables: banner only, banner and titles, titles only', () => {
    for (const text of [BANNER, BANNER + TITLES, TITLES]) {
      expect(parseIpvsadm(text).virtualServers).toEqual([]);
    }
    expect(parseIpvsadm(BANNER)).toMatchObject({ version: '1.2.1', connectionTableSize: 4096 });
  });

  it('reads SCTP, FWM (IPv4 and IPv6), IPv6 brackets, all forward methods and every service flag', () => {
    const text =
      BANNER +
      TITLES +
      'TCP  10.0.0.1:80 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0 pe sip ops\n' +
      '  -> 10.0.0.2:80                  Local   1      0          0         \n' +
      '  -> 10.0.0.3:80                  Route   2      0          0         \n' +
      '  -> 10.0.0.4:80                  Tunnel  3      4          5         \n' +
      'SCTP 10.0.0.1:9999 rr\n' +
      '  -> 10.0.0.5:9999                Masq    1      0          0         \n' +
      'TCP  [FD00:10:96::0001]:443 rr persistent 10800 mask 64\n' +
      '  -> [fd00:10:244:1::6]:8443 Masq    1      0          0         \n' +
      'FWM  7 wlc\n' +
      '  -> 10.0.0.6:0                   Masq    1      0          0         \n' +
      'FWM  7 IPv6 mh (mh-port)\n' +
      '  -> [2001:db8::1]:0 Masq    1      0          0         \n';
    const t = parseIpvsadm(text);
    expect(
      t.virtualServers.map((v) => [v.protocol, v.address, v.port, v.scheduler, v.persistent, v.flags]),
    ).toEqual([
      ['TCP', '10.0.0.1', 80, 'sh', 300, ['sh-fallback', 'sh-port', 'mask 255.255.255.0', 'pe sip', 'ops']],
      ['SCTP', '10.0.0.1', 9999, 'rr', null, []],
      ['TCP', 'fd00:10:96::1', 443, 'rr', 10800, ['mask 64']],
      ['FWM', '7', 0, 'wlc', null, []],
      ['FWM', '7', 0, 'mh', null, ['mh-port']],
    ]);
    expect(t.virtualServers.map((v) => v.family)).toEqual([undefined, undefined, undefined, 'inet', 'inet6']);
    expect(
      t.virtualServers[0]?.realServers.map((r) => [r.forward, r.weight, r.activeConns, r.inactiveConns]),
    ).toEqual([
      ['Local', 1, 0, 0],
      ['Route', 2, 0, 0],
      ['Tunnel', 3, 4, 5],
    ]);
    expect(t.virtualServers[2]?.realServers[0]).toMatchObject({ address: 'fd00:10:244:1::6', port: 8443 });
  });

  it('reads the --thresholds form, CRLF line ends and blank lines', () => {
    const text =
      `${BANNER}Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn\r\n  -> RemoteAddress:Port\r\n` +
      '\r\nTCP  10.0.0.1:80 rr\r\n  -> 10.0.0.2:80                  100        10         3          4         \r\n';
    const t = parseIpvsadm(text);
    expect(t.listForm).toBe('thresholds');
    expect(t.virtualServers[0]?.realServers[0]).toMatchObject({
      upperThreshold: 100,
      lowerThreshold: 10,
      activeConns: 3,
      inactiveConns: 4,
    });
  });

  it('expands every print_largenum suffix (M, T) and keeps --exact numbers whole', () => {
    const head = `${'Prot LocalAddress:Port'.padEnd(33)}    Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\n`;
    const t = parseIpvsadm(
      `${head}${'UDP  10.0.0.1:53'.padEnd(33)}     1234M        1T 123456789012 99999999        0\n`,
    );
    expect(t.virtualServers[0]?.stats).toEqual({
      conns: 1_234_000_000,
      inPkts: 1e12,
      outPkts: 123_456_789_012,
      inBytes: 99_999_999,
      outBytes: 0,
    });
  });
});

const HOSTNAME_HINT = /-n/;

describe('parseIpvsadm refuses what it does not understand, naming the line', () => {
  const cases: { name: string; text: string; line: number; reason: RegExp }[] = [
    {
      name: 'a host and service name (ipvsadm without -n)',
      text: `${BANNER}${TITLES}TCP  kubernetes.default:https rr\n`,
      line: 4,
      reason: HOSTNAME_HINT,
    },
    {
      name: 'a resolved real-server name',
      text: `${TITLES}TCP  10.96.0.1:80 rr\n  -> 10-244-1-6.web.default:http Masq    1      0          0\n`,
      line: 4,
      reason: HOSTNAME_HINT,
    },
    { name: 'a service port name only', text: 'TCP  10.96.0.1:https rr\n', line: 1, reason: HOSTNAME_HINT },
    {
      name: 'a lone elision line',
      text: `${BANNER}${TITLES}TCP  10.0.0.1:80 rr\n...\n`,
      line: 5,
      reason: /elision/,
    },
    {
      name: 'a real server before any virtual server',
      text: `${BANNER}${TITLES}  -> 10.0.0.2:80 Masq 1 0 0\n`,
      line: 4,
      reason: /before any virtual-server/,
    },
    { name: 'empty input', text: '', line: 1, reason: /empty input/ },
    { name: 'blank input', text: '\n  \n', line: 1, reason: /empty input/ },
    {
      name: 'an unknown flag',
      text: 'TCP  10.0.0.1:80 rr sticky\n',
      line: 1,
      reason: /unknown service flag "sticky"/,
    },
    {
      name: 'persistent without a number',
      text: 'TCP  10.0.0.1:80 rr persistent\n',
      line: 1,
      reason: /persistence/,
    },
    {
      name: 'a virtual server listed twice',
      text: 'TCP  10.0.0.1:80 rr\nUDP  10.0.0.1:80 rr\nTCP  10.0.0.1:80 rr\n',
      line: 3,
      reason: /twice/,
    },
    {
      name: 'a real server listed twice',
      text: 'TCP  10.0.0.1:80 rr\n  -> 10.0.0.2:80 Masq 1 0 0\n  -> 10.0.0.2:80 Masq 1 0 0\n',
      line: 3,
      reason: /twice/,
    },
    { name: 'a second banner', text: `${BANNER}TCP  10.0.0.1:80 rr\n${BANNER}`, line: 3, reason: /banner/ },
    {
      name: 'a first title line alone',
      text: `${BANNER}Prot LocalAddress:Port Scheduler Flags\n`,
      line: 2,
      reason: /ends after/,
    },
    {
      name: 'a first title line followed by a service',
      text: 'Prot LocalAddress:Port Scheduler Flags\nTCP  10.0.0.1:80 rr\n',
      line: 2,
      reason: /second title/,
    },
    {
      name: 'the --tun-info form',
      text: 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n',
      line: 2,
      reason: /tun-info/,
    },
    {
      name: 'a (null) forward method',
      text: 'TCP  10.0.0.1:80 rr\n  -> 10.0.0.2:80 (null) 1 0 0\n',
      line: 2,
      reason: /forward/,
    },
    { name: 'a port above 65535', text: 'TCP  10.0.0.1:65536 rr\n', line: 1, reason: /port/ },
    { name: 'an octet above 255', text: 'TCP  10.0.0.256:80 rr\n', line: 1, reason: /numeric/ },
    { name: 'an unknown protocol', text: '?    10.0.0.1:80 rr\n', line: 1, reason: /not a line/ },
    {
      name: 'a --stats row without its title line',
      text: 'TCP  10.0.0.1:80                      14       84       70     5810    11340\n',
      line: 1,
      reason: /title line/,
    },
    {
      name: 'a plain row under a --stats title',
      text: 'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\nTCP  10.0.0.1:80 rr\n',
      line: 3,
      reason: /counters/,
    },
    {
      name: 'a short real-server row',
      text: 'TCP  10.0.0.1:80 rr\n  -> 10.0.0.2:80 Masq 1 0\n',
      line: 2,
      reason: /columns/,
    },
    { name: 'FWM mark 0', text: 'FWM  0 rr\n', line: 1, reason: /firewall mark/ },
    { name: 'a zone id in an IPv6 address', text: 'TCP  [fe80::1%eth0]:80 rr\n', line: 1, reason: /numeric/ },
    { name: 'a shell prompt line', text: '$ ipvsadm -Ln\n', line: 1, reason: /not a line/ },
  ];

  it.for(cases)('$name', ({ text, line, reason }) => {
    const err = parseErrorOf(text);
    expect(err.format).toBe('ipvsadm');
    expect(err.line).toBe(line);
    expect(err.text).toBe(text.split('\n')[line - 1]?.replace(/\r$/, '') ?? '');
    expect(err.reason).toMatch(reason);
  });
});

// ---- properties ----

function onlyResultOrParseError(text: string): void {
  let result: IpvsTable | undefined;
  try {
    result = parseIpvsadm(text);
  } catch (e: unknown) {
    if (!(e instanceof ParseError)) throw e;
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    // The error points at a real line of the input and quotes it verbatim.
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(Math.max(1, lines.length));
    expect(e.text).toBe(lines[e.line - 1] ?? '');
    return;
  }
  expect(Array.isArray(result.virtualServers)).toBe(true);
}

const FRAGMENTS = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  'Prot LocalAddress:Port Conns InPkts OutPkts InBytes OutBytes',
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  '  -> RemoteAddress:Port',
  'TCP  ',
  'UDP  ',
  'SCTP ',
  'FWM  ',
  '  -> ',
  '10.0.0.1:80',
  '[fd00::1]:443',
  '[',
  ']:',
  ':',
  'rr',
  ' persistent ',
  ' mask ',
  ' pe ',
  ' ops',
  '(sh-port)',
  'Masq',
  'Tunnel',
  ' ',
  '   ',
  '\n',
  '\r\n',
  '0',
  '1',
  '99999999999999999999',
  '123K',
  '7T',
  '-1',
  '...',
  'IPv6',
];

const VALID_TEXTS = [
  loadFixture('ipvsadm.tkng-kind-ln.txt').body,
  loadFixture('ipvsadm.derived-kind-worker-ln.txt').body,
  loadFixture('ipvsadm.derived-kind-worker-stats.txt').body,
  loadFixture('ipvsadm.derived-kind-worker-rate.txt').body,
  loadFixture('ipvsadm.derived-kind-worker-persistent-conn.txt').body,
];

type Edit =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'truncate'; at: number; keep: number }
  | { kind: 'char'; at: number; pos: number; char: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.string(), fc.constantFrom(...FRAGMENTS)),
  }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.string() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), keep: fc.nat(80) }),
  fc.record({
    kind: fc.constant('char' as const),
    at: fc.nat(),
    pos: fc.nat(80),
    char: fc.string({ minLength: 1, maxLength: 1 }),
  }),
);

function applyEdits(text: string, edits: readonly Edit[]): string {
  const lines = text.split('\n');
  for (const e of edits) {
    if (lines.length === 0) break;
    const i = e.at % lines.length;
    const line = lines[i] ?? '';
    switch (e.kind) {
      case 'delete':
        lines.splice(i, 1);
        break;
      case 'duplicate':
        lines.splice(i, 0, line);
        break;
      case 'swap': {
        const j = e.with % lines.length;
        lines[i] = lines[j] ?? '';
        lines[j] = line;
        break;
      }
      case 'insert':
        lines.splice(i, 0, e.text);
        break;
      case 'replace':
        lines[i] = e.text;
        break;
      case 'truncate':
        lines[i] = line.slice(0, e.keep);
        break;
      case 'char':
        lines[i] = line.slice(0, e.pos) + e.char + line.slice(e.pos + 1);
        break;
    }
  }
  return lines.join('\n');
}

describe('parseIpvsadm properties', () => {
  it('random text yields a table or a ParseError, never another error', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), onlyResultOrParseError), {
      numRuns: 300,
    });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join('')),
        onlyResultOrParseError,
      ),
      { numRuns: 500 },
    );
  });

  it('valid tables mutated by random line edits yield a table or a ParseError at a real line', () => {
    const source = fc.oneof(
      fc.constantFrom(...VALID_TEXTS),
      table.map((t) => renderIpvsadm(t)),
    );
    fc.assert(
      fc.property(source, fc.array(edit, { minLength: 1, maxLength: 4 }), (text, edits) => {
        onlyResultOrParseError(applyEdits(text, edits));
      }),
      { numRuns: 400 },
    );
  });

  it('a generated table rendered as `ipvsadm -Ln` parses back to itself (with and without banner)', () => {
    fc.assert(
      fc.property(table, fc.boolean(), (t, banner) => {
        const parsed = parseIpvsadm(renderIpvsadm(t, 'list', banner));
        expect(parsed).toEqual(banner ? t : { ...t, version: null, connectionTableSize: null });
      }),
      { numRuns: 200 },
    );
  });

  it('--stats counters parse back to the truncated value print_largenum shows', () => {
    const big = fc.oneof(fc.nat(99_999_999), fc.integer({ min: 1e8, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(fc.tuple(big, big, big, big, big), ([conns, inPkts, outPkts, inBytes, outBytes]) => {
        const stats = { conns, inPkts, outPkts, inBytes, outBytes };
        const t: IpvsTable = {
          version: '1.2.1',
          connectionTableSize: 4096,
          virtualServers: [
            {
              protocol: 'TCP',
              address: '10.0.0.1',
              port: 80,
              scheduler: 'rr',
              persistent: null,
              flags: [],
              stats,
              realServers: [{ ...masq('10.0.0.2', 80), stats }],
            },
          ],
        };
        const parsed = parseIpvsadm(renderIpvsadm(t, 'stats')).virtualServers[0]?.stats ?? {};
        for (const key of STATS_ORDER) {
          const shown = parsed[key] ?? -1;
          const real = stats[key];
          expect(shown).toBeLessThanOrEqual(real);
          // Truncation loses less than one unit of the suffix, which is below 1% of the value.
          expect(real - shown).toBeLessThanOrEqual(real < 1e8 ? 0 : real / 100);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseIpvsadm performance', () => {
  it('parses 10,000 virtual servers x 10 real servers in linear time', () => {
    const virtualServers: IpvsVirtualServer[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const realServers: IpvsRealServer[] = [];
      for (let r = 0; r < 10; r += 1)
        realServers.push(masq(`10.${r}.${i >> 8}.${i & 255}`, 8080, 1, r, i % 7));
      virtualServers.push({
        protocol: i % 3 === 0 ? 'UDP' : 'TCP',
        address: `10.200.${i >> 8}.${i & 255}`,
        port: 80,
        scheduler: 'rr',
        persistent: i % 5 === 0 ? 10800 : null,
        flags: [],
        realServers,
      });
    }
    const text = renderIpvsadm({ version: '1.2.1', connectionTableSize: 4096, virtualServers });
    const started = performance.now();
    const parsed = parseIpvsadm(text);
    const elapsed = performance.now() - started;
    expect(parsed.virtualServers).toHaveLength(10_000);
    expect(realServerCount(parsed)).toBe(100_000);
    // About 0.2 s on a laptop; the bound only catches a quadratic slip (which would take minutes).
    expect(elapsed).toBeLessThan(5_000);
  });
});
