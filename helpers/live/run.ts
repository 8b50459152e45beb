import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kubernetesVersionOfImage, loadKindVersions, pairForKind } from '../../kind/versions.ts';
import {
  CONTAINERS,
  clientPod,
  clusterIpService,
  echoDeployment,
  namespace,
  nodePortService,
} from '../../manifests/workloads.ts';
import type { ApiObjects } from '../api/types.ts';
import {
  BUNDLE_FORMAT_VERSION,
  type Bundle,
  type Fingerprint,
  type NodeSnapshot,
  type Snapshot,
  type StageTiming,
  type TrafficSample,
} from '../bundle/types.ts';
import type { SuiteConfig } from '../config.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { clientPodName, WORKLOAD } from '../workload.ts';
import { readApiObjects, toApiEndpointSlice, toApiNode, toApiPod } from './api-snapshot.ts';
import { ipvsProgrammed, nodesReady, pollUntil, workloadReady } from './converge.ts';
import { DockerCli } from './docker.ts';
import { guardInterruption } from './interrupt.ts';
import { classifyCreateFailure, KindCli } from './kind.ts';
import { detectDrift, type KindConfigModel, parseKindConfig } from './kind-config.ts';
import { KubeApi, type KubeApiLike } from './kube-api.ts';
import { DockerExecTransport, type NodeTransport, readProcIpVs, snapshotNode } from './node-snapshot.ts';
import { CallCounter, CommandError, execaRunner } from './process.ts';
import { type Burst, hostBurst, hostPortFor, podBurst, toSample } from './traffic.ts';

/** Progress lines for long steps. */
export type Log = (line: string) => void;

/** Everything the live run talks to; tests replace parts with fakes. */
export interface LiveDeps {
  readonly counter: CallCounter;
  readonly kind: KindCli;
  readonly docker: DockerCli;
  readonly api: (kubeconfig: string) => KubeApiLike;
  readonly transport: (node: string) => NodeTransport;
  readonly hostBurst: (host: string, port: number, count: number) => Promise<Burst>;
  /** Text of exported node logs worth scanning for a create failure's cause. */
  readonly logTexts: (dir: string) => string[];
}

/** The marker the suite leaves in the control-plane of a cluster it created (never in the API). */
export const OWNER_MARKER_PATH = '/kind/ipvs-conformance-owner';

/** A stage that cannot go on; becomes the bundle's `failure`. */
class StageFailure extends Error {
  override readonly name = 'StageFailure';
}

const LOG_FILE = /(^kubelet\.log$|^journal\.log$|kube-(apiserver|controller-manager|scheduler|proxy))/;
const LOG_TAIL_BYTES = 256 * 1024;

/** Reads the tails of the kubelet/journal and control-plane container logs under a `kind export logs` dir. */
export function readExportedLogs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 4 || !existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, depth + 1);
      else if (LOG_FILE.test(name)) {
        const text = readFileSync(p, 'utf8');
        out.push(text.length > LOG_TAIL_BYTES ? text.slice(-LOG_TAIL_BYTES) : text);
      }
    }
  };
  walk(dir, 0);
  return out;
}

function defaultDeps(counter: CallCounter): LiveDeps {
  const runner = execaRunner(counter);
  const docker = new DockerCli(runner);
  return {
    counter,
    kind: new KindCli(runner),
    docker,
    api: (kubeconfig) => new KubeApi(kubeconfig, counter),
    transport: (node) => new DockerExecTransport(docker, node),
    hostBurst: (host, port, count) => hostBurst(host, port, count),
    logTexts: readExportedLogs,
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

type Fp = { -readonly [K in keyof Fingerprint]: Fingerprint[K] };

/** Mutable state of one run; `bundle()` freezes it into the contract shape. */
class Recorder {
  readonly snapshots: Snapshot[] = [];
  readonly traffic: TrafficSample[] = [];
  readonly timings: StageTiming[] = [];
  readonly fingerprint: Fp = {
    kindVersion: '',
    nodeImage: '',
    serverVersion: '',
    kubeProxyImage: '',
    kernel: '',
    kubeProxyConfig: '',
  };
  readonly requested = { kindConfig: '', kindVersion: '', nodeImage: '', namespace: WORKLOAD.namespace };
  failure: { stage: string; message: string } | null = null;
  current = 'preflight';
  private readonly createdAt = new Date().toISOString();

  async stage<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.current = name;
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      this.timings.push({ stage: name, ms: Date.now() - t0 });
    }
  }

  bundle(counter: CallCounter): Bundle {
    return {
      formatVersion: BUNDLE_FORMAT_VERSION,
      source: 'live',
      createdAt: this.createdAt,
      requested: { ...this.requested },
      fingerprint: { ...this.fingerprint },
      snapshots: [...this.snapshots],
      traffic: [...this.traffic],
      timings: [...this.timings],
      counters: counter.snapshot(),
      failure: this.failure,
    };
  }
}

