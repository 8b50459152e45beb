import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1EndpointSlice, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBundle } from '../bundle/load.ts';
import { parseSuiteConfig, type SuiteConfig } from '../config.ts';
import { WORKLOAD } from '../workload.ts';
import { DockerCli } from './docker.ts';
import { KindCli } from './kind.ts';
import type { KubeApiLike } from './kube-api.ts';
import { CallCounter, CommandError, type ExecResult, type Runner } from './process.ts';
import { FAILURE_SNAPSHOT_LABEL, type LiveDeps, recordLiveBundle } from './run.ts';

const CLUSTER = 'ipvs-conformance';
const NODES = [`${CLUSTER}-control-plane`, `${CLUSTER}-worker`, `${CLUSTER}-worker2`, `${CLUSTER}-worker3`];
const CLUSTER_IP = '10.200.1.50';

interface FakeWorld {
  readonly argv: string[][];
  clusters: string[];
  createFails: string | null;
  kindVersion: string;
  replicas: number;
  namespaceExists: boolean;
}

// A fake kind/docker CLI: answers by argv, records every call.
function fakeRunner(w: FakeWorld, counter: CallCounter): Runner {
  return async (argv) => {
    counter.execs++;
    w.argv.push([...argv]);
    const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0 });
    const [tool, sub] = argv;
    if (tool === 'kind' && sub === 'version') return ok(`kind ${w.kindVersion} go1.22.6 linux/amd64\n`);
    if (tool === 'kind' && sub === 'get' && argv[2] === 'clusters')
      return ok(w.clusters.map((c) => `${c}\n`).join(''));
    if (tool === 'kind' && sub === 'get' && argv[2] === 'kubeconfig')
      return ok('apiVersion: v1\nkind: Config\n');
    if (tool === 'kind' && sub === 'create') {
      if (w.createFails !== null) throw new CommandError(argv, 1, '', w.createFails, null, 'exit code 1');
      w.clusters.push(CLUSTER);
      return ok('');
    }
    if (tool === 'docker' && sub === 'inspect') return ok('kindest/node:v1.31.0@sha256:53df\n');
    return ok('');
  };
}

const worker = (i: number) => NODES[i] ?? '';

function fakeApi(w: FakeWorld): KubeApiLike {
  const nodes: V1Node[] = NODES.map((name, i) => ({
    metadata: { name, labels: i === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: `172.18.0.${i + 2}` }],
    },
  }));
  const echoPods = (): V1Pod[] =>
    Array.from({ length: w.replicas }, (_, i) => ({
      metadata: { namespace: WORKLOAD.namespace, name: `echo-${i}`, labels: { app: 'echo' } },
      spec: { nodeName: worker(i + 1), containers: [] },
      status: { podIP: `10.10.${i + 1}.2`, conditions: [{ type: 'Ready', status: 'True' }] },
    }));
  const clients = (): V1Pod[] =>
    NODES.map((n) => ({
      metadata: { namespace: WORKLOAD.namespace, name: `client-${n}`, labels: { app: 'client' } },
      spec: { nodeName: n, containers: [] },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    }));
  const slices = (): V1EndpointSlice[] => [
    {
      metadata: {
        namespace: WORKLOAD.namespace,
        name: 'echo-clusterip-x',
        labels: { 'kubernetes.io/service-name': 'echo-clusterip' },
      },
      addressType: 'IPv4',
      endpoints: echoPods().map((p) => ({ addresses: [p.status?.podIP ?? ''], conditions: { ready: true } })),
    },
  ];
  const ns: V1Namespace = {
    metadata: { name: WORKLOAD.namespace, labels: { [WORKLOAD.ownerLabel.key]: WORKLOAD.ownerLabel.value } },
  };
  const fake = {
    serverVersion: async () => ({ gitVersion: 'v1.31.0' }),
    listNodes: async () => ({ items: nodes }),
    listServices: async () => ({ items: [] }),
    listEndpointSlices: async () => ({ items: slices() }),
    listPods: async () => ({ items: [...echoPods(), ...clients()] }),
    listNamespacedPods: async () => ({ items: [...echoPods(), ...clients()] }),
    listEvents: async () => ({ items: [] }),
    readConfigMap: async (_n: string, name: string) =>
      name === 'kube-proxy'
        ? { data: { 'config.conf': 'mode: ipvs\n' } }
        : { data: { ClusterConfiguration: 'networking: {}\n' } },
    readDaemonSet: async () => ({
      spec: {
        selector: {},
        template: {
          spec: { containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.31.0' }] },
        },
      },
    }),
    readNamespace: async () => (w.namespaceExists ? ns : null),
    createNamespace: async () => {
      w.namespaceExists = true;
      return ns;
    },
    createDeployment: async () => ({}),
    createService: async () => ({ spec: { clusterIP: CLUSTER_IP } }),
    createPod: async () => ({}),
    scaleDeployment: async (_ns: string, _n: string, r: number) => {
      w.replicas = r;
      return {};
    },
    deleteNamespace: async () => {
      w.namespaceExists = false;
    },
  };
  return fake as unknown as KubeApiLike;
}

