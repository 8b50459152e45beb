import { describe, expect, it } from 'vitest';
import {
  addressCount,
  checkCidr,
  cidrContainsCidr,
  cidrContainsIp,
  cidrString,
  cidrsOverlap,
  nthAddress,
  parseCidr,
  parseIp,
} from './cidr.ts';

describe('checkCidr', () => {
  it('accepts the reference subnets', () => {
    expect(parseCidr('10.10.0.0/16')).toEqual({
      text: '10.10.0.0/16',
      network: '10.10.0.0',
      prefix: 16,
      family: 'ipv4',
    });
    expect(parseCidr('fd00:10:244::/56').family).toBe('ipv6');
  });

  it.for([
    ['10.10.0.0', 'no /prefix'],
    ['10.10.0/16', 'not an IPv4 or IPv6 address'],
    ['10.10.0.0/33', 'not a prefix length'],
    ['10.10.0.0/-1', 'not a prefix length'],
    ['10.10.0.0/', 'not a prefix length'],
    ['10.10.1.0/16', 'host bits set; the network of that prefix is 10.10.0.0/16'],
    ['010.10.0.0/16', 'not an IPv4 or IPv6 address'],
    ['fd00::1/64', 'host bits set'],
    ['fe80::%eth0/64', 'not an IPv4 or IPv6 address'],
  ] as const)('refuses %s (%s)', ([text, reason]) => {
    const checked = checkCidr(text);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toContain(reason);
    expect(() => parseCidr(text)).toThrow(/invalid CIDR/);
  });
});

describe('containment and overlap', () => {
  const pods = parseCidr('10.10.0.0/16');
  const services = parseCidr('10.200.1.0/24');

  it('finds addresses and subnets inside a CIDR', () => {
    expect(cidrContainsIp(pods, '10.10.3.3')).toBe(true);
    expect(cidrContainsIp(pods, '10.11.0.1')).toBe(false);
    expect(cidrContainsIp(pods, 'not-an-ip')).toBe(false);
    expect(cidrContainsIp(pods, '::ffff:10.10.0.1')).toBe(false);
    expect(cidrContainsCidr(pods, parseCidr('10.10.4.0/24'))).toBe(true);
    expect(cidrContainsCidr(pods, parseCidr('10.0.0.0/8'))).toBe(false);
  });

  it('says when subnets overlap', () => {
    expect(cidrsOverlap(pods, services)).toBe(false);
    expect(cidrsOverlap(parseCidr('10.0.0.0/8'), services)).toBe(true);
    expect(cidrsOverlap(services, parseCidr('10.200.1.128/25'))).toBe(true);
  });
});

describe('nthAddress', () => {
  const services = parseCidr('10.200.1.0/24');

  it('gives kubernetes .1 and kube-dns .10 of the service subnet', () => {
    expect(nthAddress(services, 1)).toBe('10.200.1.1');
    expect(nthAddress(services, 10)).toBe('10.200.1.10');
    expect(nthAddress(parseCidr('10.96.0.0/12'), 300)).toBe('10.96.1.44');
    expect(nthAddress(parseCidr('fd00:10:96::/112'), 10)).toBe('fd00:10:96::a');
  });

  it('refuses addresses outside the CIDR', () => {
    expect(addressCount(services)).toBe(256n);
    expect(() => nthAddress(services, 256)).toThrow(/outside 10.200.1.0\/24/);
    expect(() => nthAddress(services, -1)).toThrow(/outside/);
  });
});

describe('normalisation', () => {
  it('normalises addresses and CIDRs', () => {
    expect(parseIp(' 10.10.1.4 ')).toEqual({ address: '10.10.1.4', family: 'ipv4' });
    expect(parseIp('fd00:0:0::0001')).toEqual({ address: 'fd00::1', family: 'ipv6' });
    expect(parseIp('10.1')).toBeNull();
    expect(cidrString(parseCidr('fd00:10:0096:0::/64'))).toBe('fd00:10:96::/64');
  });
});
