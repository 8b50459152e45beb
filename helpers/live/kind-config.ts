import { parse } from 'yaml';
import type { ApiObjects } from '../api/types.ts';

/** What the live run needs to know of a kind v1alpha4 Cluster config. */
export interface KindConfigModel {
  readonly controlPlanes: number;
  readonly workers: number;
  readonly podSubnet: string | null;
  readonly serviceSubnet: string | null;
  /** `networking.kubeProxyMode`; kind's default is iptables. */
  readonly kubeProxyMode: string;
  /** extraPortMappings of every node, in order. */
  readonly portMappings: readonly {
    readonly node: number;
    readonly containerPort: number;
    readonly hostPort: number;
  }[];
  readonly featureGates: Readonly<Record<string, boolean>>;
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** Reads the fields the live run uses from kind config YAML; throws naming what is malformed. Pure. */
export function parseKindConfig(text: string, origin = 'kind config'): KindConfigModel {
  const doc = record(parse(text));
  if (doc === null || doc.kind !== 'Cluster')
    throw new Error(`${origin}: not a kind Cluster config (kind: Cluster missing)`);
  const nodesRaw = doc.nodes ?? [{ role: 'control-plane' }];
  if (!Array.isArray(nodesRaw)) throw new Error(`${origin}: nodes must be a list`);
  let controlPlanes = 0;
  let workers = 0;
  const portMappings: { node: number; containerPort: number; hostPort: number }[] = [];
  nodesRaw.forEach((n: unknown, i: number) => {
    const node = record(n);
    const role = node?.role ?? 'control-plane';
    if (role === 'control-plane') controlPlanes++;
    else if (role === 'worker') workers++;
    else
      throw new Error(
        `${origin}: nodes[${i}].role must be control-plane or worker, not ${JSON.stringify(role)}`,
      );
    const maps = node?.extraPortMappings ?? [];
    if (!Array.isArray(maps)) throw new Error(`${origin}: nodes[${i}].extraPortMappings must be a list`);
    for (const m of maps) {
      const mm = record(m);
      if (typeof mm?.containerPort !== 'number')
        throw new Error(`${origin}: nodes[${i}].extraPortMappings needs numeric containerPort`);
      // kind defaults an unset hostPort to a random one; this suite needs it set.
      const hostPort = typeof mm.hostPort === 'number' ? mm.hostPort : -1;
      portMappings.push({ node: i, containerPort: mm.containerPort, hostPort });
    }
  });
  const net = record(doc.networking) ?? {};
  const gatesRaw = record(doc.featureGates) ?? {};
  const featureGates: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(gatesRaw)) {
    if (typeof v !== 'boolean') throw new Error(`${origin}: featureGates.${k} must be true or false`);
    featureGates[k] = v;
  }
  return {
    controlPlanes,
    workers,
    podSubnet: typeof net.podSubnet === 'string' ? net.podSubnet : null,
    serviceSubnet: typeof net.serviceSubnet === 'string' ? net.serviceSubnet : null,
    kubeProxyMode: typeof net.kubeProxyMode === 'string' ? net.kubeProxyMode : 'iptables',
    portMappings,
    featureGates,
  };
}

function yamlField(text: string | null, path: readonly string[]): unknown {
  if (text === null) return undefined;
  let v: unknown;
  try {
    v = parse(text);
  } catch {
    return undefined;
  }
  for (const key of path) v = record(v)?.[key];
  return v;
}

/**
 * Differences between the config a run asks for and what a reused cluster shows: node counts per
 * role, kube-proxy mode, pod and service subnets, Kubernetes version. Empty when they match. Pure.
 */
export function detectDrift(
  want: KindConfigModel,
  wantKubernetes: string | null,
  seen: ApiObjects,
): string[] {
  const out: string[] = [];
  const cps = seen.nodes.filter((n) => n.role === 'control-plane').length;
  const ws = seen.nodes.length - cps;
  if (cps !== want.controlPlanes)
    out.push(`control-plane nodes: expected ${want.controlPlanes}, found ${cps}`);
  if (ws !== want.workers) out.push(`worker nodes: expected ${want.workers}, found ${ws}`);
  const mode = yamlField(seen.kubeProxyConfig, ['mode']);
  if (mode !== want.kubeProxyMode) {
    out.push(
      `kube-proxy mode: expected ${want.kubeProxyMode}, found ${mode === undefined ? 'no kube-proxy ConfigMap mode' : JSON.stringify(mode)}`,
    );
  }
  for (const [field, value] of [
    ['podSubnet', want.podSubnet],
    ['serviceSubnet', want.serviceSubnet],
  ] as const) {
    if (value === null) continue;
    const got = yamlField(seen.kubeadmClusterConfiguration, ['networking', field]);
    if (got !== value)
      out.push(
        `${field}: expected ${value}, found ${got === undefined ? 'none in kubeadm-config' : String(got)}`,
      );
  }
  if (wantKubernetes !== null && seen.serverVersion.gitVersion !== wantKubernetes) {
    out.push(`Kubernetes version: expected ${wantKubernetes}, found ${seen.serverVersion.gitVersion}`);
  }
  return out;
}
