import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBundle } from '../../helpers/bundle/load.ts';
import type { Bundle, NodeSectionName } from '../../helpers/bundle/types.ts';
import {
  parseIpAddr,
  parseIpset,
  parseIptablesSave,
  parseProcIpVs,
  parseSysctl,
} from '../../helpers/parse/index.ts';
import { renderModelBundle } from '../model/render-bundle.ts';
import { bundleModelCli, bundleMutantCli } from './bundle-cli.ts';
import { getMutant, MUTANTS } from './catalogue.ts';
import { SUITE_TESTS } from './suite-tests.ts';

const model = renderModelBundle();
const modelJson = JSON.stringify(model);

function applied(name: string): Bundle {
  const m = getMutant(name);
  if (!m) throw new Error(`no mutant ${name}`);
  return m.apply(model);
}

function section(b: Bundle, label: string, node: string, name: NodeSectionName): string {
  const s = b.snapshots.find((x) => x.label === label)?.nodes.find((n) => n.node === node)?.sections[name];
  if (s?.status !== 'ok') throw new Error(`${label} ${node} ${name} not ok`);
  return s.text;
}

const W1 = 'ipvs-conformance-worker';
const W2 = 'ipvs-conformance-worker2';
const W3 = 'ipvs-conformance-worker3';
const CP = 'ipvs-conformance-control-plane';

describe('mutant catalogue', () => {
  it('has at least 16 mutants with unique kebab-case names and a description', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(16);
    const names = MUTANTS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of MUTANTS) {
      expect(m.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(m.description.length).toBeGreaterThan(20);
    }
  });

  it('every mutant names a real suite test, and the suite file (once written) has that title', () => {
    const known = SUITE_TESTS as Readonly<Record<string, readonly string[]>>;
    for (const m of MUTANTS) {
      expect(known[m.expectFailing.file], m.name).toContain(m.expectFailing.test);
      const path = new URL(`../../${m.expectFailing.file}`, import.meta.url);
      if (existsSync(path))
        expect(readFileSync(path, 'utf8'), `${m.name}: ${m.expectFailing.file}`).toContain(
          m.expectFailing.test,
        );
    }
  });

  it('every suite test is the target of at least one mutant (a check no mutant can fail cannot fail)', () => {
    const targeted = new Set(MUTANTS.map((m) => `${m.expectFailing.file} > ${m.expectFailing.test}`));
    const untargeted = Object.entries(SUITE_TESTS).flatMap(([f, titles]) =>
      titles.map((t) => `${f} > ${t}`).filter((k) => !targeted.has(k)),
    );
    expect(untargeted).toEqual([]);
  });

  it('every mutant pins the finding it must cause with an expectMessage that an unrelated failure does not match', () => {
    // Failures of the named test that are not the injected defect: a crash, a generic assertion, a
    // finding with no check id. A pin matching any of these would let a broken test "kill" the mutant.
    const unrelated = [
      '',
      'AssertionError: expected true to be false',
      'TypeError: Cannot read properties of undefined (reading "sections")',
      "BundleError: node ipvs-conformance-worker has no section 'sysctl'",
      'ParseError: iptables-save line 3: unexpected text',
    ];
    for (const m of MUTANTS) {
      expect(m.expectMessage, m.name).toBeInstanceOf(RegExp);
      // RegExp#test with g or y keeps lastIndex between calls, so a second classification could differ.
      expect(m.expectMessage.flags, m.name).not.toMatch(/[gy]/);
      for (const u of unrelated)
        expect(m.expectMessage.test(u), `${m.name} vs ${JSON.stringify(u)}`).toBe(false);
      // A finding's check id (`[iptables.node-port]`) or, for an incomplete bundle, the BundleError naming the gap.
      expect(m.expectMessage.source, m.name).toMatch(/^\\\[(?:[a-z0-9-]|\\\.)+\\\]|^BundleError: /);
    }
  });

  for (const m of MUTANTS) {
    it(`${m.name}: pure, changes the bundle, stays a valid bundle with every section parseable`, () => {
      const out = m.apply(model);
      expect(JSON.stringify(model)).toBe(modelJson);
      expect(out.source).toBe(`mutant:${m.name}`);
      expect(JSON.stringify({ ...out, source: 'model' })).not.toBe(modelJson);
      expect(JSON.stringify(m.apply(model))).toBe(JSON.stringify(out));
      expect(() => parseBundle(JSON.stringify(out), m.name)).not.toThrow();
      for (const s of out.snapshots) {
        for (const n of s.nodes) {
          // Recorded sections must parse; an absent one (the section-absent mutant) has no text to parse.
          const parses = (k: NodeSectionName, parse: (text: string) => unknown) => {
            const sec = n.sections[k];
            if (sec.status === 'ok') expect(() => parse(sec.text), `${m.name} ${n.node} ${k}`).not.toThrow();
          };
          parses('proc-ip-vs', parseProcIpVs);
          parses('iptables-save', parseIptablesSave);
          parses('ip6tables-save', parseIptablesSave);
          parses('ipset-save', parseIpset);
          parses('ip-addr', parseIpAddr);
          parses('sysctl', parseSysctl);
        }
      }
    });
  }

  it('getMutant finds by name and returns undefined for an unknown one', () => {
    expect(getMutant('scheduler-wlc')?.name).toBe('scheduler-wlc');
    expect(getMutant('no-such-mutant')).toBeUndefined();
  });

  it('model-data mutants refuse a bundle that is not the model bundle', () => {
    const other = { ...model, source: 'live' };
    expect(() => getMutant('strict-arp-off')?.apply(other)).toThrow(/renderModelBundle/);
  });
});

