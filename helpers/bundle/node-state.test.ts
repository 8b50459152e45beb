import { describe, expect, it } from 'vitest';
import { ParseError } from '../parse/errors.ts';
import type { ProcIpVsTable } from '../parse/types.ts';
import {
  canonicalIp,
  inferHz,
  type NodeParsers,
  nodeStateFromSnapshot,
  nodeStatesFromSnapshot,
  nodeStateWithParsers,
  persistenceSeconds,
} from './node-state.ts';
import type { NodeSectionName, NodeSnapshot, Section, Snapshot } from './types.ts';

const table: ProcIpVsTable = {
  version: '1.2.1',
  connectionTableSize: 4096,
  virtualServers: [
    {
      protocol: 'TCP',
      address: 'fd00:0000:0000:0000:0000:0000:0000:000a',
      port: 80,
      scheduler: 'rr',
      flags: [],
      persistentJiffies: 2700000,
      persistentNetmask: 'FFFFFFFF',
      realServers: [
        {
          address: 'fd00:0:0:0:0:0:a0a:102',
          port: 8080,
          forward: 'Masq',
          weight: 1,
          activeConns: 0,
          inactiveConns: 0,
        },
      ],
    },
  ],
};

const fake: NodeParsers = {
  procIpVs: () => table,
  iptablesSave: (t) => ({
    tables: { nat: { chains: { [t.trim()]: { policy: null, counters: null, rules: [] } } } },
  }),
  ipset: () => ({ sets: [] }),
  ipAddr: () => ({ interfaces: [] }),
  sysctl: (t) => {
    throw new ParseError('sysctl', 2, t.split('\n')[1] ?? '', 'expected "key = value"');
  },
};

function okSection(text: string): Section {
  return { status: 'ok', command: 'cmd', text };
}

function snapshot(over: Partial<Record<NodeSectionName, Section>> = {}): NodeSnapshot {
  const sections: Record<NodeSectionName, Section> = {
    'proc-ip-vs': okSection('IP Virtual Server version 1.2.1 (size=4096)\n'),
    'iptables-save': okSection('V4'),
    'ip6tables-save': okSection('V6'),
    'ipset-save': okSection(''),
    'ip-addr': okSection('[]'),
    sysctl: okSection('net.ipv4.ip_forward = 1\nbroken line'),
    'proxy-mode': okSection('ipvs\n'),
    metrics: okSection('# HELP x\n'),
    kernel: okSection(' 6.8.0-1017-azure\n'),
    ...over,
  };
  return { node: 'kind-worker', sections };
}

