import type { ApiNode } from '../api/types.ts';
import type { Finding } from './finding.ts';

/** `kindest/node:v1.31.0@sha256:...` -> `v1.31.0`; null when the image has no version tag. */
export function imageKubernetesVersion(image: string): string | null {
  const m = /:(v\d+\.\d+\.\d+[^@]*)(?:@|$)/.exec(image);
  return m?.[1] ?? null;
}

/**
 * The run must have tested the Kubernetes it asked for: a typo'd or missing image tag makes kind
 * fall back to its default image silently, so compare the server's and every kubelet's version
 * with the requested image's tag, and the fingerprint's image with the requested one.
 */
export function judgeServerVersion(input: {
  readonly requestedImage: string;
  readonly recordedImage: string;
  readonly serverVersion: string;
  readonly nodes: readonly ApiNode[];
}): Finding[] {
  const findings: Finding[] = [];
  const want = imageKubernetesVersion(input.requestedImage);
  if (want === null) {
    return [
      {
        check: 'requested-image-version',
        subject: `image/${input.requestedImage}`,
        expected: 'a node image tagged with a Kubernetes version (kindest/node:vX.Y.Z@sha256:...)',
        observed: input.requestedImage,
        message: 'the requested node image names no Kubernetes version; pin it as kind/versions.json does',
      },
    ];
  }
  const base = (v: string): string => v.replace(/\+.*$/, '');
  if (base(input.serverVersion) !== want) {
    findings.push({
      check: 'server-version',
      subject: 'apiserver',
      expected: want,
      observed: input.serverVersion,
      message: `the API server runs ${input.serverVersion}, not the ${want} of the requested image ${input.requestedImage}`,
    });
  }
  for (const n of input.nodes) {
    if (base(n.kubeletVersion) !== want) {
      findings.push({
        check: 'kubelet-version',
        subject: `node/${n.name}`,
        expected: want,
        observed: n.kubeletVersion,
        message: `the kubelet on ${n.name} runs ${n.kubeletVersion}, not ${want}`,
      });
    }
  }
  if (input.recordedImage !== input.requestedImage) {
    findings.push({
      check: 'node-image',
      subject: 'fingerprint',
      expected: input.requestedImage,
      observed: input.recordedImage,
      message: 'the cluster was created from another node image than the one requested',
    });
  }
  return findings;
}

/**
 * The node inventory: the configured count per role, every node Ready. With `expectedNames` (kind
 * names nodes `<cluster>-control-plane`, `<cluster>-worker`, `<cluster>-worker2`...) a wrong count
 * also says which nodes are missing or unexpected.
 */
export function judgeNodeInventory(
  expected: { readonly 'control-plane': number; readonly worker: number },
  nodes: readonly ApiNode[],
  expectedNames: readonly string[] = [],
): Finding[] {
  const findings: Finding[] = [];
  const have = new Set(nodes.map((n) => n.name));
  const missing = expectedNames.filter((n) => !have.has(n));
  const unexpected =
    expectedNames.length > 0 ? nodes.filter((n) => !expectedNames.includes(n.name)).map((n) => n.name) : [];
  const which = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    unexpected.length > 0 ? `unexpected ${unexpected.join(', ')}` : '',
  ]
    .filter((x) => x !== '')
    .join('; ');
  for (const role of ['control-plane', 'worker'] as const) {
    const ofRole = nodes.filter((n) => n.role === role);
    if (ofRole.length !== expected[role]) {
      findings.push({
        check: 'node-count',
        subject: `role/${role}`,
        expected: String(expected[role]),
        observed: `${ofRole.length} (${ofRole.map((n) => n.name).join(', ') || 'none'})`,
        message: `the cluster has ${ofRole.length} ${role} node(s) instead of ${expected[role]}${which ? ` (${which})` : ''}`,
      });
    }
  }
  for (const n of nodes.filter((x) => !x.ready)) {
    findings.push({
      check: 'node-ready',
      subject: `node/${n.name}`,
      expected: 'Ready=True',
      observed: 'not Ready',
      message: `node ${n.name} is not Ready`,
    });
  }
  return findings;
}