const hex = (ip: string) =>
  ip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0').toUpperCase())
    .join('');

// A fake node: answers the snapshot script, ipset save, the traffic loop and the owner marker.
function fakeTransport(w: FakeWorld, node: string, scripts: string[]) {
  return {
    node,
    exec: async (script: string): Promise<ExecResult> => {
      scripts.push(script);
      const snap = /^M=@@kind-ipvs-([0-9a-f]+)$/m.exec(script);
      if (snap?.[1]) {
        const M = `@@kind-ipvs-${snap[1]}`;
        const rs = Array.from(
          { length: w.replicas },
          (_, i) => `  -> ${hex(`10.10.${i + 1}.2`)}:1F90      Masq    1      0          0\n`,
        ).join('');
        const proc = `IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\nTCP  ${hex(CLUSTER_IP)}:0050 rr  \n${rs}`;
        const names = [...script.matchAll(/^sec (\S+) /gm)].map((m) => m[1] ?? '');
        const stdout = names
          .map(
            (s) =>
              `${M}:begin:${s}\n${s === 'proc-ip-vs' ? proc : `${s} text`}\n${M}:stderr:${s}\n\n${M}:end:${s}:0\n`,
          )
          .join('');
        return { stdout, stderr: '', exitCode: 0 };
      }
      if (script.includes('ipset save'))
        return { stdout: 'create KUBE-CLUSTER-IP hash:ip,port\n', stderr: '', exitCode: 0 };
      const loop = /@@kind-ipvs-([0-9a-f]+)/.exec(script);
      const count = Number(/-lt (\d+)/.exec(script)?.[1] ?? 0);
      if (loop?.[1]) {
        const lines = Array.from(
          { length: count },
          (_, i) => `@@kind-ipvs-${loop[1]} ${i + 1} 0 echo-${i % w.replicas}`,
        );
        return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0 };
      }
      return { stdout: '', stderr: '', exitCode: 0 };
    },
  };
}

let reports: string;
beforeEach(() => {
  reports = mkdtempSync(join(tmpdir(), 'run-test-'));
});
afterEach(() => rmSync(reports, { recursive: true, force: true }));

function setup(over: Partial<FakeWorld> = {}, env: Record<string, string> = {}) {
  const w: FakeWorld = {
    argv: [],
    clusters: [],
    createFails: null,
    kindVersion: 'v0.24.0',
    replicas: 3,
    namespaceExists: false,
    ...over,
  };
  const scripts: string[] = [];
  const counter = new CallCounter();
  const runner = fakeRunner(w, counter);
  const deps: Partial<LiveDeps> = {
    counter,
    kind: new KindCli(runner),
    docker: new DockerCli(runner),
    api: () => fakeApi(w),
    transport: (n) => fakeTransport(w, n, scripts),
    hostBurst: async (_h, _p, n) => ({
      answers: Array.from({ length: n }, (_, i) => `echo-${i % 3}`),
      errors: [],
    }),
    logTexts: () => [
      'kubelet: E0101 failed to set feature gates: unrecognized feature gate: MultiCIDRServiceAllocator',
    ],
  };
  const config: SuiteConfig = { ...parseSuiteConfig(env), reportsDir: reports };
  const lines: string[] = [];
  return { w, scripts, deps, config, lines, log: (l: string) => lines.push(l) };
}

const kindCalls = (w: FakeWorld, sub: string) => w.argv.filter((a) => a[0] === 'kind' && a[1] === sub);

