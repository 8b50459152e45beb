import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { NodeSnapshot, Section } from '../bundle/types.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { type NodeTransport, SCRIPT_SECTIONS, snapshotNode } from './node-snapshot.ts';
import { CommandError, type ExecResult, execaRunner, type Runner, type RunOptions, tail } from './process.ts';

/**
 * A second node transport beside `docker exec`: `ip netns exec <namespace> sh -c <script>`, plus the
 * lifecycle of the private network namespaces it runs in. Lets the snapshot script, its section
 * markers and the parsers meet the real iptables/ipset/sysctl tools of this machine without kind.
 * Like the docker transport it carries no judgement: it runs text and returns what came back.
 */

/** Prefix of every namespace this module creates; the rest of the name makes it unique to one process. */
export const NETNS_PREFIX = 'kipvs';

/** Deadlines of the namespace operations (each is one local syscall-sized command). */
export const NETNS_TIMEOUTS = {
  /** `ip netns add` / `ip netns delete`: a mount and an unshare, instant on a healthy host. */
  lifecycleMs: 10_000,
  /** The synchronous delete at process exit: short, because it runs while the process is dying. */
  exitCleanupMs: 3_000,
} as const;

/** argv of the `ip netns` calls. */
export const netnsArgv = {
  add: (name: string): string[] => ['ip', 'netns', 'add', name],
  delete: (name: string): string[] => ['ip', 'netns', 'delete', name],
  // The script runs under the host's sh inside the namespace (network namespace only: same files,
  // same binaries, own interfaces, sysctls under /proc/sys/net, iptables, ipsets).
  exec: (name: string, script: string): string[] => ['ip', 'netns', 'exec', name, 'sh', '-c', script],
  run: (name: string, argv: readonly string[]): string[] => ['ip', 'netns', 'exec', name, ...argv],
} as const;

/** Every exit code, so the Runner returns instead of throwing: the script reports its own status. */
const ANY_EXIT: readonly number[] = Array.from({ length: 256 }, (_, i) => i);

// `ip netns exec` exits 255 with one of these when it could not enter the namespace at all; any
// other result came from the script. (iproute2 lib/namespace.c netns_switch, ip/ipnetns.c.)
const ENTER_FAILURES = [
  /^Cannot open network namespace /m,
  /^setting the network namespace .* failed/m,
  /^mount of \/sys failed/m,
];

/**
 * Why `ip netns exec` itself failed (could not enter the namespace), or null when the result is the
 * script's own. Pure.
 */
export function netnsEnterFailure(r: ExecResult): string | null {
  if (r.exitCode !== 255) return null;
  return ENTER_FAILURES.some((re) => re.test(r.stderr)) ? tail(r.stderr, 3, 500) : null;
}

/**
 * A namespace name unique to this process and call: `kipvs-<pid>-<random>-<node>`. The node part is
 * reduced to the characters `ip netns` accepts in a file name and cut so the whole stays short. Pure.
 */
export function netnsName(node: string, pid: number, random: string): string {
  const safeNode = node
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 48);
  if (!/^[a-z0-9]+$/.test(random))
    throw new Error(`netnsName: random part must be [a-z0-9]+, got ${JSON.stringify(random)}`);
  return `${NETNS_PREFIX}-${pid}-${random}-${safeNode === '' ? 'node' : safeNode}`;
}

/** `ip netns exec <namespace> sh -c <script>`; implements the live shell's NodeTransport. */
export class NetnsExecTransport implements NodeTransport {
  constructor(
    private readonly run: Runner,
    /** The Kubernetes node name this namespace stands in for. */
    readonly node: string,
    /** The network namespace (as listed by `ip netns list`). */
    readonly namespace: string,
  ) {}

  /** Runs the script in the namespace; returns any exit code of the script, throws CommandError if the namespace cannot be entered. */
  async exec(script: string, timeoutMs: number): Promise<ExecResult> {
    const argv = netnsArgv.exec(this.namespace, script);
    const r = await this.run(argv, { timeoutMs, okExitCodes: ANY_EXIT });
    const enter = netnsEnterFailure(r);
    if (enter !== null) {
      throw new CommandError(
        argv,
        r.exitCode,
        r.stdout,
        r.stderr,
        null,
        `could not enter network namespace ${this.namespace} (create it first): ${enter}`,
      );
    }
    return r;
  }
}

