import { type Document, LineCounter, parseAllDocuments, parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Finding } from '../judge/finding.ts';
import { type Cidr, checkCidr, cidrString, cidrsOverlap, nthAddress } from './cidr.ts';

/**
 * The kind `Cluster` (kind.x-k8s.io/v1alpha4) config as the suite needs it: nodes, port
 * mappings, subnets, proxy mode, and the kube-proxy settings that only exist inside
 * `kubeadmConfigPatches` (kind has no field for strictARP). Field names follow kind's
 * pkg/apis/config/v1alpha4/types.go; kind decodes strictly, so unknown fields are problems here too.
 */

export const KIND_API_VERSION = 'kind.x-k8s.io/v1alpha4';
/** Proxy modes kind accepts in `networking.kubeProxyMode` (`none` = no kube-proxy at all). */
export const KUBE_PROXY_MODES = ['iptables', 'ipvs', 'nftables', 'none'] as const;
export type KubeProxyMode = (typeof KUBE_PROXY_MODES)[number];
export type KindNodeRole = 'control-plane' | 'worker';
export type IpFamilyMode = 'ipv4' | 'ipv6' | 'dual';

/** kube-apiserver's default `--service-node-port-range`. */
export const DEFAULT_NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const KUBE_PROXY_API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';
const KUBEADM_API_VERSIONS = ['kubeadm.k8s.io/v1beta2', 'kubeadm.k8s.io/v1beta3', 'kubeadm.k8s.io/v1beta4'];
// kind's defaults when networking leaves a subnet out (pkg/apis/config/v1alpha4/default.go).
const DEFAULT_SUBNETS: Record<IpFamilyMode, { pod: string; service: string }> = {
  ipv4: { pod: '10.244.0.0/16', service: '10.96.0.0/16' },
  ipv6: { pod: 'fd00:10:244::/56', service: 'fd00:10:96::/112' },
  dual: { pod: '10.244.0.0/16,fd00:10:244::/56', service: '10.96.0.0/16,fd00:10:96::/112' },
};

/** One problem found in a kind config: where (YAML path and line), what is wrong, what to do. */
export interface KindConfigProblem {
  /** YAML path such as `nodes[0].extraPortMappings[2].containerPort`; inside a patch: `<patch path> > ipvs.strictARP`. */
  readonly path: string;
  /** 1-based line in the config text, when it could be located. */
  readonly line: number | null;
  readonly problem: string;
  readonly fix: string;
}