describe('mutants inject exactly their defect (spot checks through the real parsers)', () => {
  it('spread-random: no node walks a strict cycle any more, yet every backend still answers', () => {
    const out = applied('spread-random');
    for (const t of out.traffic.filter((x) => x.kind === 'clusterip')) {
      expect(t.answers.some((a, i) => a !== t.answers[i % 3])).toBe(true);
      expect(new Set(t.answers).size).toBe(3);
    }
  });

  it('arp-ignore-one-node: conf.all.arp_ignore is 0 on one node while every interface stays effectively 1', () => {
    const v = parseSysctl(section(applied('arp-ignore-one-node'), 'initial', W2, 'sysctl')).values;
    expect(v['net.ipv4.conf.all.arp_ignore']).toBe('0');
    const ifs = parseIpAddr(section(model, 'initial', W2, 'ip-addr')).interfaces.map((i) => i.name);
    for (const i of ifs) expect(v[`net.ipv4.conf.${i}.arp_ignore`]).toBe('1');
  });

  it('missing-real-server / stale-real-server change only the echo-nodeport ClusterIP VS of one node', () => {
    const rs = (b: Bundle, node: string) =>
      parseProcIpVs(section(b, 'initial', node, 'proc-ip-vs'))
        .virtualServers.filter((v) => v.address === '10.200.1.203')
        .map((v) => v.realServers.length);
    expect(rs(model, W3)).toEqual([3]);
    expect(rs(applied('missing-real-server'), W3)).toEqual([2]);
    expect(rs(applied('stale-real-server'), W1)).toEqual([4]);
    const vsCount = (b: Bundle, node: string) =>
      parseProcIpVs(section(b, 'initial', node, 'proc-ip-vs')).virtualServers.length;
    expect(vsCount(applied('missing-real-server'), W3)).toBe(vsCount(model, W3));
  });

  it('clusterip-outside-subnet moves the ClusterIP consistently (IPVS, kube-ipvs0, KUBE-CLUSTER-IP, traffic target)', () => {
    const out = applied('clusterip-outside-subnet');
    const init = out.snapshots[0];
    expect(init?.api.services.find((s) => s.name === 'echo-clusterip')?.clusterIP).toBe('10.96.0.50');
    expect(
      parseProcIpVs(section(out, 'initial', W1, 'proc-ip-vs')).virtualServers.some(
        (v) => v.address === '10.96.0.50',
      ),
    ).toBe(true);
    const ipvs0 = parseIpAddr(section(out, 'initial', W1, 'ip-addr')).interfaces.find(
      (i) => i.name === 'kube-ipvs0',
    );
    expect(ipvs0?.addresses).toContain('10.96.0.50/32');
    const cip = parseIpset(section(out, 'initial', W1, 'ipset-save')).sets.find(
      (s) => s.name === 'KUBE-CLUSTER-IP',
    );
    expect(cip?.members).toContain('10.96.0.50,tcp:80');
    expect(out.traffic.filter((t) => t.kind === 'clusterip').every((t) => t.target === '10.96.0.50:80')).toBe(
      true,
    );
  });

  it('iptables-fallback: /proxyMode iptables, empty IPVS table, no kube-ipvs0, KUBE-SVC chains, random spread', () => {
    const out = applied('iptables-fallback');
    expect(section(out, 'initial', CP, 'proxy-mode')).toBe('iptables');
    expect(parseProcIpVs(section(out, 'initial', CP, 'proc-ip-vs')).virtualServers).toEqual([]);
    expect(parseIpAddr(section(out, 'initial', CP, 'ip-addr')).interfaces.map((i) => i.name)).not.toContain(
      'kube-ipvs0',
    );
    const nat = parseIptablesSave(section(out, 'initial', CP, 'iptables-save')).tables.nat;
    expect(Object.keys(nat?.chains ?? {}).some((c) => c.startsWith('KUBE-SVC-'))).toBe(true);
    expect(Object.keys(nat?.chains ?? {}).some((c) => c.startsWith('KUBE-SEP-'))).toBe(true);
    const t = out.traffic.find((x) => x.kind === 'clusterip');
    expect(t?.answers.some((a, i) => a !== t.answers[i % 3])).toBe(true);
  });

  it('node-missing: 3 nodes everywhere, the worker3 echo replica Pending without IP or endpoint', () => {
    const out = applied('node-missing');
    for (const s of out.snapshots) {
      expect(s.api.nodes.map((n) => n.name)).not.toContain(W3);
      expect(s.nodes.map((n) => n.node)).not.toContain(W3);
    }
    const pending = out.snapshots[0]?.api.pods.find((p) => p.name === 'echo-7d9f8b6c5d-z6v9p');
    expect(pending).toMatchObject({ nodeName: null, podIP: null, phase: 'Pending' });
    expect(out.traffic.some((t) => t.fromNode === W3 || t.target.startsWith('172.18.0.2:'))).toBe(false);
  });

  it('scale-down-not-reflected: the after-scale-down table of one node equals its initial table', () => {
    const out = applied('scale-down-not-reflected');
    expect(section(out, 'after-scale-down', W1, 'proc-ip-vs')).toBe(
      section(model, 'initial', W1, 'proc-ip-vs'),
    );
    expect(section(out, 'after-scale-down', W2, 'proc-ip-vs')).toBe(
      section(model, 'after-scale-down', W2, 'proc-ip-vs'),
    );
  });
});

describe('bundle CLIs (pure core)', () => {
  it('bundle:model writes the model bundle; bad usage exits 2', () => {
    const ok = bundleModelCli(['out.json']);
    expect(ok.exitCode).toBe(0);
    expect(ok.output?.path).toBe('out.json');
    expect(JSON.parse(ok.output?.text ?? '{}')).toEqual(JSON.parse(modelJson));
    expect(bundleModelCli([]).exitCode).toBe(2);
    expect(bundleModelCli([]).stderr).toMatch(/usage/);
  });

  it('bundle:mutant writes the named mutant; an unknown name exits 2 and lists every name', () => {
    const ok = bundleMutantCli(['strict-arp-off', '-']);
    expect(ok.exitCode).toBe(0);
    expect((JSON.parse(ok.output?.text ?? '{}') as Bundle).source).toBe('mutant:strict-arp-off');
    const bad = bundleMutantCli(['nope', 'x.json']);
    expect(bad.exitCode).toBe(2);
    expect(bad.output).toBeNull();
    for (const m of MUTANTS) expect(bad.stderr).toContain(`  ${m.name}\n`);
    expect(bundleMutantCli(['strict-arp-off']).exitCode).toBe(2);
  });
});