/** The command recorded for an ipset-save section read straight from a namespace (no kube-proxy container here). */
export const NETNS_IPSET_COMMAND = 'ipset save';

/**
 * `ipset save` run directly through the transport. On a kind node ipset lives only in the
 * kube-proxy container (hence crictl in node-snapshot.ts); in a namespace of this machine the host's
 * ipset binary sees the namespace's own sets. Absent with the exit code and stderr when it fails.
 */
export async function netnsIpsetSave(transport: NodeTransport, timeoutMs: number): Promise<Section> {
  const r = await transport.exec('ipset save', timeoutMs);
  if (r.exitCode === 0) return { status: 'ok', command: NETNS_IPSET_COMMAND, text: r.stdout };
  const why = tail(r.stderr, 3, 500);
  return {
    status: 'absent',
    command: NETNS_IPSET_COMMAND,
    reason: `exit ${r.exitCode}${why === '' ? '' : `: ${why}`}`,
  };
}

/**
 * The node snapshot through any transport whose target has ipset on its PATH (a namespace of this
 * machine): the same script, markers and section splitter as {@link snapshotNode}, with ipset-save
 * read by a plain `ipset save` instead of through the kube-proxy container.
 */
export async function snapshotNetnsNode(
  transport: NodeTransport,
  timeoutMs: number = TIMEOUTS.nodeExecMs,
): Promise<NodeSnapshot> {
  // A copy of SCRIPT_SECTIONS: snapshotNode goes through crictl for ipset-save only when handed
  // SCRIPT_SECTIONS itself, and there is no kube-proxy container here (nor should a host crictl be asked).
  const scripted = await snapshotNode(transport, [...SCRIPT_SECTIONS]);
  const ipset = await netnsIpsetSave(transport, timeoutMs);
  return { node: scripted.node, sections: { ...scripted.sections, 'ipset-save': ipset } };
}

// ---------------------------------------------------------------------------------------------
// Lifecycle. Every namespace created here is recorded in `alive` (this process only) until it is
// deleted; deletion only ever names a namespace from that record, so nothing else is touched.

const alive = new Set<string>();
let hooksInstalled = false;

function deleteSync(name: string): void {
  try {
    execFileSync('ip', netnsArgv.delete(name).slice(1), {
      timeout: NETNS_TIMEOUTS.exitCleanupMs,
      stdio: 'ignore',
    });
  } catch {
    // Dying process: nothing useful can be done with the error; the name carries our pid for a human.
  }
  alive.delete(name);
}

function onExit(): void {
  for (const name of [...alive]) deleteSync(name);
}

