import { TIMEOUTS } from '../timeouts.ts';
import type { Runner } from './process.ts';

/** Inputs of `kind create cluster`. */
export interface CreateClusterArgs {
  readonly name: string;
  readonly configPath: string;
  readonly image: string;
  /** Where kind writes the kubeconfig: a temp file, so the user's ~/.kube/config is never touched. */
  readonly kubeconfigPath: string;
  /** Keep the node containers when creation fails, so `kind export logs` can still read them. */
  readonly retain: boolean;
}

/**
 * argv of every kind call the live run makes. Flags as defined by kind's cobra commands
 * (pkg/cmd/kind/{version,get/clusters,get/kubeconfig,create/cluster,export/logs,delete/cluster}).
 */
export const kindArgv = {
  version: (): string[] => ['kind', 'version'],
  getClusters: (): string[] => ['kind', 'get', 'clusters'],
  // `--wait 0s`: the run polls node readiness itself with a named deadline. `--image` overrides the
  // image of every node in the config (pkg/cluster/internal/create/create.go fixupOptions).
  createCluster: (a: CreateClusterArgs): string[] => [
    'kind',
    'create',
    'cluster',
    '--name',
    a.name,
    '--config',
    a.configPath,
    '--image',
    a.image,
    '--wait',
    '0s',
    '--kubeconfig',
    a.kubeconfigPath,
    ...(a.retain ? ['--retain'] : []),
  ],
  // Printed on stdout; the run keeps it in memory only.
  getKubeconfig: (name: string): string[] => ['kind', 'get', 'kubeconfig', '--name', name],
  exportLogs: (name: string, dir: string): string[] => ['kind', 'export', 'logs', dir, '--name', name],
  deleteCluster: (name: string, kubeconfigPath: string | null): string[] => [
    'kind',
    'delete',
    'cluster',
    '--name',
    name,
    ...(kubeconfigPath === null ? [] : ['--kubeconfig', kubeconfigPath]),
  ],
} as const;

/** The version `kind version` printed (`kind v0.24.0 go1.22.6 linux/amd64` → `v0.24.0`), or an error naming the text. */
export function parseKindVersion(stdout: string): string {
  // DisplayVersion in pkg/cmd/kind/version/version.go: "kind v" + Version() + " " + go version + " " + os/arch.
  const m = /^kind (v\d+\.\d+\.\d+\S*)/m.exec(stdout.trim());
  if (!m?.[1]) {
    throw new Error(
      `cannot read the kind version from ${JSON.stringify(stdout.trim().slice(0, 200))}; expected "kind vX.Y.Z ..."`,
    );
  }
  return m[1];
}

/** Cluster names `kind get clusters` printed, one a line (nothing on stdout when there are none). */
export function parseClusterList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'No kind clusters found.');
}

/** Why `kind create cluster` failed, when it is a known cause. */
export type CreateFailureCause =
  | { readonly kind: 'feature-gate-unrecognised'; readonly gate: string; readonly message: string }
  | {
      readonly kind: 'feature-gate-locked';
      readonly gate: string;
      readonly lockedTo: string;
      readonly message: string;
    };

// component-base featuregate (feature_gate.go Set/SetFromMap): "unrecognized feature gate: %s" and
// "cannot set feature gate %v to %v, feature is locked to %v". They reach kind's output through kubeadm
// ("Command Output:") or only the kubelet/apiserver logs, so callers pass both.
const UNRECOGNISED = /unrecognized feature gate: ([A-Za-z0-9]+)/;
const LOCKED = /cannot set feature gate ([A-Za-z0-9]+) to (true|false), feature is locked to (true|false)/;

/**
 * Classifies the output of a failed `kind create cluster` plus any exported node logs. Returns a
 * cause whose message names the gate and the Kubernetes version, or null when none is recognised.
 */
export function classifyCreateFailure(
  texts: readonly string[],
  kubernetesVersion: string,
): CreateFailureCause | null {
  for (const text of texts) {
    const locked = LOCKED.exec(text);
    if (locked?.[1] && locked[2] && locked[3]) {
      const gate = locked[1];
      return {
        kind: 'feature-gate-locked',
        gate,
        lockedTo: locked[3],
        message:
          `feature gate ${gate} is locked to ${locked[3]} in ${kubernetesVersion} (the config sets it to ${locked[2]}): ` +
          `remove ${gate} from featureGates in the kind config for this node image.`,
      };
    }
    const unknown = UNRECOGNISED.exec(text);
    if (unknown?.[1]) {
      const gate = unknown[1];
      return {
        kind: 'feature-gate-unrecognised',
        gate,
        message:
          `feature gate ${gate} not recognised by ${kubernetesVersion}: the gate was removed from this Kubernetes ` +
          `version; remove ${gate} from featureGates in the kind config, or use a node image that still knows it.`,
      };
    }
  }
  return null;
}

/** The kind CLI over a Runner; every call has a hard timeout. */
export class KindCli {
  constructor(private readonly run: Runner) {}

  /** `kind version` → `v0.24.0`. */
  async version(): Promise<string> {
    const r = await this.run(kindArgv.version(), { timeoutMs: TIMEOUTS.kindQueryMs });
    return parseKindVersion(r.stdout);
  }

  /** Names of the existing kind clusters. */
  async clusters(): Promise<string[]> {
    const r = await this.run(kindArgv.getClusters(), { timeoutMs: TIMEOUTS.kindQueryMs });
    return parseClusterList(r.stdout);
  }

  /** Creates the cluster; throws CommandError with kind's output on failure. */
  async create(args: CreateClusterArgs): Promise<void> {
    await this.run(kindArgv.createCluster(args), { timeoutMs: TIMEOUTS.clusterCreateMs });
  }

  /** The cluster's kubeconfig text (credentials: keep in memory, never write it into a report). */
  async kubeconfig(name: string): Promise<string> {
    const r = await this.run(kindArgv.getKubeconfig(name), { timeoutMs: TIMEOUTS.kindQueryMs });
    return r.stdout;
  }

  /** `kind export logs <dir>`. */
  async exportLogs(name: string, dir: string): Promise<void> {
    await this.run(kindArgv.exportLogs(name, dir), { timeoutMs: TIMEOUTS.exportLogsMs });
  }

  /** Deletes a cluster; callers make sure the suite created it. */
  async delete(name: string, kubeconfigPath: string | null): Promise<void> {
    await this.run(kindArgv.deleteCluster(name, kubeconfigPath), { timeoutMs: TIMEOUTS.clusterDeleteMs });
  }
}
