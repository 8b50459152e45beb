/**
 * The live shell's node observation against real tools: one private network namespace per model
 * node, loaded with the model's iptables, ip6tables, ipset and sysctl state by the real restore
 * tools, read back by the real snapshot script through `ip netns exec`, judged by the suites' own
 * node checks. Then real state is broken with the real tools and the matching checks must fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeState, nodeStateFromSnapshot } from '../../helpers/bundle/node-state.ts';
import type { NodeSectionName, NodeSnapshot, Snapshot } from '../../helpers/bundle/types.ts';
import {
  checkIpvs,
  checkIpvsSysctls,
  checkKubeIpvs0Device,
  checkProxyMode,
  formatFindings,
} from '../../helpers/expect/index.ts';
import { tokenizeRule } from '../../helpers/expect/iptables-rule.ts';
import {
  createNetns,
  createNetnsGroup,
  type NetnsGroup,
  type NetnsHandle,
  probeNetns,
  snapshotNetnsNode,
} from '../../helpers/live/netns.ts';
import { renderModelBundle } from '../model/render-bundle.ts';
import {
  combineSnapshots,
  failingCheckIds,
  LOAD_TIMEOUT_MS,
  type LoadReport,
  loadModelNode,
  MODEL_SECTIONS,
  REAL_SECTIONS,
  sectionSources,
  sectionText,
  suiteChecks,
} from './support.ts';

const availability = await probeNetns();
const skipReason = availability.ok ? null : availability.reason;
const skipped = (title: string): string =>
  skipReason === null ? title : `${title} [skipped: ${skipReason}]`;

const bundle = renderModelBundle();
const initial: Snapshot | undefined = bundle.snapshots.find((s) => s.label === 'initial');
if (initial === undefined) throw new Error('the model bundle has no "initial" snapshot');
const model: Snapshot = initial;
const FROM_MODEL = Object.keys(MODEL_SECTIONS) as NodeSectionName[];
const [controlPlane, worker, worker2, worker3] = model.nodes.map((n) => n.node);
if (controlPlane === undefined || worker === undefined || worker2 === undefined || worker3 === undefined) {
  throw new Error(`the model needs 4 nodes, has ${model.nodes.map((n) => n.node).join(', ')}`);
}

function modelNode(node: string): NodeSnapshot {
  const n = model.nodes.find((x) => x.node === node);
  if (n === undefined) throw new Error(`no model node ${node}`);
  return n;
}

describe.skipIf(skipReason !== null)(
  skipped(`node observation through ip netns exec (${sectionSources()})`),
  () => {
    let group: NetnsGroup | null = null;
    let peers: NetnsHandle | null = null;
    const loads = new Map<string, LoadReport>();
    const realSnapshots = new Map<string, NodeSnapshot>();

    /** Real snapshot of the node, combined with the model's sections this machine cannot give, parsed. */
    async function observe(node: string): Promise<{ real: NodeSnapshot; state: NodeState }> {
      if (group === null) throw new Error('namespaces not set up');
      const real = await snapshotNetnsNode(group.of(node).transport, LOAD_TIMEOUT_MS);
      return { real, state: nodeStateFromSnapshot(combineSnapshots(real, modelNode(node), FROM_MODEL)) };
    }

    async function failingOn(node: string): Promise<{ ids: string[]; text: string }> {
      const { state } = await observe(node);
      const results = suiteChecks(state, model.api);
      return { ids: failingCheckIds(results), text: formatFindings(Object.values(results).flat()) };
    }

    beforeAll(async () => {
      group = await createNetnsGroup(model.nodes.map((n) => n.node));
      peers = await createNetns('peers');
      for (const [i, n] of model.nodes.entries())
        loads.set(n.node, await loadModelNode(group.of(n.node), peers, n, i));
      for (const n of model.nodes) realSnapshots.set(n.node, (await observe(n.node)).real);
    }, 120_000);

    afterAll(async () => {
      // Both removals are attempted whatever happened above; the process-exit hook is the backstop.
      const results = await Promise.allSettled([group?.remove(), peers?.remove()]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }, 60_000);

    it(`every model node passes every suite node check on its real namespace (${sectionSources()})`, () => {
      for (const n of model.nodes) {
        const real = realSnapshots.get(n.node);
        if (real === undefined) throw new Error(`no snapshot of ${n.node}`);
        const results = suiteChecks(nodeStateFromSnapshot(combineSnapshots(real, n, FROM_MODEL)), model.api);
        expect(
          failingCheckIds(results),
          `${n.node}:\n${formatFindings(Object.values(results).flat())}`,
        ).toEqual([]);
      }
    });

    it("the model's sysctl section is byte for byte what the real snapshot script prints for its values, less the net.ipv4.vs.* keys this kernel lacks", () => {
      for (const n of model.nodes) {
        const real = realSnapshots.get(n.node);
        const missing = loads.get(n.node)?.sysctlsMissing ?? [];
        if (real === undefined) throw new Error(`no snapshot of ${n.node}`);
        // Only keys that do not exist here are dropped from the model's text, nothing else.
        expect(
          missing.every((k) => k.startsWith('net.ipv4.vs.')),
          missing.join(', '),
        ).toBe(true);
        const modelText = sectionText(n, 'sysctl')
          .split('\n')
          .filter((l) => !missing.includes(l.split(' = ')[0] ?? ''))
          .join('\n');
        expect(sectionText(real, 'sysctl'), n.node).toBe(modelText);
      }
    });

    it('says which sections were real and which came from the model, and why', () => {
      for (const n of model.nodes) {
        const real = realSnapshots.get(n.node);
        if (real === undefined) throw new Error(`no snapshot of ${n.node}`);
        const status = Object.fromEntries(Object.entries(real.sections).map(([k, s]) => [k, s.status]));
        // Real and used as such: the namespace produced these sections itself.
        for (const name of REAL_SECTIONS) expect(status[name], `${n.node} ${name}`).toBe('ok');
        // Not usable from the namespace; the combined snapshot takes the model's (reasons in MODEL_SECTIONS).
        expect(status).toMatchObject({ 'proc-ip-vs': 'absent', 'proxy-mode': 'absent', metrics: 'absent' });
        const used = combineSnapshots(real, n, FROM_MODEL);
        for (const name of FROM_MODEL)
          expect(used.sections[name], `${n.node} ${name} from the model`).toEqual(n.sections[name]);
        for (const name of REAL_SECTIONS)
          expect(used.sections[name], `${n.node} ${name} real`).toEqual(real.sections[name]);
      }
      expect({ real: REAL_SECTIONS, fromModel: FROM_MODEL }).toEqual({
        real: ['iptables-save', 'ip6tables-save', 'ipset-save', 'sysctl', 'kernel'],
        fromModel: ['proc-ip-vs', 'ip-addr', 'proxy-mode', 'metrics'],
      });
    });

    it('sections the namespace cannot give are recorded absent with the reason, and the checks needing them fail with it', () => {
      const real = realSnapshots.get(worker);
      if (real === undefined) throw new Error(`no snapshot of ${worker}`);
      const s = real.sections;
      expect(s['proc-ip-vs']).toMatchObject({
        status: 'absent',
        reason: expect.stringContaining('/proc/net/ip_vs: No such file or directory'),
      });
      expect(s['proxy-mode']).toMatchObject({
        status: 'absent',
        reason: expect.stringMatching(/^exit 7: curl: \(7\) .*127\.0\.0\.1 port 10249/),
      });
      expect(s.metrics).toMatchObject({
        status: 'absent',
        reason: expect.stringMatching(/^exit 7: curl: \(7\)/),
      });
      const realOnly = nodeStateFromSnapshot(real);
      expect(checkIpvs(realOnly, model.api).map((f) => f.message)).toEqual([
        expect.stringMatching(
          /^node .*: proc-ip-vs absent: exit 1: cat: \/proc\/net\/ip_vs: No such file or directory$/,
        ),
      ]);
      expect(checkProxyMode(realOnly).map((f) => f.message)).toEqual([
        expect.stringMatching(/proxy-mode absent: exit 7: curl/),
      ]);
      // The real sysctl section is complete except for the IPVS knobs that need ip_vs loaded.
      const vsKeys = [
        'net.ipv4.vs.conntrack',
        'net.ipv4.vs.conn_reuse_mode',
        'net.ipv4.vs.expire_nodest_conn',
        'net.ipv4.vs.expire_quiescent_template',
      ];
      expect(loads.get(worker)?.sysctlsMissing).toEqual(vsKeys);
      expect(checkIpvsSysctls(realOnly).map((f) => `${f.subject}: ${f.observed}`)).toEqual(
        vsKeys.map((k) => `node ${worker}: ${k}: no such key`),
      );
    });

    it('kube-ipvs0: the dummy link type is probed; a veth stand-in is what the real ip-addr shows, so kube-ipvs0 comes from the model', () => {
      const real = realSnapshots.get(worker);
      if (real === undefined) throw new Error(`no snapshot of ${worker}`);
      const kind = loads.get(worker)?.interfaces.find((i) => i.name === 'kube-ipvs0')?.kind;
      const findings = checkKubeIpvs0Device(nodeStateFromSnapshot(real)).map((f) => f.message);
      if (kind === 'veth') {
        expect(findings).toContain(`node ${worker}: kube-ipvs0: link kind veth, not dummy`);
      } else {
        // A kernel with the dummy type: the real device is a dummy; only its state can differ from the model.
        expect(kind).toBe('dummy');
        expect(findings.filter((m) => m.includes('link kind'))).toEqual([]);
      }
      // Either way the real namespace has exactly the model's interfaces, so the real sysctl covers each of them.
      const names = (text: string) => (JSON.parse(text) as { ifname: string }[]).map((i) => i.ifname).sort();
      expect(names(sectionText(real, 'ip-addr'))).toEqual(names(sectionText(modelNode(worker), 'ip-addr')));
    });

    it(`breaking strictARP with sysctl -w net.ipv4.conf.all.arp_ignore=0 on ${worker} fails sysctl.arp and sysctl.arp-effective there only`, async () => {
      const ns = group?.of(worker);
      if (ns === undefined) throw new Error('namespaces not set up');
      await ns.run(['sysctl', '-q', '-w', 'net.ipv4.conf.all.arp_ignore=0'], { timeoutMs: LOAD_TIMEOUT_MS });
      const broken = await failingOn(worker);
      expect(broken.ids, broken.text).toEqual(['sysctl.arp', 'sysctl.arp-effective']);
      expect(broken.text).toContain(`node ${worker}: net.ipv4.conf.all.arp_ignore: is 0, not 1`);
      expect(broken.text).toMatch(/effective arp_ignore is 0 \(max of all=0, eth0=0\), not 1/);
      const untouched = await failingOn(controlPlane);
      expect(untouched.ids, untouched.text).toEqual([]);
    });

    it(`breaking NodePort with ipset del KUBE-NODE-PORT-TCP 30000 on ${worker2} fails ipset.node-port there only`, async () => {
      const ns = group?.of(worker2);
      if (ns === undefined) throw new Error('namespaces not set up');
      expect(sectionText(modelNode(worker2), 'ipset-save')).toContain('add KUBE-NODE-PORT-TCP 30000\n');
      await ns.run(['ipset', 'del', 'KUBE-NODE-PORT-TCP', '30000'], { timeoutMs: LOAD_TIMEOUT_MS });
      const broken = await failingOn(worker2);
      expect(broken.ids, broken.text).toEqual(['ipset.node-port']);
      expect(broken.text).toContain(`node ${worker2}: ipset KUBE-NODE-PORT-TCP: missing member 30000`);
      const untouched = await failingOn(controlPlane);
      expect(untouched.ids, untouched.text).toEqual([]);
    });

    it(`breaking NodePort with iptables -t nat -D KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT on ${worker3} fails iptables.node-port and iptables.services there only`, async () => {
      const ns = group?.of(worker3);
      if (ns === undefined) throw new Error('namespaces not set up');
      // The exact rule as the model (and so the namespace) has it, turned from -A into -D.
      const line = sectionText(modelNode(worker3), 'iptables-save')
        .split('\n')
        .find(
          (l) =>
            l.startsWith('-A KUBE-SERVICES ') &&
            l.includes('--dst-type LOCAL') &&
            l.endsWith('-j KUBE-NODE-PORT'),
        );
      if (line === undefined)
        throw new Error(
          `the model's iptables-save of ${worker3} has no KUBE-SERVICES -> KUBE-NODE-PORT addrtype LOCAL rule`,
        );
      const [, ...rule] = tokenizeRule(line);
      await ns.run(['iptables', '-t', 'nat', '-D', ...rule], { timeoutMs: LOAD_TIMEOUT_MS });
      const broken = await failingOn(worker3);
      expect(broken.ids, broken.text).toEqual(['iptables.node-port', 'iptables.services']);
      expect(broken.text).toContain(
        `node ${worker3}: iptables nat KUBE-SERVICES: missing rule -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT`,
      );
      const untouched = await failingOn(controlPlane);
      expect(untouched.ids, untouched.text).toEqual([]);
    });
  },
);
