import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { loadKindVersions, pairForKind } from '../../kind/versions.ts';
import type { SuiteConfig } from '../config.ts';
import { DockerCli } from './docker.ts';
import { KindCli } from './kind.ts';
import { CommandError, type Runner, tail } from './process.ts';

/** The modules kube-proxy's IPVS mode needs on the host kernel (kind nodes share it). */
export const IPVS_MODULES = ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', 'nf_conntrack'] as const;
/** The one command that loads them (also what CI runs before `kind create cluster`). */
export const MODPROBE_COMMAND = `sudo modprobe -a ${IPVS_MODULES.join(' ')}`;

const REPLAY_HINT = 'or replay a recorded bundle instead: KIND_IPVS_BUNDLE=path/to/bundle.json npm test';

/** What the host offers for the IPVS module check (injected so the check is pure). */
export interface ModuleFacts {
  /** Text of /proc/modules, or null when unreadable (not Linux, or a VM kernel). */
  readonly procModules: string | null;
  /** Whether /sys/module/<name> exists (loaded, or built in with parameters). */
  readonly sysModule: (name: string) => boolean;
  /** Text of /lib/modules/<release>/modules.builtin, or null. */
  readonly builtin: string | null;
  /** Text of /lib/modules/<release>/modules.dep, or null. */
  readonly dep: string | null;
}

/**
 * Which IPVS modules are neither loaded nor built in, and a warning naming them and the modprobe
 * command; null when all are present. A warning, not a failure: kube-proxy loads them itself from
 * the host's /lib/modules (mounted into every kind node) when they are loadable. Pure.
 */
export function ipvsModuleWarning(f: ModuleFacts): string | null {
  if (f.procModules === null && !f.sysModule('ip_vs')) {
    return `cannot read /proc/modules to check the IPVS kernel modules (${IPVS_MODULES.join(', ')}); if kube-proxy falls back or fails, run: ${MODPROBE_COMMAND}`;
  }
  const loaded = new Set((f.procModules ?? '').split('\n').map((l) => l.split(' ')[0] ?? ''));
  const hasKo = (text: string | null, m: string) =>
    text !== null && new RegExp(`(^|/)${m}\\.ko(\\.[a-z]+)?:?(\\s|$)`, 'm').test(text);
  const missing = IPVS_MODULES.filter((m) => !loaded.has(m) && !f.sysModule(m) && !hasKo(f.builtin, m));
  if (missing.length === 0) return null;
  const unloadable = missing.filter((m) => f.dep !== null && !hasKo(f.dep, m));
  return (
    `IPVS kernel modules not loaded: ${missing.join(', ')}` +
    (unloadable.length > 0
      ? ` (not found in modules.dep either: ${unloadable.join(', ')}; install your distribution's extra kernel modules)`
      : '') +
    `. kube-proxy in IPVS mode needs them; load them with: ${MODPROBE_COMMAND}`
  );
}

/** Whether an executable named `name` is on PATH. */
export function onPath(name: string, pathEnv: string): boolean {
  return pathEnv
    .split(delimiter)
    .filter((d) => d !== '')
    .some((d) => {
      try {
        accessSync(join(d, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** The outcome of preflight: the first failure (if any) with its fix, and warnings. */
export interface PreflightResult {
  readonly error: string | null;
  readonly warnings: readonly string[];
  readonly dockerVersion: string | null;
  readonly kindVersion: string | null;
}

function kindInstallHint(version: string): string {
  return (
    `install kind ${version}: go install sigs.k8s.io/kind@${version}, or curl -Lo kind ` +
    `https://kind.sigs.k8s.io/dl/${version}/kind-linux-amd64 && chmod +x kind && sudo mv kind /usr/local/bin/`
  );
}

/**
 * Checks what a live run needs, stopping at the first failure: the docker CLI and a reachable
 * daemon (`docker info` with a deadline), kind on PATH at a version listed in kind/versions.json,
 * then (warning only) the IPVS kernel modules. Every message names what is missing and how to get it.
 */
export async function runPreflight(
  run: Runner,
  config: SuiteConfig,
  pathEnv: string,
  modules: ModuleFacts,
): Promise<PreflightResult> {
  const warnings: string[] = [];
  const versions = loadKindVersions();
  const alsoMissing = (): string =>
    onPath('kind', pathEnv)
      ? ''
      : `\nAlso missing: kind is not on PATH (${kindInstallHint(versions.reference)}).`;
  let dockerVersion: string;
  try {
    dockerVersion = await new DockerCli(run).serverVersion();
  } catch (e: unknown) {
    if (e instanceof CommandError && e.exitCode === null && e.timedOutAfterMs === null) {
      return fail(
        `Docker CLI not found: ${e.message}. Install Docker (https://docs.docker.com/engine/install/) and start it, ${REPLAY_HINT}.${alsoMissing()}`,
      );
    }
    const why =
      e instanceof CommandError
        ? e.timedOutAfterMs !== null
          ? `docker info gave no answer within ${e.timedOutAfterMs} ms`
          : tail(e.stderr, 3, 400) || e.message
        : String(e);
    return fail(
      `Docker daemon not reachable (${why.trim()}). Install Docker / start it (e.g. sudo systemctl start docker) and make sure ` +
        `your user may use it (docker info must work), ${REPLAY_HINT}.${alsoMissing()}`,
    );
  }
  let kindVersion: string;
  try {
    kindVersion = await new KindCli(run).version();
  } catch (e: unknown) {
    const notFound = e instanceof CommandError && e.exitCode === null && e.timedOutAfterMs === null;
    return fail(
      `${notFound ? 'kind not found on PATH' : `kind version failed: ${e instanceof Error ? e.message : String(e)}`}. ` +
        `${kindInstallHint(versions.reference)}; ${REPLAY_HINT}.`,
    );
  }
  if (pairForKind(versions, kindVersion) === null) {
    const supported = versions.pairs.map((p) => p.kind).join(', ');
    if (config.nodeImage === null) {
      return fail(
        `kind ${kindVersion} is not supported: kind/versions.json pairs node images with ${supported} only. ` +
          `${kindInstallHint(versions.reference)}; or set KIND_IPVS_NODE_IMAGE to a node image built for kind ${kindVersion}.`,
      );
    }
    warnings.push(
      `kind ${kindVersion} is not in kind/versions.json (${supported}); using KIND_IPVS_NODE_IMAGE=${config.nodeImage} as given`,
    );
  }
  const modWarning = ipvsModuleWarning(modules);
  if (modWarning !== null) warnings.push(modWarning);
  return { error: null, warnings, dockerVersion, kindVersion };

  function fail(error: string): PreflightResult {
    return { error, warnings, dockerVersion: null, kindVersion: null };
  }
}