function onSignal(signal: NodeJS.Signals): void {
  onExit();
  uninstallHooks();
  // Were we the only listener, the default action (terminate) was suppressed by our listener:
  // restore it. Otherwise the other listeners (e.g. the test runner's) decide what happens.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

/** Namespaces this process created and has not deleted yet (for tests and messages). */
export function aliveNetns(): string[] {
  return [...alive];
}

/** One private network namespace; `await using` or {@link NetnsHandle.remove} deletes it. */
export interface NetnsHandle extends AsyncDisposable {
  /** Namespace name, e.g. `kipvs-4242-a1b2c3-kind-worker`. */
  readonly name: string;
  /** The node it stands in for. */
  readonly node: string;
  /** The snapshot transport into this namespace. */
  readonly transport: NetnsExecTransport;
  /** Runs argv inside the namespace (no shell); throws CommandError on an exit code outside okExitCodes. */
  run(argv: readonly string[], options: RunOptions): Promise<ExecResult>;
  /** Deletes the namespace; idempotent. */
  remove(): Promise<void>;
}

/** Options of {@link createNetns}. */
export interface CreateNetnsOptions {
  /** Defaults to the execa runner. */
  readonly run?: Runner;
  /** Random part of the name; default 6 hex characters from crypto. */
  readonly random?: string;
  /** Defaults to process.pid. */
  readonly pid?: number;
}

/**
 * Creates a fresh namespace for `node`. `ip netns add` refuses an existing name, so an existing
 * namespace is never adopted (nor deleted). Installs the exit/SIGINT/SIGTERM cleanup while any namespace is alive.
 */
export async function createNetns(node: string, opts: CreateNetnsOptions = {}): Promise<NetnsHandle> {
  const run = opts.run ?? execaRunner();
  const name = netnsName(node, opts.pid ?? process.pid, opts.random ?? randomBytes(3).toString('hex'));
  // Recorded only once `ip netns add` succeeded: a failed add may mean the name exists and is not
  // ours. The price is that an interruption during the add itself can leave that one namespace
  // behind (its name carries our pid for a human to find), never that we delete someone else's.
  await run(netnsArgv.add(name), { timeoutMs: NETNS_TIMEOUTS.lifecycleMs });
  alive.add(name);
  installHooks();
  let removed: Promise<void> | null = null;
  const remove = (): Promise<void> => {
    removed ??= run(netnsArgv.delete(name), { timeoutMs: NETNS_TIMEOUTS.lifecycleMs }).then(
      () => {
        alive.delete(name);
        if (alive.size === 0) uninstallHooks();
      },
      (e: unknown) => {
        // Still recorded: a later remove() or the process-exit hook tries again.
        removed = null;
        throw e;
      },
    );
    return removed;
  };
  return {
    name,
    node,
    transport: new NetnsExecTransport(run, node, name),
    run: (argv, options) => run(netnsArgv.run(name, argv), options),
    remove,
    [Symbol.asyncDispose]: remove,
  };
}

/** A set of namespaces, one per node, removed together; use with `await using`. */
export interface NetnsGroup extends AsyncDisposable {
  readonly handles: readonly NetnsHandle[];
  /** The handle of a node; throws naming the nodes there are. */
  of(node: string): NetnsHandle;
  /** Removes every namespace of the group (each attempted even if one fails; the first error is rethrown). */
  remove(): Promise<void>;
}

/** Creates one namespace per node; if any creation fails, the ones already made are removed before the error is rethrown. */
export async function createNetnsGroup(
  nodes: readonly string[],
  opts: Omit<CreateNetnsOptions, 'random'> = {},
): Promise<NetnsGroup> {
  const handles: NetnsHandle[] = [];
  const removeAll = async (): Promise<void> => {
    const results = await Promise.allSettled(handles.map((h) => h.remove()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  // One random part for the group so its namespaces are recognisable together in `ip netns list`.
  const random = randomBytes(3).toString('hex');
  try {
    for (const node of nodes) handles.push(await createNetns(node, { ...opts, random }));
  } catch (e: unknown) {
    await removeAll().catch(() => undefined);
    throw e;
  }
  return {
    handles,
    of(node) {
      const h = handles.find((x) => x.node === node);
      if (h === undefined)
        throw new Error(
          `no namespace for node ${node}; the group has ${handles.map((x) => x.node).join(', ')}`,
        );
      return h;
    },
    remove: removeAll,
    [Symbol.asyncDispose]: removeAll,
  };
}

/** Runs `fn` with one namespace per node and always removes them afterwards (try/finally). */
export async function withNetnsGroup<T>(
  nodes: readonly string[],
  fn: (group: NetnsGroup) => Promise<T>,
  opts: Omit<CreateNetnsOptions, 'random'> = {},
): Promise<T> {
  const group = await createNetnsGroup(nodes, opts);
  try {
    return await fn(group);
  } finally {
    await group.remove();
  }
}

/** Whether this machine can run the namespace tests, and if not, why (for a visible skip reason). */
export type NetnsAvailability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Probes for root and working network namespaces by creating and deleting one throwaway namespace
 * (and running `true` in it). Never throws: every failure becomes the reason.
 */
export async function probeNetns(run: Runner = execaRunner()): Promise<NetnsAvailability> {
  if (process.platform !== 'linux')
    return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return {
      ok: false,
      reason: `not root (uid ${process.getuid()}): ip netns add needs CAP_SYS_ADMIN; run as root`,
    };
  }
  let handle: NetnsHandle | null = null;
  try {
    handle = await createNetns('probe', { run });
    await handle.transport.exec('true', NETNS_TIMEOUTS.lifecycleMs);
    return { ok: true };
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: `cannot create or enter a network namespace: ${why.split('\n')[0] ?? why}` };
  } finally {
    await handle?.remove().catch(() => undefined);
  }
}
