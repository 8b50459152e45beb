/**
 * The suite's one view of its environment: `process.env` is parsed once, at the boundary, into a
 * validated SuiteConfig. Everything downstream reads this object, never the environment.
 */

/** Environment variables the suite reads, with what each one does (also used in error messages). */
export const ENV_VARS = {
  KIND_IPVS_CLUSTER: 'kind cluster name (default ipvs-conformance)',
  KIND_IPVS_REUSE: '1 = reuse an existing cluster of that name after checking it matches the config',
  KIND_IPVS_KEEP: '1 = keep the cluster after the run',
  KIND_IPVS_NODE_IMAGE:
    'node image override (default: the image paired with the installed kind in kind/versions.json)',
  KIND_IPVS_ALLOW_FOREIGN_CONTEXT: '1 = allow running against a reused cluster the suite did not create',
  KIND_IPVS_BUNDLE: 'replay this observation bundle instead of running live',
  KIND_IPVS_REPORTS_DIR: 'where reports, the bundle and kind logs go (default reports)',
} as const;

/** The validated configuration of one run. */
export interface SuiteConfig {
  readonly clusterName: string;
  /** Reuse an existing cluster instead of creating one (its config is checked for drift first). */
  readonly reuse: boolean;
  /** Keep the cluster after the run instead of deleting it. */
  readonly keep: boolean;
  /** Node image override; null means the image paired with the installed kind version. */
  readonly nodeImage: string | null;
  /** Explicit opt-in to run against a reused cluster without the suite's ownership marker. */
  readonly allowForeignContext: boolean;
  /** Replay file; when set, nothing live happens. */
  readonly bundlePath: string | null;
  readonly reportsDir: string;
  /** The kind cluster config the live run creates the cluster from. */
  readonly kindConfigPath: string;
}

/** A bad environment value; the message names the variable, the value and what is accepted. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_CLUSTER_NAME = 'ipvs-conformance';
export const DEFAULT_REPORTS_DIR = 'reports';
export const KIND_CONFIG_PATH = 'kind/cluster-ipvs.yaml';

// kind's own rule (pkg/internal/apis/config/validate.go validNameRE); kind warns above 50 characters
// (pkg/cluster/internal/create/create.go clusterNameMax), and node container names append "-worker3".
const CLUSTER_NAME = /^[a-z0-9.-]+$/;
const CLUSTER_NAME_MAX = 50;
// [registry[:port]/]repo[:tag][@sha256:<64 hex>]; the tag or the digest must be present so the run is reproducible.
const IMAGE_REF =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

type Env = Readonly<Record<string, string | undefined>>;

function flag(env: Env, name: keyof typeof ENV_VARS): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw.toLowerCase() === 'false') return false;
  if (raw === '1' || raw.toLowerCase() === 'true') return true;
  throw new ConfigError(
    `${name}=${JSON.stringify(raw)} is not a switch: use 1 (on) or 0 / unset (off). ${name}: ${ENV_VARS[name]}.`,
  );
}

function text(env: Env, name: keyof typeof ENV_VARS): string | null {
  const raw = env[name];
  if (raw === undefined) return null;
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  if (trimmed !== raw) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} has leading or trailing white space; remove it.`);
  }
  return raw;
}

/**
 * Parses and validates the suite's environment variables. Pure: pass `process.env` once at the
 * boundary. Throws ConfigError naming the variable, the bad value and what is accepted.
 */
export function parseSuiteConfig(env: Env): SuiteConfig {
  const clusterName = text(env, 'KIND_IPVS_CLUSTER') ?? DEFAULT_CLUSTER_NAME;
  if (!CLUSTER_NAME.test(clusterName)) {
    throw new ConfigError(
      `KIND_IPVS_CLUSTER=${JSON.stringify(clusterName)} is not a valid kind cluster name: kind accepts only ` +
        'lower-case letters, digits, "." and "-" (e.g. ipvs-conformance).',
    );
  }
  if (clusterName.length > CLUSTER_NAME_MAX) {
    throw new ConfigError(
      `KIND_IPVS_CLUSTER is ${clusterName.length} characters long; keep it at most ${CLUSTER_NAME_MAX} ` +
        '(kind derives container and hostnames from it).',
    );
  }
  const reuse = flag(env, 'KIND_IPVS_REUSE');
  const keep = flag(env, 'KIND_IPVS_KEEP');
  const allowForeignContext = flag(env, 'KIND_IPVS_ALLOW_FOREIGN_CONTEXT');
  const nodeImage = text(env, 'KIND_IPVS_NODE_IMAGE');
  if (nodeImage !== null && (!IMAGE_REF.test(nodeImage) || !/[:@]/.test(nodeImage.split('/').pop() ?? ''))) {
    throw new ConfigError(
      `KIND_IPVS_NODE_IMAGE=${JSON.stringify(nodeImage)} is not an image reference with a tag or digest; ` +
        'use e.g. kindest/node:v1.31.0@sha256:<digest> (the kind release notes list the digests).',
    );
  }
  const bundlePath = text(env, 'KIND_IPVS_BUNDLE');
  const reportsDir = text(env, 'KIND_IPVS_REPORTS_DIR') ?? DEFAULT_REPORTS_DIR;
  if (bundlePath !== null) {
    const liveOnly = (
      [
        'KIND_IPVS_REUSE',
        'KIND_IPVS_KEEP',
        'KIND_IPVS_NODE_IMAGE',
        'KIND_IPVS_ALLOW_FOREIGN_CONTEXT',
      ] as const
    ).filter((name) => (name === 'KIND_IPVS_NODE_IMAGE' ? nodeImage !== null : flag(env, name)));
    if (liveOnly.length > 0) {
      throw new ConfigError(
        `KIND_IPVS_BUNDLE replays a recorded bundle, but ${liveOnly.join(', ')} only apply to a live run: ` +
          'unset them, or unset KIND_IPVS_BUNDLE to run live.',
      );
    }
  }
  if (allowForeignContext && !reuse) {
    throw new ConfigError(
      'KIND_IPVS_ALLOW_FOREIGN_CONTEXT=1 only makes sense with KIND_IPVS_REUSE=1 (a cluster the suite creates is never foreign).',
    );
  }
  return {
    clusterName,
    reuse,
    keep,
    nodeImage,
    allowForeignContext,
    bundlePath,
    reportsDir,
    kindConfigPath: KIND_CONFIG_PATH,
  };
}