interface Ctx {
  /** The suite created the cluster in this run (so it may delete it). */
  created: boolean;
  /** A cluster of that name exists now (so logs can be exported). */
  exists: boolean;
  logsExported: boolean;
  kubeconfigDir: string | null;
  api: KubeApiLike | null;
  /** The suite created its namespace in this run (so it deletes it). */
  namespaceOurs: boolean;
  model: KindConfigModel | null;
  nodes: string[];
}

/**
 * Records one live observation bundle: create (or reuse) the kind cluster, deploy, observe, send
 * traffic, scale down, observe again, tear down. Never throws: a failed stage yields a bundle with
 * `failure: {stage, message}` and whatever was recorded; teardown (namespace delete, `kind export
 * logs`, cluster delete unless kept or reused) always runs. Preflight (docker, kind, ip_vs) is
 * expected to have passed in helpers/cli/run-conformance.ts.
 */
export async function recordLiveBundle(
  config: SuiteConfig,
  log: Log,
  overrides: Partial<LiveDeps> = {},
): Promise<Bundle> {
  const counter = overrides.counter ?? new CallCounter();
  const deps: LiveDeps = { ...defaultDeps(counter), ...overrides, counter };
  const rec = new Recorder();
  const ctx: Ctx = {
    created: false,
    exists: false,
    logsExported: false,
    kubeconfigDir: null,
    api: null,
    namespaceOurs: false,
    model: null,
    nodes: [],
  };
  const logsDir = join(config.reportsDir, 'kind-logs');
  const unguard = guardInterruption(async (signal) => {
    if (ctx.created && !config.keep) {
      log(`interrupted (${signal}): deleting kind cluster ${config.clusterName}, which this run created`);
      await deps.kind.delete(config.clusterName, null);
    }
    if (ctx.kubeconfigDir !== null) rmSync(ctx.kubeconfigDir, { recursive: true, force: true });
  });
  try {
    await rec.stage('preflight', () => preflight(config, deps, rec, ctx));
    await rec.stage('create', () => createOrReuse(config, deps, rec, ctx, log, logsDir));
    const clusterIP = await rec.stage('deploy', () => deploy(deps, ctx, log));
    await rec.stage('observe', async () => {
      log('snapshot initial');
      rec.snapshots.push(await takeSnapshot('initial', deps, ctx));
    });
    await rec.stage('traffic', () => sendTraffic(deps, rec, ctx, clusterIP, log));
    await rec.stage('scale', () => scaleDown(deps, rec, ctx, clusterIP, log));
  } catch (e: unknown) {
    rec.failure = { stage: rec.current, message: message(e) };
    log(`stage ${rec.current} failed: ${message(e)}`);
    if (DIAGNOSED_STAGES.has(rec.failure.stage) && ctx.api !== null && ctx.nodes.length > 0) {
      await rec.stage('failure-snapshot', () => failureSnapshot(deps, rec, ctx, log));
    }
  } finally {
    await rec.stage('teardown', () => teardown(config, deps, ctx, log, logsDir));
    unguard();
  }
  return rec.bundle(counter);
}

/** Label of the snapshot taken when a stage after create fails; the suites never judge it. */
export const FAILURE_SNAPSHOT_LABEL = 'at-failure';

// Stages that fail on a cluster the suite may read (its own, or a reused one past the ownership and
// drift checks): there the data plane at the moment of failure says why (e.g. proxyMode iptables).
const DIAGNOSED_STAGES = new Set(['deploy', 'observe', 'traffic', 'scale']);

/**
 * DESIGN §5: on failure attach every node's data plane. Best effort: a failure here is logged and
 * the run goes on to teardown with the stage's own failure as the bundle's verdict.
 */
