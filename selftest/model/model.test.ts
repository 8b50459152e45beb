import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseBundle } from '../../helpers/bundle/load.ts';
import type { Section, Snapshot } from '../../helpers/bundle/types.ts';
import {
  parseIpAddr,
  parseIpset,
  parseIptablesSave,
  parseProcIpVs,
  parseSysctl,
} from '../../helpers/parse/index.ts';
import { WORKLOAD } from '../../helpers/workload.ts';
import { buildModelCluster, CLUSTER_NAME, echoPodName, SCALED_DOWN_WORKER } from './cluster.ts';
import { inCidr, ipv4Hex, portHex } from './net.ts';
import { renderBundle, renderModelBundle } from './render-bundle.ts';
import { ctime, portProtoHash } from './render-iptables-save.ts';

const bundle = renderModelBundle();

function text(s: Section): string {
  if (s.status !== 'ok') throw new Error(`section ${s.command} absent: ${s.reason}`);
  return s.text;
}
function snap(label: string): Snapshot {
  const s = bundle.snapshots.find((x) => x.label === label);
  if (!s) throw new Error(`no snapshot ${label}`);
  return s;
}
const initial = snap('initial');
const after = snap('after-scale-down');
const nodeNames = initial.api.nodes.map((n) => n.name);

describe('model bundle: shape and determinism', () => {
  it('is a valid observation bundle by the suite schema', () => {
    expect(() => parseBundle(JSON.stringify(bundle), 'model')).not.toThrow();
    expect(bundle.source).toBe('model');
    expect(bundle.failure).toBeNull();
  });

  it('renders byte-identical JSON on every call and from a fresh model', () => {
    expect(JSON.stringify(renderModelBundle())).toBe(JSON.stringify(bundle));
    expect(JSON.stringify(renderBundle(buildModelCluster()))).toBe(JSON.stringify(bundle));
  });

  it('records what was requested: the reference kind config text and the pinned v0.24.0 pair', () => {
    const versions = JSON.parse(
      readFileSync(new URL('../../kind/versions.json', import.meta.url), 'utf8'),
    ) as {
      pairs: { kind: string; image: string }[];
    };
    expect(bundle.requested.kindConfig).toBe(
      readFileSync(new URL('../../kind/cluster-ipvs.yaml', import.meta.url), 'utf8'),
    );
    expect(bundle.requested.kindVersion).toBe('v0.24.0');
    expect(bundle.requested.nodeImage).toBe(versions.pairs.find((p) => p.kind === 'v0.24.0')?.image);
    expect(bundle.requested.namespace).toBe(WORKLOAD.namespace);
    expect(bundle.fingerprint).toMatchObject({
      serverVersion: 'v1.31.0',
      kubeProxyImage: 'registry.k8s.io/kube-proxy:v1.31.0',
    });
  });

  it('has the 4 kind nodes, all Ready, and both snapshots with every section ok on every node', () => {
    expect(nodeNames).toEqual([
      `${CLUSTER_NAME}-control-plane`,
      `${CLUSTER_NAME}-worker`,
      `${CLUSTER_NAME}-worker2`,
      `${CLUSTER_NAME}-worker3`,
    ]);
    expect(initial.api.nodes.every((n) => n.ready && n.kubeletVersion === 'v1.31.0')).toBe(true);
    expect(bundle.snapshots.map((s) => s.label)).toEqual(['initial', 'after-scale-down']);
    for (const s of bundle.snapshots) {
      expect(s.nodes.map((n) => n.node)).toEqual(nodeNames);
      for (const n of s.nodes) for (const sec of Object.values(n.sections)) expect(sec.status).toBe('ok');
    }
  });
});

describe('model bundle: every section parses with the real parsers', () => {
  for (const s of [initial, after]) {
    for (const n of s.nodes) {
      it(`${s.label} ${n.node}`, () => {
        expect(parseProcIpVs(text(n.sections['proc-ip-vs'])).virtualServers.length).toBeGreaterThan(0);
        expect(Object.keys(parseIptablesSave(text(n.sections['iptables-save'])).tables).sort()).toEqual([
          'filter',
          'mangle',
          'nat',
        ]);
        expect(Object.keys(parseIptablesSave(text(n.sections['ip6tables-save'])).tables).sort()).toEqual([
          'filter',
          'mangle',
          'nat',
        ]);
        expect(parseIpset(text(n.sections['ipset-save'])).sets).toHaveLength(34);
        expect(parseIpAddr(text(n.sections['ip-addr'])).interfaces.length).toBeGreaterThan(3);
        expect(Object.keys(parseSysctl(text(n.sections.sysctl)).values).length).toBeGreaterThan(10);
      });
    }
  }
});

