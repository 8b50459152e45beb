import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from './errors.ts';
import { loadFixture } from './fixture-file.ts';
import { parseSysctl } from './sysctl.ts';

function parseErrorOf(text: string): ParseError {
  try {
    parseSysctl(text);
  } catch (e: unknown) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a ParseError for ${JSON.stringify(text)}, but it parsed`);
}

describe('parseSysctl on fixtures', () => {
  it('reads the real `sysctl -a | grep` lines of a VLAN interface (dot printed as slash)', () => {
    const { values } = parseSysctl(loadFixture('sysctl.juejin-sysctl-a-grep-arp-bond0-vlan.txt').body);
    expect(Object.keys(values)).toHaveLength(8);
    expect(values['net.ipv4.conf.bond0/1825.arp_ignore']).toBe('0');
    expect(values['net.ipv4.conf.bond0/1825.arp_announce']).toBe('0');
    expect(values['net.ipv4.conf.bond0/1825.proxy_arp_pvlan']).toBe('0');
  });

  it('reads the strictARP sysctls of a kind node, keeping a tab inside a value', () => {
    const { values } = parseSysctl(loadFixture('sysctl.DERIVED-kind-worker-strictarp.txt').body);
    expect(values).toEqual({
      'net.ipv4.conf.all.arp_ignore': '1',
      'net.ipv4.conf.all.arp_announce': '2',
      'net.ipv4.vs.conntrack': '1',
      'net.ipv4.vs.expire_nodest_conn': '1',
      'net.ipv4.vs.expire_quiescent_template': '1',
      'net.ipv4.vs.conn_reuse_mode': '1',
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.route_localnet': '1',
      'net.ipv4.ip_local_port_range': '32768\t60999',
    });
  });

  it('refuses a `cannot stat` line (missing key) with its line number and text', () => {
    const body = loadFixture('sysctl.DERIVED-cannot-stat-ip_vs-not-loaded.txt').body;
    const err = parseErrorOf(body);
    expect(err.format).toBe('sysctl');
    expect(err.line).toBe(2);
    expect(err.text).toBe('sysctl: cannot stat /proc/sys/net/ipv4/vs/conntrack: No such file or directory');
    expect(err.reason).toMatch(/error instead of a value/);
  });
});

describe('parseSysctl edge cases', () => {
  it('accepts an empty value with or without the trailing space', () => {
    expect(parseSysctl('kernel.domainname = \nkernel.x =\n').values).toEqual({
      'kernel.domainname': '',
      'kernel.x': '',
    });
  });

  it('skips blank lines, strips CR, and accepts empty input', () => {
    expect(parseSysctl('\r\na.b = 1\r\n\r\n').values).toEqual({ 'a.b': '1' });
    expect(parseSysctl('').values).toEqual({});
  });

  it('keeps ` = ` inside a value', () => {
    expect(parseSysctl('a.b = x = y').values).toEqual({ 'a.b': 'x = y' });
  });

  it('accepts a key printed twice with the same value, refuses two different values', () => {
    expect(parseSysctl('a.b = 1\na.b = 1').values).toEqual({ 'a.b': '1' });
    const err = parseErrorOf('a.b = 1\na.b = 2');
    expect(err.line).toBe(2);
    expect(err.reason).toMatch(/twice/);
  });

  it('refuses `sysctl -n` output (values without keys) and points at -n', () => {
    const err = parseErrorOf('1\n2\n');
    expect(err.line).toBe(1);
    expect(err.reason).toMatch(/-n/);
  });

  it('refuses sysctl.conf syntax and an indented key', () => {
    expect(parseErrorOf('a.b = 1\nnet.ipv4.ip_forward=1').line).toBe(2);
    expect(parseErrorOf('a.b = 1\nnet.ipv4.ip_forward=1').reason).toMatch(/sysctl\.conf/);
    expect(parseErrorOf(' a.b = 1').line).toBe(1);
  });

  it('stores keys named like Object.prototype members as data', () => {
    const { values } = parseSysctl('__proto__ = 1\ntoString = 2\nconstructor = 3\ntoString = 2');
    expect(Object.hasOwn(values, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.entries(values)).toEqual([
      ['__proto__', '1'],
      ['toString', '2'],
      ['constructor', '3'],
    ]);
    expect(parseErrorOf('toString = 2\ntoString = 3').line).toBe(2);
  });
});

const keyArb = fc.stringMatching(/^[a-z0-9_]{1,8}(\.[a-z0-9_/-]{1,8}){0,4}$/);
const valueArb = fc.stringMatching(/^[ -~\t]{0,20}$/);

describe('parseSysctl properties', () => {
  it('parses back any key/value map rendered as sysctl prints it', () => {
    fc.assert(
      fc.property(fc.dictionary(keyArb, valueArb, { maxKeys: 20 }), (map) => {
        const text = Object.entries(map)
          .map(([k, v]) => `${k} = ${v}`)
          .join('\n');
        expect(parseSysctl(text).values).toEqual(map);
      }),
    );
  });

  it('either parses or throws a ParseError with a line inside the input', () => {
    const fixture = loadFixture('sysctl.DERIVED-kind-worker-strictarp.txt').body;
    const mutated = fc
      .tuple(fc.nat(fixture.length), fc.nat(8), fc.string({ maxLength: 6 }))
      .map(([at, del, ins]) => fixture.slice(0, at) + ins + fixture.slice(at + del));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), mutated), (text) => {
        try {
          parseSysctl(text);
        } catch (e: unknown) {
          if (!(e instanceof ParseError)) throw e;
          const err = e;
          expect(err.line).toBeGreaterThanOrEqual(1);
          expect(err.line).toBeLessThanOrEqual(text.split('\n').length);
          expect(err.text).toBe((text.split('\n')[err.line - 1] ?? '').replace(/\r$/, ''));
        }
      }),
    );
  });
});