async function failureSnapshot(deps: LiveDeps, rec: Recorder, ctx: Ctx, log: Log): Promise<void> {
  try {
    log(`snapshot ${FAILURE_SNAPSHOT_LABEL} (data plane at the failure, for diagnosis)`);
    rec.snapshots.push(await takeSnapshot(FAILURE_SNAPSHOT_LABEL, deps, ctx));
  } catch (e: unknown) {
    log(`could not take the ${FAILURE_SNAPSHOT_LABEL} snapshot: ${message(e)}`);
  }
}

async function preflight(config: SuiteConfig, deps: LiveDeps, rec: Recorder, ctx: Ctx): Promise<void> {
  const kindVersion = await deps.kind.version();
  rec.requested.kindVersion = kindVersion;
  rec.fingerprint.kindVersion = kindVersion;
  const versions = loadKindVersions();
  const pair = pairForKind(versions, kindVersion);
  if (pair === null && config.nodeImage === null) {
    throw new StageFailure(
      `kind ${kindVersion} is not in kind/versions.json (supported: ${versions.pairs.map((p) => p.kind).join(', ')}); ` +
        'install a listed release or set KIND_IPVS_NODE_IMAGE to the node image built for this kind.',
    );
  }
  rec.requested.nodeImage = config.nodeImage ?? pair?.image ?? '';
  let text: string;
  try {
    text = readFileSync(config.kindConfigPath, 'utf8');
  } catch (e: unknown) {
    throw new StageFailure(`cannot read the kind config ${config.kindConfigPath}: ${message(e)}`);
  }
  rec.requested.kindConfig = text;
  ctx.model = parseKindConfig(text, config.kindConfigPath);
}

async function createOrReuse(
  config: SuiteConfig,
  deps: LiveDeps,
  rec: Recorder,
  ctx: Ctx,
  log: Log,
  logsDir: string,
): Promise<void> {
  const model = ctx.model as KindConfigModel;
  const name = config.clusterName;
  const clusters = await deps.kind.clusters();
  const exists = clusters.includes(name);
  if (config.reuse && !exists) {
    throw new StageFailure(
      `KIND_IPVS_REUSE=1 but there is no kind cluster named ${name} (kind get clusters: ${clusters.join(', ') || 'none'}); ` +
        'unset KIND_IPVS_REUSE to create it, or set KIND_IPVS_CLUSTER to an existing one.',
    );
  }
  if (!config.reuse && exists) {
    throw new StageFailure(
      `a kind cluster named ${name} already exists and the suite did not create it in this run; set KIND_IPVS_REUSE=1 ` +
        `to reuse it (its config is checked first), or delete it yourself: kind delete cluster --name ${name}`,
    );
  }
  if (!config.reuse) {
    ctx.kubeconfigDir = mkdtempSync(join(tmpdir(), 'kind-ipvs-'));
    // --retain keeps the nodes of a failed create for `kind export logs`, so the cluster counts as ours from here.
    ctx.created = true;
    ctx.exists = true;
    log(
      `creating kind cluster ${name} with ${rec.requested.nodeImage} (this pulls the node image the first time)`,
    );
    try {
      await deps.kind.create({
        name,
        configPath: resolve(config.kindConfigPath),
        image: rec.requested.nodeImage,
        kubeconfigPath: join(ctx.kubeconfigDir, 'kubeconfig'),
        retain: true,
      });
    } catch (e: unknown) {
      const output = e instanceof CommandError ? `${e.stdout}\n${e.stderr}` : message(e);
      await exportLogs(deps, ctx, name, logsDir, log);
      const k8s = kubernetesVersionOfImage(rec.requested.nodeImage) ?? rec.requested.nodeImage;
      const cause = classifyCreateFailure(
        [output, ...(ctx.logsExported ? safeLogTexts(deps, logsDir) : [])],
        k8s,
      );
      throw new StageFailure(cause ? cause.message : `kind create cluster failed: ${message(e)}`);
    }
  } else {
    ctx.exists = true;
  }
  const api = deps.api(await deps.kind.kubeconfig(name));
  ctx.api = api;
  log(`waiting for ${model.controlPlanes} control-plane + ${model.workers} worker nodes to be Ready`);
  const nodes = await pollUntil(
    `${model.controlPlanes} control-plane and ${model.workers} worker nodes Ready`,
    TIMEOUTS.nodesReadyMs,
    async () => nodesReady((await api.listNodes()).items.map(toApiNode), model.controlPlanes, model.workers),
  );
  ctx.nodes = nodes.map((n) => n.name).sort();
  const cp = nodes.find((n) => n.role === 'control-plane')?.name ?? `${name}-control-plane`;
  const wantK8s = kubernetesVersionOfImage(rec.requested.nodeImage);
  if (ctx.created) {
    const marker = JSON.stringify({
      createdBy: WORKLOAD.ownerLabel.value,
      cluster: name,
      createdAt: new Date().toISOString(),
    });
    const wrote = await deps
      .transport(cp)
      .exec(`printf '%s\\n' '${marker}' > ${OWNER_MARKER_PATH}`, TIMEOUTS.nodeExecMs);
    // Not fatal for this run, but a later KIND_IPVS_REUSE=1 run would refuse the cluster as foreign.
    if (wrote.exitCode !== 0) {
      log(
        `warning: could not write the owner marker ${OWNER_MARKER_PATH} on ${cp} (exit ${wrote.exitCode}: ` +
          `${wrote.stderr.trim()}); a later KIND_IPVS_REUSE=1 run will treat this cluster as foreign`,
      );
    }
  } else {
    const mark = await deps.transport(cp).exec(`cat ${OWNER_MARKER_PATH}`, TIMEOUTS.nodeExecMs);
    if (mark.exitCode !== 0 && !config.allowForeignContext) {
      throw new StageFailure(
        `kind cluster ${name} was not created by this suite (no ${OWNER_MARKER_PATH} on ${cp}); refusing to deploy into ` +
          'a foreign cluster. Set KIND_IPVS_ALLOW_FOREIGN_CONTEXT=1 to run against it anyway.',
      );
    }
    const seen = await readApiObjects(api);
    const drift = detectDrift(model, wantK8s, seen);
    if (drift.length > 0) {
      throw new StageFailure(
        `the reused cluster ${name} does not match ${config.kindConfigPath}:\n  - ${drift.join('\n  - ')}\n` +
          `Delete it (kind delete cluster --name ${name}) or unset KIND_IPVS_REUSE so the suite creates a fresh one.`,
      );
    }
  }
  const [version, ds, kp, image] = await Promise.all([
    api.serverVersion(),
    api.readDaemonSet('kube-system', 'kube-proxy'),
    api.readConfigMap('kube-system', 'kube-proxy'),
    deps.docker.containerImage(cp),
  ]);
  rec.fingerprint.serverVersion = version.gitVersion;
  rec.fingerprint.kubeProxyImage = ds?.spec?.template.spec?.containers[0]?.image ?? '';
  rec.fingerprint.kubeProxyConfig = kp?.data?.['config.conf'] ?? '';
  rec.fingerprint.kernel = nodes[0]?.kernelVersion ?? '';
  rec.fingerprint.nodeImage = image;
}