/** Thrown by {@link parseKindConfig}; lists every problem found, not just the first. */
export class KindConfigError extends Error {
  override readonly name = 'KindConfigError';
  constructor(
    readonly problems: readonly KindConfigProblem[],
    readonly source = 'kind config',
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map((p) => `  - ${p.path}${p.line === null ? '' : ` (line ${p.line})`}: ${p.problem}; ${p.fix}`)
        .join('\n')}`,
    );
  }
}

export interface KindPortMapping {
  /** YAML path of this mapping. */
  readonly path: string;
  readonly nodeIndex: number;
  /** Position in the node's extraPortMappings. */
  readonly index: number;
  readonly containerPort: number;
  /** null: kind picks a random host port. */
  readonly hostPort: number | null;
  /** null: kind's default 0.0.0.0. */
  readonly listenAddress: string | null;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** A `kubeadmConfigPatches` entry, parsed. */
export interface KubeadmPatch {
  readonly path: string;
  /** `cluster` for top-level patches, else the index of the node that carries it. */
  readonly scope: 'cluster' | number;
  readonly kind: string;
  readonly apiVersion: string | null;
  readonly text: string;
  readonly content: Readonly<Record<string, unknown>>;
}

export interface KindNode {
  readonly index: number;
  readonly role: KindNodeRole;
  readonly labels: Readonly<Record<string, string>>;
  /** The `topology.kubernetes.io/zone` label, if set. */
  readonly zone: string | null;
  /** The node image pinned on this node, if any (else `--image` or kind's default applies). */
  readonly image: string | null;
  readonly extraPortMappings: readonly KindPortMapping[];
}

/** The typed model of a valid kind Cluster config. */
export interface KindClusterModel {
  readonly apiVersion: typeof KIND_API_VERSION;
  /** `name:` in the config; `--name` overrides it. */
  readonly name: string | null;
  readonly ipFamily: IpFamilyMode;
  /** In config order; a config without nodes has kind's implicit single control-plane. */
  readonly nodes: readonly KindNode[];
  /** extraPortMappings of the first control-plane node (where the suite's NodePorts are mapped). */
  readonly controlPlanePortMappings: readonly KindPortMapping[];
  readonly featureGates: Readonly<Record<string, boolean>>;
  readonly runtimeConfig: Readonly<Record<string, string>>;
  /** Every merge patch in the order kind applies it (cluster level first, then per node). */
  readonly kubeadmConfigPatches: readonly KubeadmPatch[];
  readonly patchesByKind: {
    readonly ClusterConfiguration: readonly KubeadmPatch[];
    readonly KubeProxyConfiguration: readonly KubeadmPatch[];
    readonly other: readonly KubeadmPatch[];
  };
  /** Merge of the patches that reach the bootstrap control-plane's ClusterConfiguration (null: none). */
  readonly clusterConfigurationPatch: Readonly<Record<string, unknown>> | null;
  /** Merge of the patches that reach kube-proxy's ConfigMap (null: none). */
  readonly kubeProxyConfigurationPatch: Readonly<Record<string, unknown>> | null;
  /** Raw text (comma-separated for dual stack), kind's default when not configured. */
  readonly podSubnet: string;
  readonly podSubnets: readonly Cidr[];
  readonly podSubnetDefaulted: boolean;
  readonly serviceSubnet: string;
  readonly serviceSubnets: readonly Cidr[];
  readonly serviceSubnetDefaulted: boolean;
  readonly kubeProxyMode: KubeProxyMode;
  readonly kubeProxyModeDefaulted: boolean;
  /** `ipvs.strictARP` from a KubeProxyConfiguration patch; null when no patch sets it (kube-proxy's default is false). */
  readonly strictARP: boolean | null;
  /** `ipvs.scheduler` from a patch; null or '' means kube-proxy's default `rr`. */
  readonly ipvsScheduler: string | null;
  /** `metricsBindAddress` from a patch (kube-proxy appends :10249 to a bare IP); null: kubeadm's 127.0.0.1:10249. */
  readonly metricsBindAddress: string | null;
  /** Distinct images pinned on nodes, in first-seen order. */
  readonly nodeImages: readonly string[];
  /** From the ClusterConfiguration patch's `service-node-port-range`, else the default. */
  readonly nodePortRange: { readonly min: number; readonly max: number };
}

// ---------------------------------------------------------------------------------------------
// Schemas: strict where kind is strict (its own types), loose for kubeadm/kube-proxy documents,
// of which only the few fields below are read.

const port = z.int().min(-1).max(65535);
const json6902 = z.strictObject({
  group: z.string(),
  version: z.string(),
  kind: z.string(),
  patch: z.string(),
  name: z.string().optional(),
  namespace: z.string().optional(),
});
const patchList = z.array(z.string({ error: 'a kubeadm patch must be a YAML block string (use "- |")' }));
const mountSchema = z.strictObject({
  containerPath: z.string().optional(),
  hostPath: z.string().optional(),
  readOnly: z.boolean().optional(),
  selinuxRelabel: z.boolean().optional(),
  propagation: z.enum(['None', 'HostToContainer', 'Bidirectional']).optional(),
});
const portMappingSchema = z.strictObject({
  containerPort: port.optional(),
  hostPort: port.optional(),
  listenAddress: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
});
const nodeSchema = z.strictObject({
  role: z.enum(['control-plane', 'worker']).optional(),
  image: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  extraMounts: z.array(mountSchema).optional(),
  extraPortMappings: z.array(portMappingSchema).optional(),
  gpus: z.string().optional(),
  kubeadmConfigPatches: patchList.optional(),
  kubeadmConfigPatchesJSON6902: z.array(json6902).optional(),
});
const networkingSchema = z.strictObject({
  ipFamily: z.enum(['ipv4', 'ipv6', 'dual']).optional(),
  apiServerPort: port.optional(),
  apiServerAddress: z.string().optional(),
  podSubnet: z.string().optional(),
  serviceSubnet: z.string().optional(),
  disableDefaultCNI: z.boolean().optional(),
  kubeProxyMode: z.string().optional(),
  dnsSearch: z.array(z.string()).optional(),
});
const topSchemas = {
  kind: z.string(),
  apiVersion: z.string(),
  name: z.string(),
  nodes: z.array(z.unknown()),
  networking: z.unknown(),
  featureGates: z.record(z.string(), z.boolean()),
  runtimeConfig: z.record(z.string(), z.string()),
  kubeadmConfigPatches: patchList,
  kubeadmConfigPatchesJSON6902: z.array(json6902),
  containerdConfigPatches: z.array(z.string()),
  containerdConfigPatchesJSON6902: z.array(z.string()),
} as const;
const patchHeadSchema = z.looseObject({ kind: z.string(), apiVersion: z.string().optional() });
// nullish: a null in a merge patch deletes the field, which is legal in any single patch.
const kubeProxyPatchSchema = z.looseObject({
  mode: z.string().nullish(),
  metricsBindAddress: z.string().nullish(),
  ipvs: z
    .looseObject({
      strictARP: z
        .boolean({ error: 'strictARP must be a YAML boolean (true/false), not a string' })
        .nullish(),
      scheduler: z.string().nullish(),
    })
    .nullish(),
});

const KNOWN_FIELDS = [
  ...Object.keys(topSchemas),
  ...Object.keys(nodeSchema.shape),
  ...Object.keys(networkingSchema.shape),
  ...Object.keys(portMappingSchema.shape),
  ...Object.keys(mountSchema.shape),
];

// ---------------------------------------------------------------------------------------------

type PathSeg = string | number;

function renderPath(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? '(document)' : out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] ?? 0;
      row[j] = Math.min(up + 1, (row[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length] ?? 0;
}

function suggestField(key: string): string {
  const near = KNOWN_FIELDS.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
  return near === undefined ? '' : ` (did you mean "${near}"?)`;
}

/** The value at a zod issue path inside `root` (zod does not keep the input in issues by default). */
function valueAt(root: unknown, path: readonly PathSeg[]): unknown {
  let at: unknown = root;
  for (const seg of path) {
    if (Array.isArray(at) && typeof seg === 'number') at = at[seg];
    else if (isRecord(at) && typeof seg === 'string') at = at[seg];
    else return undefined;
  }
  return at;
}

/** RFC 7386 merge patch, as kind applies `kubeadmConfigPatches`: objects merge, null deletes, the rest replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const base = isRecord(target) ? target : {};
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(base).filter(([k]) => !(k in patch) || patch[k] !== null),
  );
  for (const [k, v] of Object.entries(patch)) if (v !== null) out[k] = mergePatch(base[k], v);
  return out;
}

/** Collects problems while the config is walked; locates YAML paths to lines. */
class Collector {
  readonly problems: KindConfigProblem[] = [];
  constructor(
    private readonly doc: Document | null,
    private readonly lines: LineCounter,
  ) {}

  lineOf(path: readonly PathSeg[]): number | null {
    if (this.doc === null) return null;
    // The nearest existing ancestor carries the line when the path itself is missing.
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) return this.lines.linePos(node.range[0]).line;
    }
    return null;
  }

  add(path: readonly PathSeg[], problem: string, fix: string, inner?: readonly PathSeg[]): void {
    const where = inner === undefined ? renderPath(path) : `${renderPath(path)} > ${renderPath(inner)}`;
    this.problems.push({ path: where, line: this.lineOf(path), problem, fix });
  }

  /** Validates one part with its schema, turns zod issues into problems, returns the data or null. */
  part<S extends z.ZodType>(
    schema: S,
    value: unknown,
    path: readonly PathSeg[],
    inner?: readonly PathSeg[],
    fix = 'fix the value to match kind v1alpha4 (https://kind.sigs.k8s.io/docs/user/configuration/)',
  ): z.infer<S> | null {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const issuePath = issue.path.filter((s): s is PathSeg => typeof s !== 'symbol');
      const [outer, deeper] =
        inner === undefined ? [[...path, ...issuePath], undefined] : [path, [...inner, ...issuePath]];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const keyPath = deeper === undefined ? [...outer, key] : outer;
          const keyInner = deeper === undefined ? undefined : [...deeper, key];
          this.add(
            keyPath,
            `unknown field "${key}"${suggestField(key)}`,
            'kind decodes its config strictly and refuses unknown fields: fix the spelling or remove it',
            keyInner,
          );
        }
      } else if (issue.code === 'invalid_value') {
        this.add(
          outer,
          `value ${JSON.stringify(valueAt(value, issuePath) ?? null)} is not allowed`,
          `use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
          deeper,
        );
      } else if (issue.code === 'too_big' || issue.code === 'too_small') {
        this.add(
          outer,
          `${JSON.stringify(valueAt(value, issuePath) ?? null)} is out of range (${issue.message})`,
          'use a port number between 1 and 65535',
          deeper,
        );
      } else {
        this.add(outer, issue.message, fix, deeper);
      }
    }
    return null;
  }
}

