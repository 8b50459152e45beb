import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from './errors.ts';
import { loadFixture } from './fixture-file.ts';
import { parseIpAddr } from './ip-addr.ts';
import type { IpInterface } from './types.ts';

function parseErrorOf(text: string): ParseError {
  try {
    parseIpAddr(text);
  } catch (e: unknown) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a ParseError for ${JSON.stringify(text.slice(0, 200))}, but it parsed`);
}

function byName(ifs: readonly IpInterface[], name: string): IpInterface {
  const found = ifs.find((i) => i.name === name);
  if (!found) throw new Error(`no interface ${name} in ${ifs.map((i) => i.name).join(', ')}`);
  return found;
}

const KUBE_IPVS0_CLUSTER_IPS = [
  '10.200.1.10/32',
  '10.200.1.1/32',
  '10.200.1.123/32',
  '10.200.1.124/32',
  '10.200.1.125/32',
];

describe('parseIpAddr on text fixtures', () => {
  it('reads the real `ip -d link show kube-ipvs0` of a kind worker (no addresses, kind dummy)', () => {
    const { interfaces } = parseIpAddr(loadFixture('ip-addr.tkng-kind-ip-link-kube-ipvs0.txt').body);
    expect(interfaces).toEqual([
      {
        name: 'kube-ipvs0',
        index: 7,
        type: 'dummy',
        state: 'DOWN',
        flags: ['BROADCAST', 'NOARP'],
        addresses: [],
      },
    ]);
  });

  it('reads the real `ip a` kube-ipvs0 of an ACK node: six /32 ClusterIPs, no kind without -d', () => {
    const { interfaces } = parseIpAddr(loadFixture('ip-addr.ack-ip-a-kube-ipvs0.txt').body);
    expect(interfaces).toHaveLength(1);
    const ipvs0 = byName(interfaces, 'kube-ipvs0');
    expect(ipvs0.index).toBe(3);
    expect(ipvs0.type).toBeNull();
    expect(ipvs0.state).toBe('DOWN');
    expect(ipvs0.addresses).toEqual([
      '192.168.192.245/32',
      '192.168.0.10/32',
      '192.168.3.55/32',
      '192.168.0.1/32',
      '192.168.18.230/32',
      '192.168.149.209/32',
    ]);
  });

  it('reads a whole `ip -d addr` of a kind node: names without @link, kinds, IPv4 and IPv6', () => {
    const { interfaces } = parseIpAddr(loadFixture('ip-addr.DERIVED-ip-d-addr-kind-worker.txt').body);
    expect(interfaces.map((i) => [i.index, i.name, i.type, i.state])).toEqual([
      [1, 'lo', null, 'UNKNOWN'],
      [3, 'kube-ipvs0', 'dummy', 'DOWN'],
      [4, 'veth1a2b3c4d', 'veth', 'UP'],
      [5, 'veth5e6f7a8b', 'veth', 'UP'],
      [18, 'eth0', 'veth', 'UP'],
    ]);
    expect(byName(interfaces, 'kube-ipvs0').addresses).toEqual(KUBE_IPVS0_CLUSTER_IPS);
    expect(byName(interfaces, 'eth0').addresses).toEqual([
      '172.18.0.4/16',
      'fc00:f853:ccd:e793::4/64',
      'fe80::42:acff:fe12:4/64',
    ]);
    expect(byName(interfaces, 'lo').flags).toEqual(['LOOPBACK', 'UP', 'LOWER_UP']);
  });
});

describe('parseIpAddr on JSON', () => {
  const jsonBody = loadFixture('ip-addr.DERIVED-ip-j-p-d-addr-kind-worker.txt').body;
  const textBody = loadFixture('ip-addr.DERIVED-ip-d-addr-kind-worker.txt').body;

  it('gives the same result for `ip -j -p -d addr` as for the text of the same node', () => {
    expect(parseIpAddr(jsonBody)).toEqual(parseIpAddr(textBody));
    expect(byName(parseIpAddr(jsonBody).interfaces, 'kube-ipvs0').addresses).toEqual(KUBE_IPVS0_CLUSTER_IPS);
  });

  it('accepts the one-line form `ip -j` prints, with leading whitespace', () => {
    const oneLine = JSON.stringify(JSON.parse(jsonBody));
    expect(parseIpAddr(`  \n${oneLine}\n`)).toEqual(parseIpAddr(jsonBody));
  });

  it('reads `ip -j link` (no addr_info) and no linkinfo without -d', () => {
    const text = JSON.stringify([
      {
        ifindex: 7,
        ifname: 'kube-ipvs0',
        flags: ['BROADCAST', 'NOARP'],
        operstate: 'DOWN',
        link_type: 'ether',
      },
    ]);
    expect(parseIpAddr(text).interfaces).toEqual([
      {
        name: 'kube-ipvs0',
        index: 7,
        type: null,
        state: 'DOWN',
        flags: ['BROADCAST', 'NOARP'],
        addresses: [],
      },
    ]);
  });

  it('skips the empty objects old iproute2 prints for interfaces hidden by `-4`', () => {
    const text = JSON.stringify([
      {},
      { ifindex: 2, ifname: 'eth0', flags: [], operstate: 'UP', addr_info: [] },
    ]);
    expect(parseIpAddr(text).interfaces.map((i) => i.name)).toEqual(['eth0']);
  });

  it('refuses JSON that is not an array of interfaces, on the line of the bad element', () => {
    const bad = JSON.parse(jsonBody) as unknown[];
    bad[2] = { ifindex: 4, flags: [], operstate: 'UP' };
    const pretty = JSON.stringify(bad, null, 4);
    const err = parseErrorOf(pretty);
    expect(err.format).toBe('ip-addr');
    expect(err.reason).toMatch(/interface #3: "ifname"/);
    expect(pretty.split('\n')[err.line - 1]?.trim()).toBe('{');
    expect(pretty.split('\n')[err.line]?.trim()).toBe('"ifindex": 4,');
  });

  it('refuses bad addr_info entries, a non-array document and broken JSON', () => {
    const one = (addr: unknown) =>
      JSON.stringify([{ ifindex: 1, ifname: 'x', flags: [], operstate: 'UP', addr_info: [addr] }]);
    expect(parseErrorOf(one({ family: 'inet', local: '10.0.0.256', prefixlen: 32 })).reason).toMatch(
      /not an IPv4 address/,
    );
    expect(parseErrorOf(one({ family: 'inet6', local: 'fe80::1', prefixlen: 129 })).reason).toMatch(/prefix/);
    expect(parseErrorOf(one({ family: 'link', local: 'x', prefixlen: 1 })).reason).toMatch(/family/);
    expect(parseErrorOf(one({ family: 'inet', prefixlen: 1 })).reason).toMatch(/local/);
    expect(parseErrorOf('[ {"ifindex": 1} ').line).toBe(1);
    const truncated = '[\n  {\n    "ifindex": 1,\n';
    expect(parseErrorOf(truncated).line).toBe(3);
    expect(parseErrorOf('[1] trailing').reason).toMatch(/invalid JSON/);
    expect(parseErrorOf(' [{"ifindex":1,"ifname":"a","flags":[1],"operstate":"UP"}]').reason).toMatch(
      /flags/,
    );
  });
});

describe('parseIpAddr text details', () => {
  it('takes the address from old output that prints `brd <same IP>` on /32 lines', () => {
    const text = [
      '5: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default qlen 1000',
      '    link/ether 1a:ce:f5:5f:c1:4d brd ff:ff:ff:ff:ff:ff',
      '    inet 10.200.1.1/32 brd 10.200.1.1 scope global kube-ipvs0',
      '       valid_lft forever preferred_lft forever',
    ].join('\n');
    expect(parseIpAddr(text).interfaces[0]?.addresses).toEqual(['10.200.1.1/32']);
  });

  it('gives a point-to-point address the prefix printed after its peer', () => {
    const text =
      '9: tun0: <POINTOPOINT,UP> mtu 1500 qdisc fq state UNKNOWN group default\n    inet 10.8.0.1 peer 10.8.0.2/32 scope global tun0\n';
    expect(parseIpAddr(text).interfaces[0]?.addresses).toEqual(['10.8.0.1/32']);
  });

  it('does not take a bridge_slave line, stats lines or altname for the link kind', () => {
    const text = [
      '2: eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq master br0 state UP mode DEFAULT group default qlen 1000',
      '    link/ether 30:b9:30:00:11:ed brd ff:ff:ff:ff:ff:ff promiscuity 1 minmtu 68 maxmtu 9000 ',
      '    bridge_slave state forwarding priority 32 cost 4 ',
      '3: eno2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000',
      '    link/ether 30:b9:30:00:11:ee brd ff:ff:ff:ff:ff:ff',
      '    RX: bytes  packets  errors  dropped missed  mcast',
      '    0          0        0       0       0       0',
      '4: eno3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000',
      '    link/ether 30:b9:30:00:11:ef brd ff:ff:ff:ff:ff:ff',
      '    altname enp3s0',
    ].join('\n');
    expect(parseIpAddr(text).interfaces.map((i) => i.type)).toEqual([null, null, null]);
  });

  it('accepts CRLF line ends and empty output (no interfaces)', () => {
    const body = loadFixture('ip-addr.tkng-kind-ip-link-kube-ipvs0.txt').body;
    expect(parseIpAddr(body.replaceAll('\n', '\r\n'))).toEqual(parseIpAddr(body));
    expect(parseIpAddr('').interfaces).toEqual([]);
    expect(parseIpAddr('\n\n').interfaces).toEqual([]);
  });
});

describe('parseIpAddr refusals', () => {
  it('refuses `ip -o` output and says to drop -o', () => {
    const err = parseErrorOf(
      '3: kube-ipvs0    inet 10.200.1.1/32 scope global kube-ipvs0\\       valid_lft forever',
    );
    expect(err.line).toBe(1);
    expect(err.reason).toMatch(/-o/);
  });

  it('refuses the error text of a missing device and a raw fixture header', () => {
    expect(parseErrorOf('Device "kube-ipvs0" does not exist.').line).toBe(1);
    expect(parseErrorOf('# source: x\n7: a: <UP> state UP\n').line).toBe(1);
  });

  it('refuses detail lines before any interface, with their line number', () => {
    const err = parseErrorOf('\n    inet 10.0.0.1/8 scope host lo\n');
    expect(err.line).toBe(2);
    expect(err.reason).toMatch(/before any interface/);
  });

  it('refuses bad addresses, a missing state and an interface listed twice', () => {
    const head = '7: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default';
    expect(parseErrorOf(`${head}\n    inet 10.200.1.300/32 scope global kube-ipvs0`).line).toBe(2);
    expect(parseErrorOf(`${head}\n    inet 10.200.1.3/33 scope global kube-ipvs0`).reason).toMatch(/0\.\.32/);
    expect(parseErrorOf(`${head}\n    inet6 fe80::zz/64 scope link`).reason).toMatch(/IPv6/);
    expect(parseErrorOf(`${head}\n    inet 10.200.1.3 scope global kube-ipvs0`).reason).toMatch(/prefix/);
    expect(parseErrorOf('7: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop').reason).toMatch(/state/);
    const twice = parseErrorOf(`${head}\n${head}`);
    expect(twice.line).toBe(2);
    expect(twice.reason).toMatch(/twice/);
  });
});

// A renderer of the iproute2 text format for generated interfaces: parse(render(model)) must give the model back.
const nameArb = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,14}$/);
const ipv4Arb = fc.ipV4().map((a) => `${a}/${a.length % 33}`);
const ipv6Arb = fc.constantFrom('fe80::1/64', '::1/128', 'fc00:f853:ccd:e793::4/64', '2001:db8::/32');
const ifaceArb = fc.record({
  name: nameArb,
  type: fc.option(fc.constantFrom('dummy', 'veth', 'bridge', 'vxlan', 'ipip'), { nil: null }),
  state: fc.constantFrom('UP', 'DOWN', 'UNKNOWN', 'LOWERLAYERDOWN'),
  flags: fc.subarray(['BROADCAST', 'MULTICAST', 'NOARP', 'UP', 'LOWER_UP']),
  v4: fc.array(ipv4Arb, { maxLength: 4 }),
  v6: fc.array(ipv6Arb, { maxLength: 2 }),
  peerLink: fc.boolean(),
});

describe('parseIpAddr properties', () => {
  it('parses back generated `ip -d addr` text and `ip -j -d addr` JSON', () => {
    fc.assert(
      fc.property(fc.uniqueArray(ifaceArb, { selector: (i) => i.name, maxLength: 5 }), (model) => {
        const expected = model.map((m, k) => ({
          name: m.name,
          index: k + 1,
          type: m.type,
          state: m.state,
          flags: m.flags,
          addresses: [...m.v4, ...m.v6],
        }));
        const text = model
          .map((m, k) =>
            [
              `${k + 1}: ${m.name}${m.peerLink ? `@if${k + 40}` : ''}: <${m.flags.join(',')}> mtu 1500 qdisc noop state ${m.state} group default `,
              '    link/ether 22:76:01:f0:71:9f brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 0 maxmtu 0 ',
              ...(m.type === null ? [] : [`    ${m.type} addrgenmode eui64 numtxqueues 1 `]),
              ...m.v4.map(
                (a) => `    inet ${a} scope global ${m.name}\n       valid_lft forever preferred_lft forever`,
              ),
              ...m.v6.map(
                (a) => `    inet6 ${a} scope link \n       valid_lft forever preferred_lft forever`,
              ),
            ].join('\n'),
          )
          .join('\n');
        expect(parseIpAddr(text).interfaces).toEqual(expected);
        const json = model.map((m, k) => ({
          ifindex: k + 1,
          ifname: m.name,
          flags: m.flags,
          operstate: m.state,
          ...(m.type === null ? {} : { linkinfo: { info_kind: m.type } }),
          addr_info: [...m.v4, ...m.v6].map((a) => {
            const [local, plen] = a.split('/');
            return { family: a.includes(':') ? 'inet6' : 'inet', local, prefixlen: Number(plen) };
          }),
        }));
        expect(parseIpAddr(JSON.stringify(json)).interfaces).toEqual(expected);
      }),
    );
  });

  it('either parses or throws a ParseError with a line inside the input (random and mutated input)', () => {
    const text = loadFixture('ip-addr.DERIVED-ip-d-addr-kind-worker.txt').body;
    const json = loadFixture('ip-addr.DERIVED-ip-j-p-d-addr-kind-worker.txt').body;
    const mutate = (src: string) =>
      fc
        .tuple(fc.nat(src.length), fc.nat(12), fc.string({ maxLength: 8 }))
        .map(([at, del, ins]) => src.slice(0, at) + ins + src.slice(at + del));
    const input = fc.oneof(
      fc.string({ maxLength: 300 }),
      mutate(text),
      mutate(json),
      fc.jsonValue().map((v) => JSON.stringify([v])),
    );
    fc.assert(
      fc.property(input, (t) => {
        try {
          parseIpAddr(t);
        } catch (e: unknown) {
          if (!(e instanceof ParseError)) throw e;
          expect(e.format).toBe('ip-addr');
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.line).toBeLessThanOrEqual(t.split('\n').length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
