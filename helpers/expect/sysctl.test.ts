import { describe, expect, it } from 'vitest';
import {
  checkEffectiveArp,
  checkIpvsSysctls,
  checkStrictArp,
  checkStrictArpAll,
  confKey,
  expectedConnReuseMode,
} from './sysctl.ts';
import { bad, withSysctls, workerState } from './test-support.ts';

const messages = (fs: readonly { message: string }[]) => fs.map((f) => f.message);

describe('strictARP on conf/all', () => {
  it('passes with arp_ignore 1 and arp_announce 2', () => {
    expect(checkStrictArpAll(workerState())).toEqual([]);
  });
  it('reports kind’s boot value arp_ignore 0 (strictARP not applied)', () => {
    expect(checkStrictArpAll(withSysctls({ 'net.ipv4.conf.all.arp_ignore': '0' }))).toEqual([
      expect.objectContaining({
        subject: 'node kind-worker: net.ipv4.conf.all.arp_ignore',
        expected: '1',
        observed: '0',
      }),
    ]);
  });
  it('reports a missing key', () => {
    expect(messages(checkStrictArpAll(withSysctls({ 'net.ipv4.conf.all.arp_announce': undefined })))).toEqual(
      ['node kind-worker: net.ipv4.conf.all.arp_announce: key missing from the sysctl section'],
    );
  });
  it('fails with the reason when the sysctl section is absent', () => {
    expect(messages(checkStrictArp(workerState({ sysctls: bad('sysctl absent: exec failed') })))).toEqual([
      'node kind-worker: sysctl absent: exec failed',
    ]);
  });
});

describe('effective per-interface ARP values (max of all and the interface)', () => {
  it('passes when interfaces stay 0 under a strict conf/all', () => {
    expect(checkEffectiveArp(workerState())).toEqual([]);
  });
  it('passes with conf/all 0 when every interface is strict itself', () => {
    const node = withSysctls({
      'net.ipv4.conf.all.arp_ignore': '0',
      'net.ipv4.conf.lo.arp_ignore': '1',
      'net.ipv4.conf.eth0.arp_ignore': '1',
      'net.ipv4.conf.kube-ipvs0.arp_ignore': '1',
      'net.ipv4.conf.veth0a1b2c3d.arp_ignore': '1',
    });
    expect(checkEffectiveArp(node)).toEqual([]);
    expect(checkStrictArpAll(node)).toHaveLength(1);
  });
  it('reports arp_ignore 0 on one interface when conf/all is 0 too', () => {
    const node = withSysctls({
      'net.ipv4.conf.all.arp_ignore': '0',
      'net.ipv4.conf.lo.arp_ignore': '1',
      'net.ipv4.conf.kube-ipvs0.arp_ignore': '1',
      'net.ipv4.conf.veth0a1b2c3d.arp_ignore': '1',
    });
    expect(checkEffectiveArp(node)).toEqual([
      expect.objectContaining({
        check: 'sysctl.arp-effective',
        subject: 'node kind-worker: eth0 arp_ignore',
        expected: '1',
        observed: '0 (all=0, eth0=0)',
      }),
    ]);
  });
  it('reports an interface raised above the target (arp_ignore 2 breaks kindnet ptp)', () => {
    expect(messages(checkEffectiveArp(withSysctls({ 'net.ipv4.conf.eth0.arp_ignore': '2' })))).toEqual([
      'node kind-worker: eth0 arp_ignore: effective arp_ignore is 2 (max of all=1, eth0=2), not 1',
    ]);
  });
  it('reports a missing per-interface key for an interface ip-addr lists', () => {
    expect(
      messages(checkEffectiveArp(withSysctls({ 'net.ipv4.conf.eth0.arp_announce': undefined }))),
    ).toEqual(['node kind-worker: net.ipv4.conf.eth0.arp_announce: key missing from the sysctl section']);
  });
  it('falls back to the interfaces found in sysctl keys when ip-addr is unusable', () => {
    const node = {
      ...withSysctls({ 'net.ipv4.conf.eth0.arp_announce': '1' }),
      interfaces: bad<never>('ip-addr absent: x'),
    };
    expect(checkEffectiveArp(node)).toEqual([]);
    const lowered = {
      ...withSysctls({ 'net.ipv4.conf.all.arp_announce': '1' }),
      interfaces: bad<never>('ip-addr absent: x'),
    };
    // lo, eth0, kube-ipvs0, veth0a1b2c3d; conf/default is not an interface.
    expect(checkEffectiveArp(lowered)).toHaveLength(4);
  });
  it('spells VLAN interface names with a slash', () => {
    expect(confKey('eth0.100', 'arp_ignore')).toBe('net.ipv4.conf.eth0/100.arp_ignore');
  });
});

describe('IPVS sysctls', () => {
  it('pass on the conformant node (kernel 6.8: conn_reuse_mode left alone)', () => {
    expect(checkIpvsSysctls(workerState())).toEqual([]);
  });
  it.for([
    'net.ipv4.vs.conntrack',
    'net.ipv4.vs.expire_nodest_conn',
    'net.ipv4.vs.expire_quiescent_template',
    'net.ipv4.ip_forward',
  ])('report %s = 0', (key) => {
    expect(checkIpvsSysctls(withSysctls({ [key]: '0' }))).toEqual([
      expect.objectContaining({ expected: '1', observed: '0' }),
    ]);
  });
  it('report a missing key, conn_reuse_mode included', () => {
    expect(messages(checkIpvsSysctls(withSysctls({ 'net.ipv4.vs.conn_reuse_mode': undefined })))).toEqual([
      'node kind-worker: net.ipv4.vs.conn_reuse_mode: key missing from the sysctl section',
    ]);
  });
  it('expect conn_reuse_mode 0 on kernels 4.1 to 5.8 only', () => {
    expect(expectedConnReuseMode('5.4.0-1090-azure')).toBe('0');
    expect(expectedConnReuseMode('4.1.0')).toBe('0');
    expect(expectedConnReuseMode('5.9.0')).toBeNull();
    expect(expectedConnReuseMode('4.0.9')).toBeNull();
    expect(expectedConnReuseMode('garbage')).toBeNull();
    const old = { ...workerState(), kernel: { ok: true as const, value: '5.4.0-1090-azure' } };
    expect(checks(checkIpvsSysctls(old))).toEqual(['sysctl.ipvs']);
    expect(checkIpvsSysctls(old, { connReuseMode: '1' })).toEqual([]);
  });
});

function checks(fs: readonly { check: string }[]): string[] {
  return fs.map((f) => f.check);
}