describe('nodeStateFromSnapshot', () => {
  it('parses each section and trims proxy-mode and kernel', () => {
    const s = nodeStateWithParsers(snapshot(), fake);
    expect(s.name).toBe('kind-worker');
    expect(s.proxyMode).toEqual({ ok: true, value: 'ipvs' });
    expect(s.kernel).toEqual({ ok: true, value: '6.8.0-1017-azure' });
    expect(s.metrics).toEqual({ ok: true, value: '# HELP x\n' });
    expect(s.iptables.ok && Object.keys(s.iptables.value.tables.nat?.chains ?? {})).toEqual(['V4']);
    expect(s.ip6tables.ok && Object.keys(s.ip6tables.value.tables.nat?.chains ?? {})).toEqual(['V6']);
  });

  it('keeps jiffies and canonicalises IPv6 addresses of the IPVS table', () => {
    const s = nodeStateWithParsers(snapshot(), fake);
    if (!s.ipvs.ok) throw new Error(s.ipvs.reason);
    const [vs] = s.ipvs.value.virtualServers;
    expect(vs?.address).toBe('fd00::a');
    expect(vs?.realServers[0]?.address).toBe('fd00::a0a:102');
    expect(vs?.persistentJiffies).toBe(2700000);
  });

  it('keeps an absent section as a reason naming the section, without throwing', () => {
    const s = nodeStateWithParsers(
      snapshot({
        'proc-ip-vs': {
          status: 'absent',
          command: 'cat /proc/net/ip_vs',
          reason: '/proc/net/ip_vs not present in this kernel',
        },
      }),
      fake,
    );
    expect(s.ipvs).toEqual({
      ok: false,
      reason: 'proc-ip-vs absent: /proc/net/ip_vs not present in this kernel',
    });
    expect(s.iptables.ok).toBe(true);
  });

  it('keeps a section that does not parse as a reason with the parser message', () => {
    const s = nodeStateWithParsers(snapshot(), fake);
    expect(s.sysctls).toEqual({
      ok: false,
      reason: 'sysctl unparseable: sysctl: line 2: expected "key = value": "broken line"',
    });
    expect(s.interfaces.ok).toBe(true);
  });

  it('turns a non-Error throw into a reason too', () => {
    const s = nodeStateWithParsers(snapshot(), {
      ...fake,
      ipset: () => {
        throw 'boom';
      },
    });
    expect(s.ipsets).toEqual({ ok: false, reason: 'ipset-save unparseable: boom' });
  });

  it('survives a bundle that lacks a section altogether', () => {
    const snap = snapshot();
    const { kernel: _drop, ...rest } = snap.sections;
    const s = nodeStateWithParsers({ node: 'kind-worker', sections: rest as NodeSnapshot['sections'] }, fake);
    expect(s.kernel).toEqual({ ok: false, reason: 'kernel missing from the bundle' });
  });

  it('never throws with the real parsers, whatever they make of the text', () => {
    expect(() => nodeStateFromSnapshot(snapshot())).not.toThrow();
  });

  it('is safe to pass to Array.prototype.map directly', () => {
    const states = [snapshot()].map(nodeStateFromSnapshot);
    expect(states[0]?.proxyMode).toEqual({ ok: true, value: 'ipvs' });
  });

  it('maps every node of a cluster snapshot', () => {
    const snap: Snapshot = {
      label: 'initial',
      takenAt: '2025-01-01T00:00:00Z',
      api: {
        serverVersion: { gitVersion: 'v1.31.0' },
        nodes: [],
        services: [],
        endpointSlices: [],
        pods: [],
        kubeProxyConfig: null,
        kubeadmClusterConfiguration: null,
        events: [],
      },
      nodes: [snapshot(), { ...snapshot(), node: 'kind-worker2' }],
    };
    expect(nodeStatesFromSnapshot(snap, fake).map((n) => n.name)).toEqual(['kind-worker', 'kind-worker2']);
  });
});

describe('canonicalIp', () => {
  it('canonicalises IPv4 and IPv6 and leaves other text alone', () => {
    expect(canonicalIp('10.200.1.1')).toBe('10.200.1.1');
    expect(canonicalIp('FD00:0:0::0001')).toBe('fd00::1');
    expect(canonicalIp('30000')).toBe('30000');
    expect(canonicalIp('kind-worker')).toBe('kind-worker');
  });
});

describe('HZ inference', () => {
  it('finds the one HZ that turns the seconds into the jiffies', () => {
    expect(inferHz([{ jiffies: 10800 * 250, seconds: 10800 }])).toEqual({ hz: 250, candidates: [250] });
    expect(
      inferHz([
        { jiffies: 3000, seconds: 10 },
        { jiffies: 300, seconds: 1 },
      ]).hz,
    ).toBe(300);
  });
  it('says why when no sample is given, none fits, or several do', () => {
    expect(inferHz([])).toMatchObject({ hz: null, reason: 'no persistent virtual server to infer HZ from' });
    expect(inferHz([{ jiffies: 12345, seconds: 10800 }])).toMatchObject({ hz: null, candidates: [] });
    expect(
      inferHz([
        { jiffies: 10800 * 250, seconds: 10800 },
        { jiffies: 1000, seconds: 1 },
      ]),
    ).toMatchObject({ hz: null, candidates: [] });
    expect(inferHz([{ jiffies: 0, seconds: 0 }])).toMatchObject({
      hz: null,
      candidates: [100, 250, 300, 1000],
    });
  });
  it('converts jiffies to seconds and refuses a bad HZ', () => {
    expect(persistenceSeconds(2700000, 250)).toBe(10800);
    expect(() => persistenceSeconds(1, 0)).toThrow(RangeError);
  });
});