function safeLogTexts(deps: LiveDeps, dir: string): string[] {
  try {
    return deps.logTexts(dir);
  } catch {
    return [];
  }
}

async function exportLogs(deps: LiveDeps, ctx: Ctx, name: string, dir: string, log: Log): Promise<void> {
  if (ctx.logsExported || !ctx.exists) return;
  try {
    mkdirSync(dir, { recursive: true });
    log(`exporting kind logs to ${dir}`);
    await deps.kind.exportLogs(name, dir);
    ctx.logsExported = true;
  } catch (e: unknown) {
    log(`could not export kind logs: ${message(e)}`);
  }
}

async function deploy(deps: LiveDeps, ctx: Ctx, log: Log): Promise<string> {
  const api = ctx.api as KubeApiLike;
  const ns = WORKLOAD.namespace;
  const existing = await api.readNamespace(ns);
  if (existing !== null) {
    if (existing.metadata?.labels?.[WORKLOAD.ownerLabel.key] !== WORKLOAD.ownerLabel.value) {
      throw new StageFailure(
        `namespace ${ns} exists but is not labelled ${WORKLOAD.ownerLabel.key}=${WORKLOAD.ownerLabel.value}; the suite never ` +
          'touches a namespace it did not create: delete it yourself or use another cluster.',
      );
    }
    log(`deleting namespace ${ns} left over from an earlier run`);
    await api.deleteNamespace(ns);
    await pollUntil(`the leftover namespace ${ns} to be gone`, TIMEOUTS.namespaceDeleteMs, async () => ({
      done: (await api.readNamespace(ns)) === null,
      value: null,
      state: `namespace ${ns} still terminating`,
    }));
  }
  log(
    `deploying echo (${WORKLOAD.echo.replicas} replicas), 2 services and ${ctx.nodes.length} client pods into ${ns}`,
  );
  await api.createNamespace(namespace());
  ctx.namespaceOurs = true;
  await api.createDeployment(ns, echoDeployment());
  const svc = await api.createService(ns, clusterIpService());
  await api.createService(ns, nodePortService());
  for (const node of ctx.nodes) await api.createPod(ns, clientPod(node));
  const clusterIP = svc.spec?.clusterIP;
  if (!clusterIP || clusterIP === 'None')
    throw new StageFailure(`service ${WORKLOAD.clusterIpService.name} got no ClusterIP`);
  const endpoints = await waitWorkload(api, WORKLOAD.echo.replicas, ctx.nodes, log);
  await waitIpvs(deps, ctx, clusterIP, endpoints, log);
  return clusterIP;
}