function parseSubnets(
  c: Collector,
  raw: string | undefined,
  key: 'podSubnet' | 'serviceSubnet',
  family: IpFamilyMode,
): { text: string; cidrs: Cidr[]; defaulted: boolean } {
  const defaulted = raw === undefined || raw.trim() === '';
  const text = defaulted ? DEFAULT_SUBNETS[family][key === 'podSubnet' ? 'pod' : 'service'] : raw;
  const cidrs: Cidr[] = [];
  const parts = text.split(',');
  parts.forEach((part) => {
    const checked = checkCidr(part.trim());
    if (!checked.ok) {
      c.add(
        ['networking', key],
        `bad CIDR: ${checked.reason}`,
        `write ${key} as a network in CIDR form, e.g. ${key === 'podSubnet' ? '10.10.0.0/16' : '10.200.1.0/24'}`,
      );
      return;
    }
    const wantFamily = family === 'dual' ? null : family;
    if (wantFamily !== null && checked.cidr.family !== wantFamily) {
      c.add(
        ['networking', key],
        `${part.trim()} is ${checked.cidr.family} but networking.ipFamily is ${family}`,
        `use an ${family} subnet or set networking.ipFamily to match`,
      );
    }
    cidrs.push(checked.cidr);
  });
  if (family === 'dual' && !defaulted && cidrs.length === parts.length && cidrs.length !== 2) {
    c.add(
      ['networking', key],
      `dual stack needs one IPv4 and one IPv6 ${key}, found ${cidrs.length}`,
      'write both, comma-separated',
    );
  }
  return { text, cidrs, defaulted };
}

function parseRange(text: string): { min: number; max: number } | null {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  if (m === null) return null;
  const min = Number(m[1]);
  const max = Number(m[2]);
  return min <= max ? { min, max } : null;
}