describe('recordLiveBundle', () => {
  it('records a complete run and cleans up what it created', async () => {
    const s = setup();
    const bundle = await recordLiveBundle(s.config, s.log, s.deps);
    expect(bundle.failure).toBeNull();
    expect(() => parseBundle(JSON.stringify(bundle))).not.toThrow();
    expect(bundle.snapshots.map((x) => x.label)).toEqual(['initial', 'after-scale-down']);
    expect(bundle.snapshots[0]?.nodes.map((n) => n.node)).toEqual(NODES);
    expect(bundle.snapshots[0]?.nodes[0]?.sections['ipset-save']).toMatchObject({ status: 'ok' });
    expect(bundle.traffic.filter((t) => t.kind === 'clusterip').map((t) => t.client)).toEqual(
      NODES.map((n) => `client-${n}`),
    );
    expect(bundle.traffic.filter((t) => t.kind === 'nodeport-host')).toHaveLength(1);
    expect(bundle.traffic.filter((t) => t.kind === 'nodeport-pod')).toHaveLength(16);
    expect(bundle.traffic[0]).toMatchObject({
      target: `${CLUSTER_IP}:80`,
      service: 'ipvs-conformance/echo-clusterip',
    });
    expect(bundle.traffic[0]?.answers).toHaveLength(WORKLOAD.requestsPerSample);
    expect(bundle.timings.map((t) => t.stage)).toEqual([
      'preflight',
      'create',
      'deploy',
      'observe',
      'traffic',
      'scale',
      'teardown',
    ]);
    expect(bundle.fingerprint).toMatchObject({
      kindVersion: 'v0.24.0',
      serverVersion: 'v1.31.0',
      kubeProxyImage: 'registry.k8s.io/kube-proxy:v1.31.0',
      kubeProxyConfig: 'mode: ipvs\n',
    });
    expect(bundle.requested.nodeImage).toMatch(/^kindest\/node:v1\.31\.0@sha256:/);
    expect(bundle.counters.execs).toBeGreaterThan(0);
    expect(JSON.stringify(bundle)).not.toContain('kind: Config');
    const create = kindCalls(s.w, 'create')[0] ?? [];
    expect(create).toContain('--retain');
    expect(create[create.indexOf('--kubeconfig') + 1]).toMatch(/kind-ipvs-.*\/kubeconfig$/);
    expect(kindCalls(s.w, 'export')).toHaveLength(1);
    expect(kindCalls(s.w, 'delete')).toHaveLength(1);
    expect(s.w.namespaceExists).toBe(false);
    expect(s.scripts.some((x) => x.includes('/kind/ipvs-conformance-owner'))).toBe(true);
  });

  it('keeps the cluster with KIND_IPVS_KEEP=1', async () => {
    const s = setup({}, { KIND_IPVS_KEEP: '1' });
    const bundle = await recordLiveBundle(s.config, s.log, s.deps);
    expect(bundle.failure).toBeNull();
    expect(kindCalls(s.w, 'delete')).toHaveLength(0);
  });

  it('stops at preflight for an unsupported kind version and touches nothing', async () => {
    const s = setup({ kindVersion: 'v0.19.0' });
    const bundle = await recordLiveBundle(s.config, s.log, s.deps);
    expect(bundle.failure?.stage).toBe('preflight');
    expect(bundle.failure?.message).toMatch(
      /^kind v0\.19\.0 is not in kind\/versions\.json \(supported: v0\.24\.0/,
    );
    expect(kindCalls(s.w, 'create')).toHaveLength(0);
    expect(kindCalls(s.w, 'delete')).toHaveLength(0);
    expect(() => parseBundle(JSON.stringify(bundle))).not.toThrow();
  });

  it('refuses to create over an existing cluster and never deletes it', async () => {
    const s = setup({ clusters: [CLUSTER] });
    const bundle = await recordLiveBundle(s.config, s.log, s.deps);
    expect(bundle.failure).toMatchObject({
      stage: 'create',
      message: expect.stringMatching(/already exists.*KIND_IPVS_REUSE=1/),
    });
    expect(kindCalls(s.w, 'delete')).toHaveLength(0);
    expect(kindCalls(s.w, 'create')).toHaveLength(0);
  });

  it('refuses to reuse a cluster that is missing', async () => {
    const s = setup({}, { KIND_IPVS_REUSE: '1' });
    const bundle = await recordLiveBundle(s.config, s.log, s.deps);
    expect(bundle.failure?.message).toMatch(
      /^KIND_IPVS_REUSE=1 but there is no kind cluster named ipvs-conformance/,
    );
  });

  it('refuses a reused cluster without the owner marker unless allowed, and never deletes it', async () => {
    const s = setup({ clusters: [CLUSTER] }, { KIND_IPVS_REUSE: '1' });
    const deps = {
      ...s.deps,
      transport: (n: string) => ({
        node: n,
        exec: async () => ({ stdout: '', stderr: 'No such file', exitCode: 1 }),
      }),
    };
    const bundle = await recordLiveBundle(s.config, s.log, deps);
    expect(bundle.failure?.message).toMatch(
      /was not created by this suite.*KIND_IPVS_ALLOW_FOREIGN_CONTEXT=1/s,
    );
    expect(kindCalls(s.w, 'delete')).toHaveLength(0);
  });

  it('lists the drift of a reused cluster', async () => {
    const s = setup({ clusters: [CLUSTER] }, { KIND_IPVS_REUSE: '1' });
    const bundle = await recordLiveBundle(s.config, s.log, s.deps);
    expect(bundle.failure?.stage).toBe('create');
    expect(bundle.failure?.message).toContain(
      'does not match kind/cluster-ipvs.yaml:\n  - podSubnet: expected 10.10.0.0/16, found none in kubeadm-config',
    );
    expect(kindCalls(s.w, 'delete')).toHaveLength(0);
  });

  it('names an unrecognised feature gate when create fails, exports logs and deletes the retained nodes', async () => {
    const s = setup({ createFails: 'ERROR: failed to create cluster: failed to init node with kubeadm' });
    const bundle = await recordLiveBundle(s.config, s.log, s.deps);
    expect(bundle.failure).toEqual({
      stage: 'create',
      message: expect.stringMatching(/^feature gate MultiCIDRServiceAllocator not recognised by v1\.31\.0/),
    });
    expect(kindCalls(s.w, 'export')).toHaveLength(1);
    expect(kindCalls(s.w, 'delete')).toHaveLength(1);
    expect(bundle.timings.at(-1)?.stage).toBe('teardown');
  });

  it('records the data plane at the moment a later stage fails, then tears down', async () => {
    const s = setup();
    const deps: Partial<LiveDeps> = {
      ...s.deps,
      hostBurst: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:30000');
      },
    };
    const bundle = await recordLiveBundle(s.config, s.log, deps);
    expect(bundle.failure).toEqual({ stage: 'traffic', message: 'connect ECONNREFUSED 127.0.0.1:30000' });
    expect(bundle.snapshots.map((x) => x.label)).toEqual(['initial', FAILURE_SNAPSHOT_LABEL]);
    expect(bundle.snapshots[1]?.nodes.map((n) => n.node)).toEqual(NODES);
    expect(bundle.timings.map((t) => t.stage).slice(-2)).toEqual(['failure-snapshot', 'teardown']);
    expect(() => parseBundle(JSON.stringify(bundle))).not.toThrow();
    expect(kindCalls(s.w, 'delete')).toHaveLength(1);
  });

  it('takes no failure snapshot of a reused cluster it refused', async () => {
    const s = setup({ clusters: [CLUSTER] }, { KIND_IPVS_REUSE: '1' });
    const bundle = await recordLiveBundle(s.config, s.log, s.deps);
    expect(bundle.failure?.stage).toBe('create');
    expect(bundle.snapshots).toEqual([]);
    expect(s.scripts.some((x) => /^M=@@kind-ipvs-/m.test(x))).toBe(false);
  });

  it('warns when the owner marker cannot be written, and still runs', async () => {
    const s = setup();
    const base = s.deps.transport as (n: string) => ReturnType<typeof fakeTransport>;
    const deps: Partial<LiveDeps> = {
      ...s.deps,
      transport: (n) => {
        const t = base(n);
        return {
          node: n,
          exec: async (script: string) =>
            script.includes('> /kind/ipvs-conformance-owner')
              ? {
                  stdout: '',
                  stderr: 'sh: 1: cannot create /kind/ipvs-conformance-owner: Read-only file system',
                  exitCode: 2,
                }
              : t.exec(script),
        };
      },
    };
    const bundle = await recordLiveBundle(s.config, s.log, deps);
    expect(bundle.failure).toBeNull();
    expect(
      s.lines.some((l) => /^warning: could not write the owner marker .*Read-only file system/.test(l)),
    ).toBe(true);
  });

  it('refuses a namespace of the same name that the suite does not own', async () => {
    const s = setup();
    const base = s.deps.api;
    const deps: Partial<LiveDeps> = {
      ...s.deps,
      api: (k) => ({
        ...(base as (k: string) => KubeApiLike)(k),
        readNamespace: async () => ({ metadata: { name: WORKLOAD.namespace } }),
      }),
    };
    const bundle = await recordLiveBundle(s.config, s.log, deps);
    expect(bundle.failure).toMatchObject({
      stage: 'deploy',
      message: expect.stringMatching(/is not labelled app\.kubernetes\.io\/managed-by/),
    });
    expect(kindCalls(s.w, 'delete')).toHaveLength(1);
  });
});