/** Parsed view of one node, for the consistency checks. */
function parsedNode(s: Snapshot, node: string) {
  const n = s.nodes.find((x) => x.node === node);
  if (!n) throw new Error(`no node ${node}`);
  return {
    ipvs: parseProcIpVs(text(n.sections['proc-ip-vs'])),
    nat: parseIptablesSave(text(n.sections['iptables-save'])).tables.nat,
    ipsets: parseIpset(text(n.sections['ipset-save'])),
    addr: parseIpAddr(text(n.sections['ip-addr'])),
    sysctl: parseSysctl(text(n.sections.sysctl)).values,
  };
}

function members(p: ReturnType<typeof parsedNode>, set: string): string[] {
  const found = p.ipsets.sets.find((x) => x.name === set);
  if (!found) throw new Error(`no set ${set}`);
  return [...found.members].sort();
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe('model bundle: the data plane is consistent with the API objects', () => {
  for (const s of [initial, after]) {
    const svcPorts = s.api.services.flatMap((svc) => svc.ports.map((p) => ({ svc, p })));
    const clusterIPs = sorted(new Set(s.api.services.map((x) => x.clusterIP ?? '')));
    for (const node of nodeNames) {
      it(`${s.label} ${node}: virtual servers = service ports x (ClusterIP + every local address), RS = ready endpoints`, () => {
        const p = parsedNode(s, node);
        const ifs = p.addr.interfaces;
        const local = ifs
          .filter((i) => i.name !== 'kube-ipvs0' && i.name !== 'lo')
          .flatMap((i) => i.addresses.filter((a) => !a.includes(':')).map((a) => a.split('/')[0] ?? ''));
        const expected: string[] = [];
        for (const { svc, p: port } of svcPorts) {
          const slice = s.api.endpointSlices.find(
            (e) => e.serviceName === svc.name && e.namespace === svc.namespace,
          );
          const rs = sorted(
            (slice?.endpoints ?? [])
              .filter((e) => e.ready)
              .flatMap((e) => e.addresses.map((a) => `${a}:${port.targetPort}`)),
          );
          expected.push(`${port.protocol} ${svc.clusterIP}:${port.port} -> ${rs.join(',')}`);
          if (port.nodePort !== null) {
            for (const a of new Set(local))
              expected.push(`${port.protocol} ${a}:${port.nodePort} -> ${rs.join(',')}`);
          }
        }
        const observed = p.ipvs.virtualServers.map((vs) => {
          expect(vs.scheduler).toBe('rr');
          expect(vs.persistentJiffies).toBeNull();
          const rs = sorted(vs.realServers.filter((r) => r.weight > 0).map((r) => `${r.address}:${r.port}`));
          for (const r of vs.realServers) expect(r.forward).toBe('Masq');
          return `${vs.protocol} ${vs.address}:${vs.port} -> ${rs.join(',')}`;
        });
        expect(sorted(observed)).toEqual(sorted(expected));
      });

      it(`${s.label} ${node}: kube-ipvs0, KUBE-IPVS-IPS, KUBE-CLUSTER-IP, KUBE-NODE-PORT-TCP, KUBE-LOOP-BACK agree`, () => {
        const p = parsedNode(s, node);
        const dev = p.addr.interfaces.find((i) => i.name === 'kube-ipvs0');
        expect(dev).toMatchObject({ type: 'dummy', state: 'DOWN' });
        expect(sorted(dev?.addresses ?? [])).toEqual(sorted(clusterIPs.map((ip) => `${ip}/32`)));
        for (const other of p.addr.interfaces.filter((i) => i.name !== 'kube-ipvs0')) {
          for (const ip of clusterIPs) expect(other.addresses).not.toContain(`${ip}/32`);
        }
        expect(members(p, 'KUBE-IPVS-IPS')).toEqual(clusterIPs);
        expect(members(p, 'KUBE-CLUSTER-IP')).toEqual(
          sorted(
            svcPorts.map(
              ({ svc, p: port }) => `${svc.clusterIP},${port.protocol.toLowerCase()}:${port.port}`,
            ),
          ),
        );
        expect(members(p, 'KUBE-NODE-PORT-TCP')).toEqual([String(WORKLOAD.nodePortService.nodePort)]);
        const localEps = s.api.endpointSlices.flatMap((sl) => {
          const svc = s.api.services.find((x) => x.name === sl.serviceName && x.namespace === sl.namespace);
          return sl.endpoints
            .filter((e) => e.nodeName === node)
            .flatMap((e) =>
              e.addresses.flatMap((a) =>
                (svc?.ports ?? []).map((pt) => `${a},${pt.protocol.toLowerCase()}:${pt.targetPort},${a}`),
              ),
            );
        });
        expect(members(p, 'KUBE-LOOP-BACK')).toEqual(sorted(new Set(localEps)));
        for (const set of p.ipsets.sets.filter((x) => x.name.startsWith('KUBE-6-')))
          expect(set.members).toEqual([]);
      });

      it(`${s.label} ${node}: nat rules of the IPVS proxier, no iptables-mode chains, strictARP sysctls`, () => {
        const p = parsedNode(s, node);
        const nat = p.nat;
        if (!nat) throw new Error('no nat table');
        const targets = (chain: string) => (nat.chains[chain]?.rules ?? []).map((r) => r.target);
        expect(targets('KUBE-SERVICES')).toEqual(['RETURN', 'KUBE-MARK-MASQ', 'KUBE-NODE-PORT', 'ACCEPT']);
        expect(targets('KUBE-NODE-PORT')).toEqual(['KUBE-MARK-MASQ']);
        expect(nat.chains['KUBE-MARK-MASQ']?.rules[0]?.text).toBe(
          '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
        );
        const hasLocal = members(p, 'KUBE-LOOP-BACK').length > 0;
        expect(targets('KUBE-POSTROUTING')).toEqual([
          ...(hasLocal ? ['MASQUERADE'] : []),
          'RETURN',
          'MARK',
          'MASQUERADE',
        ]);
        expect(Object.keys(nat.chains).filter((c) => /^KUBE-(SVC|SEP|EXT|FW|NODEPORTS)/.test(c))).toEqual([]);
        expect(p.sysctl['net.ipv4.conf.all.arp_ignore']).toBe('1');
        expect(p.sysctl['net.ipv4.conf.all.arp_announce']).toBe('2');
        for (const i of p.addr.interfaces) {
          expect(p.sysctl[`net.ipv4.conf.${i.name}.arp_ignore`]).toBe('0');
          expect(p.sysctl[`net.ipv4.conf.${i.name}.arp_announce`]).toBe('0');
        }
      });
    }
  }

  it('the scale-down removes one echo pod everywhere; one node still drains it at weight 0', () => {
    const gone = echoPodName(SCALED_DOWN_WORKER);
    expect(initial.api.pods.some((p) => p.name === gone)).toBe(true);
    expect(after.api.pods.some((p) => p.name === gone)).toBe(false);
    const echoSlice = after.api.endpointSlices.find((e) => e.serviceName === WORKLOAD.clusterIpService.name);
    expect(echoSlice?.endpoints).toHaveLength(WORKLOAD.echo.scaledReplicas);
    const draining = nodeNames.flatMap((n) =>
      parsedNode(after, n).ipvs.virtualServers.flatMap((vs) =>
        vs.realServers
          .filter((r) => r.weight === 0)
          .map((r) => `${n} ${vs.address}:${vs.port} ${r.address} ${r.inactiveConns}`),
      ),
    );
    const goneIp = initial.api.pods.find((p) => p.name === gone)?.podIP;
    expect(draining).toEqual([`${CLUSTER_NAME}-control-plane 10.200.1.97:80 ${goneIp} 20`]);
    expect(members(parsedNode(after, SCALED_DOWN_WORKER), 'KUBE-LOOP-BACK')).toEqual([]);
  });

  it('the layout is the configured one: distinct /24 podCIDRs in the pod subnet, pod IPs inside them, ClusterIPs in the service subnet', () => {
    const cidrs = initial.api.nodes.map((n) => n.podCIDR ?? '');
    expect(new Set(cidrs).size).toBe(4);
    for (const c of cidrs)
      expect(c.endsWith('/24') && inCidr(c.split('/')[0] ?? '', '10.10.0.0/16')).toBe(true);
    expect(cidrs).not.toEqual([...cidrs].sort());
    for (const pod of initial.api.pods) {
      const node = initial.api.nodes.find((n) => n.name === pod.nodeName);
      if (pod.hostNetwork) expect(pod.podIP).toBe(node?.internalIP);
      else expect(inCidr(pod.podIP ?? '', node?.podCIDR ?? '')).toBe(true);
    }
    for (const svc of initial.api.services) expect(inCidr(svc.clusterIP ?? '', '10.200.1.0/24')).toBe(true);
    const cfg = parseYaml(initial.api.kubeadmClusterConfiguration ?? '') as {
      networking: Record<string, string>;
    };
    expect(cfg.networking).toMatchObject({ podSubnet: '10.10.0.0/16', serviceSubnet: '10.200.1.0/24' });
    const kp = parseYaml(initial.api.kubeProxyConfig ?? '') as {
      mode: string;
      ipvs: Record<string, unknown>;
      clusterCIDR: string;
    };
    expect(kp).toMatchObject({
      mode: 'ipvs',
      clusterCIDR: '10.10.0.0/16',
      ipvs: { strictARP: true, scheduler: '' },
    });
    expect(bundle.fingerprint.kubeProxyConfig).toBe(initial.api.kubeProxyConfig);
  });
});

describe('model bundle: traffic', () => {
  const echoPods = initial.api.pods.filter((p) => p.labels.app === 'echo').map((p) => p.name);

  it('each node sends 60 ClusterIP requests that walk all 3 echo pods in a strict cycle; the rr start differs by node', () => {
    const samples = bundle.traffic.filter((t) => t.kind === 'clusterip');
    expect(samples.map((t) => t.fromNode)).toEqual(nodeNames);
    for (const t of samples) {
      expect(t.answers).toHaveLength(WORKLOAD.requestsPerSample);
      expect(t.errors).toEqual([]);
      expect(sorted(new Set(t.answers.map(String)))).toEqual(sorted(echoPods));
      expect(t.answers.every((a, i) => a === t.answers[i % 3])).toBe(true);
    }
    expect(new Set(samples.map((t) => t.answers[0])).size).toBeGreaterThan(1);
  });

  it('the host sample cycles too, and every client reaches every node address on the NodePort', () => {
    const host = bundle.traffic.filter((t) => t.kind === 'nodeport-host');
    expect(host).toHaveLength(1);
    expect(host[0]?.target).toBe('127.0.0.1:30000');
    expect(host[0]?.answers.every((a, i) => a === host[0]?.answers[i % 3])).toBe(true);
    const pod = bundle.traffic.filter((t) => t.kind === 'nodeport-pod');
    expect(pod).toHaveLength(16);
    for (const t of pod) {
      expect(t.answers.length).toBeGreaterThan(0);
      expect(t.answers.every((a) => a !== null && echoPods.includes(a))).toBe(true);
    }
    const targets = new Set(pod.map((t) => t.target));
    expect(sorted(targets)).toEqual(sorted(initial.api.nodes.map((n) => `${n.internalIP}:30000`)));
  });
});

describe('renderers: exact formats', () => {
  it('/proc/net/ip_vs uses host-order upper-case hex and the kernel column layout', () => {
    expect(ipv4Hex('10.200.1.1')).toBe('0AC80101');
    expect(ipv4Hex('172.18.0.4')).toBe('AC120004');
    expect(portHex(6443)).toBe('192B');
    const t = text(
      initial.nodes[0]?.sections['proc-ip-vs'] ?? { status: 'absent', command: '', reason: 'none' },
    );
    expect(
      t.startsWith('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n'),
    ).toBe(true);
    expect(t).toContain(
      'TCP  0AC80101:01BB rr  \n  -> AC120004:192B      Masq    1      0          0         \n',
    );
  });

  it('iptables-save stamps are C ctime() and iptables-mode hashes are 16 base32 characters', () => {
    expect(ctime('2026-12-01T00:04:10Z')).toBe('Tue Dec  1 00:04:10 2026');
    expect(portProtoHash('default/kubernetes:httpstcp')).toMatch(/^[A-Z2-7]{16}$/);
  });

  it('ip -d -j addr is one JSON line; /proxyMode has no newline; uname -r has one', () => {
    const n = initial.nodes[1];
    if (!n) throw new Error('no node');
    const ip = text(n.sections['ip-addr']);
    expect(ip.endsWith(']\n')).toBe(true);
    expect(ip.split('\n')).toHaveLength(2);
    expect(text(n.sections['proxy-mode'])).toBe('ipvs');
    expect(text(n.sections.kernel)).toBe('6.8.0-1021-azure\n');
  });
});