async function waitWorkload(
  api: KubeApiLike,
  replicas: number,
  nodes: readonly string[],
  log: Log,
): Promise<string[]> {
  const ns = WORKLOAD.namespace;
  log(
    `waiting for ${replicas} echo pods Ready on distinct workers, their endpoints and ${nodes.length} client pods`,
  );
  return pollUntil(
    `${replicas} Ready echo pods on distinct nodes, exactly their IPs as ready ${WORKLOAD.clusterIpService.name} endpoints, and every client pod Ready`,
    TIMEOUTS.workloadReadyMs,
    async () => {
      const [pods, slices] = await Promise.all([api.listNamespacedPods(ns), api.listEndpointSlices()]);
      return workloadReady(pods.items.map(toApiPod), slices.items.map(toApiEndpointSlice), {
        namespace: ns,
        echoLabel: WORKLOAD.echo.labels,
        replicas,
        service: WORKLOAD.clusterIpService.name,
        clients: nodes.map(clientPodName),
      });
    },
  );
}

async function waitIpvs(
  deps: LiveDeps,
  ctx: Ctx,
  clusterIP: string,
  endpoints: readonly string[],
  log: Log,
): Promise<void> {
  const port = WORKLOAD.clusterIpService.port;
  log(`waiting for kube-proxy to program ${clusterIP}:${port} -> [${endpoints.join(', ')}] on every node`);
  await pollUntil(
    `the IPVS virtual server ${clusterIP}:${port} with real servers [${endpoints.join(', ')}] on all ${ctx.nodes.length} nodes`,
    TIMEOUTS.kubeProxySyncMs,
    async () => {
      const probes = await Promise.all(
        ctx.nodes.map(async (n) => ({
          n,
          p: ipvsProgrammed(
            await readProcIpVs(deps.transport(n)),
            clusterIP,
            port,
            endpoints,
            WORKLOAD.echo.containerPort,
          ),
        })),
      );
      const pending = probes.filter((x) => !x.p.done);
      return {
        done: pending.length === 0,
        value: null,
        state: pending.map((x) => `${x.n}: ${x.p.state}`).join('; '),
      };
    },
  );
}

async function takeSnapshot(label: string, deps: LiveDeps, ctx: Ctx): Promise<Snapshot> {
  const api: ApiObjects = await readApiObjects(ctx.api as KubeApiLike);
  const nodes: NodeSnapshot[] = await Promise.all(ctx.nodes.map((n) => snapshotNode(deps.transport(n))));
  return { label, takenAt: new Date().toISOString(), api, nodes };
}