/** `apiServer.extraArgs` is a map in kubeadm v1beta3 and a `[{name, value}]` list in v1beta4. */
function extraArg(
  config: Readonly<Record<string, unknown>> | null,
  component: string,
  name: string,
): unknown {
  const section = config?.[component];
  const args = isRecord(section) ? section.extraArgs : undefined;
  if (isRecord(args)) return args[name];
  if (Array.isArray(args)) {
    const hit = args.find((a: unknown) => isRecord(a) && a.name === name);
    return isRecord(hit) ? hit.value : undefined;
  }
  return undefined;
}

function parsePatch(
  c: Collector,
  text: string,
  path: readonly PathSeg[],
  scope: 'cluster' | number,
): KubeadmPatch | null {
  let content: unknown;
  try {
    content = parseYaml(text);
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    c.add(path, `the patch is not valid YAML: ${reason}`, 'fix the YAML inside the block string');
    return null;
  }
  if (!isRecord(content)) {
    c.add(
      path,
      'the patch is not a YAML mapping',
      'write the patch as a mapping that starts with "kind: <Kind>"',
    );
    return null;
  }
  const head = patchHeadSchema.safeParse(content);
  if (!head.success) {
    c.add(
      path,
      'the patch has no "kind" string, so kind matches it to no kubeadm document and silently drops it',
      'add e.g. "kind: KubeProxyConfiguration" as its first line',
    );
    return null;
  }
  const { kind, apiVersion } = head.data;
  // kind applies a patch that names an apiVersion only to a document of exactly that version.
  if (apiVersion !== undefined) {
    const allowed =
      kind === 'KubeProxyConfiguration'
        ? [KUBE_PROXY_API_VERSION]
        : kind === 'ClusterConfiguration'
          ? KUBEADM_API_VERSIONS
          : null;
    if (allowed !== null && !allowed.includes(apiVersion)) {
      c.add(
        path,
        `apiVersion ${apiVersion} matches no document kind generates for ${kind}, so the patch is silently skipped`,
        `remove apiVersion (kind then matches on kind only) or use ${allowed.join(' / ')}`,
        ['apiVersion'],
      );
    }
  }
  if (kind === 'KubeProxyConfiguration') {
    c.part(
      kubeProxyPatchSchema,
      content,
      path,
      [],
      'write it as KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1) expects; kube-proxy refuses a config it cannot decode',
    );
  }
  return { path: renderPath(path), scope, kind, apiVersion: apiVersion ?? null, text, content };
}

/**
 * Validates a kind Cluster config and returns its model, or null plus every problem found.
 * Use {@link parseKindConfig} to get a model or a {@link KindConfigError}.
 */