async function sendTraffic(
  deps: LiveDeps,
  rec: Recorder,
  ctx: Ctx,
  clusterIP: string,
  log: Log,
): Promise<void> {
  const ns = WORKLOAD.namespace;
  const n = WORKLOAD.requestsPerSample;
  const initial = rec.snapshots.find((s) => s.label === 'initial');
  const ips = (initial?.api.nodes ?? [])
    .map((x) => ({ name: x.name, ip: x.internalIP }))
    .filter((x) => x.ip !== null);
  const cipTarget = `${clusterIP}:${WORKLOAD.clusterIpService.port}`;
  const cipService = `${ns}/${WORKLOAD.clusterIpService.name}`;
  const npService = `${ns}/${WORKLOAD.nodePortService.name}`;
  const nodePort = WORKLOAD.nodePortService.nodePort;
  // Sequential on purpose: rr state is per node and per virtual server; overlapping bursts to one VS would interleave.
  for (const node of ctx.nodes) {
    log(`traffic: ${n} requests from ${clientPodName(node)} to ${cipTarget}`);
    const burst = await podBurst({
      transport: deps.transport(node),
      clientPod: clientPodName(node),
      clientContainer: CONTAINERS.client,
      namespace: ns,
      url: `http://${cipTarget}/hostname`,
      count: n,
    });
    rec.traffic.push(toSample('clusterip', node, clientPodName(node), cipService, cipTarget, burst));
  }
  const hostPort = hostPortFor((ctx.model as KindConfigModel).portMappings, nodePort);
  if (hostPort === null || hostPort < 0) {
    throw new StageFailure(
      `the kind config maps no fixed host port to nodePort ${nodePort} (extraPortMappings), so the host cannot reach it`,
    );
  }
  log(`traffic: ${n} requests from the host to 127.0.0.1:${hostPort}`);
  rec.traffic.push(
    toSample(
      'nodeport-host',
      'host',
      'host',
      npService,
      `127.0.0.1:${hostPort}`,
      await deps.hostBurst('127.0.0.1', hostPort, n),
    ),
  );
  for (const node of ctx.nodes) {
    for (const target of ips) {
      const t = `${target.ip}:${nodePort}`;
      log(`traffic: ${n} requests from ${clientPodName(node)} to ${t} (${target.name})`);
      const burst = await podBurst({
        transport: deps.transport(node),
        clientPod: clientPodName(node),
        clientContainer: CONTAINERS.client,
        namespace: ns,
        url: `http://${t}/hostname`,
        count: n,
      });
      rec.traffic.push(toSample('nodeport-pod', node, clientPodName(node), npService, t, burst));
    }
  }
}

async function scaleDown(
  deps: LiveDeps,
  rec: Recorder,
  ctx: Ctx,
  clusterIP: string,
  log: Log,
): Promise<void> {
  const api = ctx.api as KubeApiLike;
  const replicas = WORKLOAD.echo.scaledReplicas;
  log(`scaling ${WORKLOAD.echo.deployment} to ${replicas}`);
  await api.scaleDeployment(WORKLOAD.namespace, WORKLOAD.echo.deployment, replicas);
  const endpoints = await waitWorkload(api, replicas, ctx.nodes, log);
  await waitIpvs(deps, ctx, clusterIP, endpoints, log);
  log('snapshot after-scale-down');
  rec.snapshots.push(await takeSnapshot('after-scale-down', deps, ctx));
}

async function teardown(
  config: SuiteConfig,
  deps: LiveDeps,
  ctx: Ctx,
  log: Log,
  logsDir: string,
): Promise<void> {
  const api = ctx.api;
  if (api !== null && ctx.namespaceOurs) {
    try {
      log(`deleting namespace ${WORKLOAD.namespace}`);
      await api.deleteNamespace(WORKLOAD.namespace);
      // A kept or reused cluster must be clean for the next run; a cluster about to be deleted need not wait.
      if (!ctx.created || config.keep) {
        await pollUntil(
          `namespace ${WORKLOAD.namespace} to be gone`,
          TIMEOUTS.namespaceDeleteMs,
          async () => ({
            done: (await api.readNamespace(WORKLOAD.namespace)) === null,
            value: null,
            state: 'still terminating',
          }),
        );
      }
    } catch (e: unknown) {
      log(`teardown: namespace delete failed: ${message(e)}`);
    }
  }
  await exportLogs(deps, ctx, config.clusterName, logsDir, log);
  if (ctx.created && !config.keep) {
    try {
      log(`deleting kind cluster ${config.clusterName}`);
      await deps.kind.delete(
        config.clusterName,
        ctx.kubeconfigDir === null ? null : join(ctx.kubeconfigDir, 'kubeconfig'),
      );
    } catch (e: unknown) {
      log(
        `teardown: cluster delete failed: ${message(e)}; delete it with: kind delete cluster --name ${config.clusterName}`,
      );
    }
  } else if (ctx.created) {
    log(
      `keeping cluster ${config.clusterName} (KIND_IPVS_KEEP=1); kubectl access: kind export kubeconfig --name ${config.clusterName}`,
    );
  }
  if (ctx.kubeconfigDir !== null) rmSync(ctx.kubeconfigDir, { recursive: true, force: true });
}