export function validateKindConfig(yamlText: string): {
  readonly model: KindClusterModel | null;
  readonly problems: readonly KindConfigProblem[];
} {
  const lines = new LineCounter();
  const docs = parseAllDocuments(yamlText, { lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [];
  const first = list[0] ?? null;
  const c = new Collector(first, lines);
  if (first === null || (first.contents === null && list.length === 1)) {
    c.add(
      [],
      'the config is empty',
      `write a kind Cluster: "kind: Cluster" and "apiVersion: ${KIND_API_VERSION}"`,
    );
    return { model: null, problems: c.problems };
  }
  for (const doc of list) {
    for (const err of doc.errors) {
      c.problems.push({
        path: '(document)',
        line: err.linePos?.[0].line ?? null,
        problem: `not valid YAML: ${err.message.split('\n')[0]}`,
        fix: 'fix the YAML syntax',
      });
    }
  }
  if (c.problems.length > 0) return { model: null, problems: c.problems };
  if (list.length > 1) {
    c.add(
      [],
      `the file holds ${list.length} YAML documents`,
      'kind reads one Cluster document: remove the "---" separated extra documents',
    );
  }
  const raw: unknown = first.toJS();
  if (!isRecord(raw)) {
    c.add(
      [],
      'the config is not a YAML mapping',
      'write a kind Cluster mapping (kind, apiVersion, nodes, networking)',
    );
    return { model: null, problems: c.problems };
  }

  if (raw.kind !== 'Cluster') {
    c.add(
      ['kind'],
      `not a kind Cluster: kind is ${JSON.stringify(raw.kind ?? null)}`,
      'set "kind: Cluster" (this file is read as a kind cluster config)',
    );
  }
  if (raw.apiVersion !== KIND_API_VERSION) {
    c.add(
      ['apiVersion'],
      `wrong apiVersion ${JSON.stringify(raw.apiVersion ?? null)}`,
      `set "apiVersion: ${KIND_API_VERSION}" (the only version this suite and current kind read)`,
    );
  }
  for (const key of Object.keys(raw)) {
    if (!(key in topSchemas)) {
      c.add(
        [key],
        `unknown field "${key}"${suggestField(key)}`,
        'kind decodes its config strictly and refuses unknown fields: fix the spelling or remove it',
      );
    }
  }
  const top = <K extends keyof typeof topSchemas>(key: K): z.infer<(typeof topSchemas)[K]> | undefined =>
    raw[key] === undefined
      ? undefined
      : ((c.part(topSchemas[key], raw[key], [key]) as z.infer<(typeof topSchemas)[K]> | null) ?? undefined);

  const name = top('name') ?? null;
  const featureGates = top('featureGates') ?? {};
  const runtimeConfig = top('runtimeConfig') ?? {};
  const clusterPatchTexts = top('kubeadmConfigPatches') ?? [];
  top('kubeadmConfigPatchesJSON6902');
  top('containerdConfigPatches');
  top('containerdConfigPatchesJSON6902');
  const networking =
    raw.networking === undefined ? {} : (c.part(networkingSchema, raw.networking, ['networking']) ?? {});
  // kind defaults an absent or empty node list to one control-plane; a malformed list was reported above.
  const listed = top('nodes');
  const rawNodes: unknown[] =
    listed !== undefined && listed.length > 0
      ? listed
      : raw.nodes === undefined || listed !== undefined
        ? [{}]
        : [];

  const ipFamily = networking.ipFamily ?? 'ipv4';
  const pods = parseSubnets(c, networking.podSubnet, 'podSubnet', ipFamily);
  const services = parseSubnets(c, networking.serviceSubnet, 'serviceSubnet', ipFamily);
  for (const p of pods.cidrs) {
    for (const s of services.cidrs) {
      if (cidrsOverlap(p, s)) {
        c.add(
          ['networking', services.defaulted ? 'podSubnet' : 'serviceSubnet'],
          `podSubnet ${cidrString(p)}${pods.defaulted ? " (kind's default)" : ''} overlaps serviceSubnet ${cidrString(s)}${services.defaulted ? " (kind's default)" : ''}`,
          'choose disjoint subnets, e.g. podSubnet 10.10.0.0/16 and serviceSubnet 10.200.1.0/24',
        );
      }
    }
  }

  const rawMode = networking.kubeProxyMode;
  const modeDefaulted = rawMode === undefined || rawMode === '';
  let kubeProxyMode: KubeProxyMode = 'iptables';
  if (!modeDefaulted) {
    const known = KUBE_PROXY_MODES.find((m) => m === rawMode);
    if (known === undefined) {
      c.add(
        ['networking', 'kubeProxyMode'],
        `unknown proxy mode ${JSON.stringify(rawMode)}`,
        `use one of ${KUBE_PROXY_MODES.join(', ')} (this suite needs "ipvs")`,
      );
    } else kubeProxyMode = known;
  }

  // Nodes, their mappings and their patches.
  const nodes: KindNode[] = [];
  const patches: KubeadmPatch[] = [];
  clusterPatchTexts.forEach((text, i) => {
    const patch = parsePatch(c, text, ['kubeadmConfigPatches', i], 'cluster');
    if (patch !== null) patches.push(patch);
  });
  rawNodes.forEach((rawNode, index) => {
    const parsed = c.part(nodeSchema, rawNode, ['nodes', index]);
    if (parsed === null) return;
    const role = parsed.role ?? 'control-plane';
    const labels = parsed.labels ?? {};
    const mappings = (parsed.extraPortMappings ?? []).map(
      (m, j): KindPortMapping => ({
        path: renderPath(['nodes', index, 'extraPortMappings', j]),
        nodeIndex: index,
        index: j,
        containerPort: m.containerPort ?? 0,
        // 0 or unset: kind picks a random host port; -1: the container runtime picks one.
        hostPort: m.hostPort === undefined || m.hostPort <= 0 ? null : m.hostPort,
        listenAddress: m.listenAddress ?? null,
        protocol: m.protocol ?? 'TCP',
      }),
    );
    (parsed.kubeadmConfigPatches ?? []).forEach((text, j) => {
      const path = ['nodes', index, 'kubeadmConfigPatches', j];
      const patch = parsePatch(c, text, path, index);
      if (patch === null) return;
      // Workers join; kubeadm join never reads ClusterConfiguration or KubeProxyConfiguration.
      if (
        role === 'worker' &&
        (patch.kind === 'KubeProxyConfiguration' || patch.kind === 'ClusterConfiguration')
      ) {
        c.add(
          path,
          `a ${patch.kind} patch on a worker node has no effect (kubeadm join does not read it)`,
          'move it to the control-plane node or to the top-level kubeadmConfigPatches',
        );
      }
      patches.push(patch);
    });
    nodes.push({
      index,
      role,
      labels,
      zone: labels[ZONE_LABEL] ?? null,
      image: parsed.image ?? null,
      extraPortMappings: mappings,
    });
  });
  if (nodes.length > 0 && !nodes.some((n) => n.role === 'control-plane')) {
    c.add(
      ['nodes'],
      'no control-plane node',
      'add a node with "role: control-plane" (kind needs at least one)',
    );
  }

  // Patches that reach the bootstrap control-plane: kube-proxy's ConfigMap is written from its config.
  const bootstrap = nodes.find((n) => n.role === 'control-plane');
  const effective = (kind: string): Record<string, unknown> | null => {
    const reaching = patches.filter(
      (p) => p.kind === kind && (p.scope === 'cluster' || p.scope === bootstrap?.index),
    );
    if (reaching.length === 0) return null;
    const merged = reaching.reduce<unknown>((acc, p) => mergePatch(acc, p.content), {});
    return isRecord(merged) ? merged : null;
  };
  const clusterConfigurationPatch = effective('ClusterConfiguration');
  const kubeProxyConfigurationPatch = effective('KubeProxyConfiguration');
  const kp = kubeProxyPatchSchema.safeParse(kubeProxyConfigurationPatch ?? {});
  const kpData = kp.success ? kp.data : {};

  if (
    kpData.mode !== undefined &&
    kpData.mode !== null &&
    kpData.mode !== '' &&
    kpData.mode !== kubeProxyMode
  ) {
    c.add(
      ['networking', 'kubeProxyMode'],
      `a KubeProxyConfiguration patch sets mode ${JSON.stringify(kpData.mode)} but networking.kubeProxyMode is ${JSON.stringify(kubeProxyMode)}${modeDefaulted ? ' (default)' : ''}`,
      'set the mode only in networking.kubeProxyMode and remove "mode" from the patch',
    );
  }

  const ccNetworking = clusterConfigurationPatch?.networking;
  if (isRecord(ccNetworking)) {
    for (const [key, mine] of [
      ['podSubnet', pods],
      ['serviceSubnet', services],
    ] as const) {
      const patched = ccNetworking[key];
      if (patched !== undefined && String(patched) !== mine.text) {
        c.add(
          ['networking', key],
          `a ClusterConfiguration patch sets networking.${key} ${JSON.stringify(patched)} but kind's networking.${key} is ${mine.text}`,
          `set the subnet only in kind's networking.${key}`,
        );
      }
    }
  }

  let nodePortRange: { min: number; max: number } = { ...DEFAULT_NODE_PORT_RANGE };
  const rangeArg = extraArg(clusterConfigurationPatch, 'apiServer', 'service-node-port-range');
  if (rangeArg !== undefined) {
    const parsedRange = typeof rangeArg === 'string' ? parseRange(rangeArg) : null;
    if (parsedRange === null) {
      c.add(
        ['kubeadmConfigPatches'],
        `apiServer service-node-port-range ${JSON.stringify(rangeArg)} is not "min-max"`,
        'write it like "30000-32767"',
      );
    } else nodePortRange = parsedRange;
  }

  // Port mappings: this suite maps only NodePorts, and a host port can be bound once.
  const seenHost = new Map<string, string>();
  for (const node of nodes) {
    for (const m of node.extraPortMappings) {
      const at = ['nodes', node.index, 'extraPortMappings', m.index];
      if (m.containerPort < nodePortRange.min || m.containerPort > nodePortRange.max) {
        c.add(
          [...at, 'containerPort'],
          `containerPort ${m.containerPort} is outside the NodePort range ${nodePortRange.min}-${nodePortRange.max}, so no Service can be reached through this mapping`,
          `map a NodePort the suite's Services use (${nodePortRange.min}-${nodePortRange.max}, e.g. 30000)`,
        );
      }
      if (m.hostPort === null) continue;
      const key = `${m.listenAddress ?? '0.0.0.0'}:${m.hostPort}/${m.protocol}`;
      const earlier = seenHost.get(key);
      if (earlier !== undefined) {
        c.add(
          [...at, 'hostPort'],
          `hostPort ${m.hostPort}/${m.protocol} is mapped twice (also at ${earlier})`,
          'give every mapping its own hostPort (the host can bind a port only once)',
        );
      } else seenHost.set(key, m.path);
    }
  }

  if (c.problems.length > 0) return { model: null, problems: c.problems };

  const images: string[] = [];
  for (const n of nodes) if (n.image !== null && !images.includes(n.image)) images.push(n.image);
  const model: KindClusterModel = {
    apiVersion: KIND_API_VERSION,
    name,
    ipFamily,
    nodes,
    controlPlanePortMappings: bootstrap?.extraPortMappings ?? [],
    featureGates,
    runtimeConfig,
    kubeadmConfigPatches: patches,
    patchesByKind: {
      ClusterConfiguration: patches.filter((p) => p.kind === 'ClusterConfiguration'),
      KubeProxyConfiguration: patches.filter((p) => p.kind === 'KubeProxyConfiguration'),
      other: patches.filter((p) => p.kind !== 'ClusterConfiguration' && p.kind !== 'KubeProxyConfiguration'),
    },
    clusterConfigurationPatch,
    kubeProxyConfigurationPatch,
    podSubnet: pods.text,
    podSubnets: pods.cidrs,
    podSubnetDefaulted: pods.defaulted,
    serviceSubnet: services.text,
    serviceSubnets: services.cidrs,
    serviceSubnetDefaulted: services.defaulted,
    kubeProxyMode,
    kubeProxyModeDefaulted: modeDefaulted,
    strictARP: kpData.ipvs?.strictARP ?? null,
    ipvsScheduler: kpData.ipvs?.scheduler ?? null,
    metricsBindAddress: kpData.metricsBindAddress ?? null,
    nodeImages: images,
    nodePortRange,
  };
  return { model, problems: [] };
}

/** Parses and validates a kind Cluster v1alpha4 YAML text; throws a {@link KindConfigError} listing all problems. */
export function parseKindConfig(yamlText: string, source?: string): KindClusterModel {
  const { model, problems } = validateKindConfig(yamlText);
  if (model === null) throw new KindConfigError(problems, source);
  return model;
}

// ---------------------------------------------------------------------------------------------
// What the suites expect.

/**
 * Names kind gives node containers (and Kubernetes nodes), in config order: per role the first is
 * `<cluster>-<role>`, the next `<cluster>-<role>2`, `<cluster>-<role>3`, ...
 */
export function kindNodeNames(clusterName: string, roles: readonly KindNodeRole[]): string[] {
  const seen = new Map<KindNodeRole, number>();
  return roles.map((role) => {
    const n = (seen.get(role) ?? 0) + 1;
    seen.set(role, n);
    return `${clusterName}-${role}${n === 1 ? '' : n}`;
  });
}

/** The facts the suites check a live cluster (or bundle) against, derived from one config. */
export interface ReferenceExpectations {
  readonly clusterName: string;
  /** Normalised, comma-joined for dual stack. */
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  readonly nodeCountByRole: { readonly 'control-plane': number; readonly worker: number };
  /** In config order, with the name kind will give each. */
  readonly nodes: readonly {
    readonly name: string;
    readonly role: KindNodeRole;
    readonly labels: Readonly<Record<string, string>>;
    readonly zone: string | null;
    readonly image: string | null;
  }[];
  readonly portMappings: readonly {
    readonly node: string;
    readonly hostPort: number | null;
    readonly containerPort: number;
    readonly protocol: 'TCP' | 'UDP' | 'SCTP';
    readonly listenAddress: string;
  }[];
  /** Host ports with a fixed number, in config order. */
  readonly mappedHostPorts: readonly number[];
  readonly kubeProxyMode: KubeProxyMode;
  /** kube-proxy's default (false) when no patch sets it. */
  readonly strictARP: boolean;
  /** kube-proxy's default `rr` when no patch sets it. */
  readonly ipvsScheduler: string;
  /** ClusterIP of default/kubernetes (1st address of the first service subnet). */
  readonly kubernetesServiceIP: string;
  /** ClusterIP of kube-system/kube-dns (kubeadm: the 10th address). */
  readonly kubeDnsServiceIP: string;
  readonly featureGates: Readonly<Record<string, boolean>>;
}

/** Derives what the suites expect from a config; `clusterName` defaults to the config's name, then `kind`. */
export function referenceExpectations(model: KindClusterModel, clusterName?: string): ReferenceExpectations {
  const cluster = clusterName ?? model.name ?? 'kind';
  const names = kindNodeNames(
    cluster,
    model.nodes.map((n) => n.role),
  );
  const nameOf = (i: number): string => names[i] ?? `${cluster}-?`;
  const firstService = model.serviceSubnets[0];
  if (firstService === undefined) throw new Error('the model has no service subnet');
  return {
    clusterName: cluster,
    podSubnet: model.podSubnets.map(cidrString).join(','),
    serviceSubnet: model.serviceSubnets.map(cidrString).join(','),
    nodeCountByRole: {
      'control-plane': model.nodes.filter((n) => n.role === 'control-plane').length,
      worker: model.nodes.filter((n) => n.role === 'worker').length,
    },
    nodes: model.nodes.map((n, i) => ({
      name: nameOf(i),
      role: n.role,
      labels: n.labels,
      zone: n.zone,
      image: n.image,
    })),
    portMappings: model.nodes.flatMap((n, i) =>
      n.extraPortMappings.map((m) => ({
        node: nameOf(i),
        hostPort: m.hostPort,
        containerPort: m.containerPort,
        protocol: m.protocol,
        listenAddress: m.listenAddress ?? '0.0.0.0',
      })),
    ),
    mappedHostPorts: model.nodes.flatMap((n) =>
      n.extraPortMappings.flatMap((m) => (m.hostPort === null ? [] : [m.hostPort])),
    ),
    kubeProxyMode: model.kubeProxyMode,
    strictARP: model.strictARP ?? false,
    ipvsScheduler: model.ipvsScheduler === null || model.ipvsScheduler === '' ? 'rr' : model.ipvsScheduler,
    kubernetesServiceIP: nthAddress(firstService, 1),
    kubeDnsServiceIP: nthAddress(firstService, 10),
    featureGates: model.featureGates,
  };
}

/** What a suite needs from the config it is given; omitted fields are not checked. */
export interface SuiteExpectations {
  readonly proxyMode?: KubeProxyMode;
  readonly strictARP?: boolean;
  readonly podSubnet?: string;
  readonly serviceSubnet?: string;
  readonly controlPlanes?: number;
  readonly workers?: number;
  /** Host ports that must be mapped (to NodePorts of the same number). */
  readonly mappedHostPorts?: readonly number[];
  readonly ipvsScheduler?: string;
  readonly featureGates?: Readonly<Record<string, boolean>>;
}

/** What the IPVS conformance suite needs (DESIGN.md §1). */
export const IPVS_SUITE_EXPECTATIONS = {
  proxyMode: 'ipvs',
  strictARP: true,
  podSubnet: '10.10.0.0/16',
  serviceSubnet: '10.200.1.0/24',
  controlPlanes: 1,
  workers: 3,
  mappedHostPorts: [30000, 30001, 30002, 30003, 30004],
  ipvsScheduler: 'rr',
} as const satisfies SuiteExpectations;

function normaliseSubnets(text: string): string {
  return text
    .split(',')
    .map((t) => {
      const checked = checkCidr(t.trim());
      return checked.ok ? cidrString(checked.cidr) : t.trim();
    })
    .join(',');
}

/** Compares a config with what a suite expects; one finding per unmet expectation (empty = fit). */
export function checkSuiteExpectations(model: KindClusterModel, expected: SuiteExpectations): Finding[] {
  const ref = referenceExpectations(model);
  const out: Finding[] = [];
  const push = (check: string, subject: string, exp: string, obs: string, message: string): void => {
    out.push({ check, subject, expected: exp, observed: obs, message });
  };

  if (expected.proxyMode !== undefined && model.kubeProxyMode !== expected.proxyMode) {
    push(
      'config-proxy-mode',
      'networking.kubeProxyMode',
      expected.proxyMode,
      `${model.kubeProxyMode}${model.kubeProxyModeDefaulted ? ' (kind default)' : ''}`,
      `kube-proxy mode is ${model.kubeProxyMode} while the suite expects ${expected.proxyMode}: set networking.kubeProxyMode: "${expected.proxyMode}"`,
    );
  }
  if (expected.strictARP !== undefined && model.strictARP !== expected.strictARP) {
    push(
      'config-strict-arp',
      'KubeProxyConfiguration ipvs.strictARP',
      String(expected.strictARP),
      model.strictARP === null ? 'not set (kube-proxy default false)' : String(model.strictARP),
      model.strictARP === null
        ? `strictARP missing while the suite expects it: add a kubeadmConfigPatches entry "kind: KubeProxyConfiguration" with ipvs.strictARP: ${expected.strictARP} (kind has no field for it)`
        : `strictARP is ${model.strictARP} while the suite expects ${expected.strictARP}: fix ipvs.strictARP in the KubeProxyConfiguration patch`,
    );
  }
  for (const [key, want, have] of [
    ['podSubnet', expected.podSubnet, ref.podSubnet],
    ['serviceSubnet', expected.serviceSubnet, ref.serviceSubnet],
  ] as const) {
    if (want !== undefined && normaliseSubnets(want) !== have) {
      const defaulted = key === 'podSubnet' ? model.podSubnetDefaulted : model.serviceSubnetDefaulted;
      push(
        `config-${key === 'podSubnet' ? 'pod' : 'service'}-subnet`,
        `networking.${key}`,
        normaliseSubnets(want),
        `${have}${defaulted ? ' (kind default)' : ''}`,
        `${key} is ${have} while the suite expects ${want}: set networking.${key}: ${want}`,
      );
    }
  }
  for (const [role, want] of [
    ['control-plane', expected.controlPlanes],
    ['worker', expected.workers],
  ] as const) {
    const have = ref.nodeCountByRole[role];
    if (want !== undefined && have !== want) {
      push(
        `config-${role}-count`,
        'nodes',
        `${want} ${role} node(s)`,
        `${have}`,
        `the config has ${have} ${role} node(s) while the suite expects ${want}`,
      );
    }
  }
  if (expected.mappedHostPorts !== undefined) {
    const mapped = new Map(model.controlPlanePortMappings.map((m) => [m.hostPort, m.containerPort]));
    for (const p of expected.mappedHostPorts) {
      const target = mapped.get(p);
      if (target !== p) {
        push(
          'config-port-mapping',
          `hostPort ${p}`,
          `control-plane hostPort ${p} -> containerPort ${p}`,
          target === undefined ? 'not mapped' : `-> containerPort ${target}`,
          `host port ${p} is not mapped to NodePort ${p} on the control-plane: add {containerPort: ${p}, hostPort: ${p}} to its extraPortMappings`,
        );
      }
    }
  }
  if (expected.ipvsScheduler !== undefined && ref.ipvsScheduler !== expected.ipvsScheduler) {
    push(
      'config-ipvs-scheduler',
      'KubeProxyConfiguration ipvs.scheduler',
      expected.ipvsScheduler,
      ref.ipvsScheduler,
      `IPVS scheduler is ${ref.ipvsScheduler} while the suite expects ${expected.ipvsScheduler}`,
    );
  }
  for (const [gate, want] of Object.entries(expected.featureGates ?? {})) {
    const have = model.featureGates[gate];
    if (have !== want) {
      push(
        'config-feature-gate',
        `featureGates.${gate}`,
        String(want),
        have === undefined ? 'not set' : String(have),
        `feature gate ${gate} is ${have === undefined ? 'not set' : have} while the suite expects ${want}`,
      );
    }
  }
  return out;
}
