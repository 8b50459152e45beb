import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** One kind release and the node image built for it (pinned by digest). */
export interface KindPair {
  readonly kind: string;
  readonly image: string;
  /** Whether CI's version matrix runs this pair. */
  readonly matrix: boolean;
}

/** The typed content of kind/versions.json. */
export interface KindVersions {
  /** The kind release the reference config was written for. */
  readonly reference: string;
  readonly pairs: readonly KindPair[];
}

const SEMVER_TAG = /^v\d+\.\d+\.\d+$/;
const PINNED_IMAGE = /^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/;

const schema = z
  .object({
    $comment: z.string().optional(),
    reference: z.string().regex(SEMVER_TAG, 'must be a kind release tag like v0.24.0'),
    pairs: z
      .array(
        z.object({
          kind: z.string().regex(SEMVER_TAG, 'must be a kind release tag like v0.24.0'),
          image: z.string().regex(PINNED_IMAGE, 'must be kindest/node:vX.Y.Z@sha256:<64 hex digits>'),
          matrix: z.boolean(),
        }),
      )
      .min(1),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    for (const p of v.pairs) {
      if (seen.has(p.kind)) ctx.addIssue({ code: 'custom', message: `kind ${p.kind} is listed twice` });
      seen.add(p.kind);
    }
    if (!seen.has(v.reference)) {
      ctx.addIssue({ code: 'custom', message: `reference ${v.reference} has no pair` });
    }
  });

/** Parses and validates the text of kind/versions.json; throws naming the bad field. */
export function parseKindVersions(text: string, origin = 'kind/versions.json'): KindVersions {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${origin}: not JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${origin}: ${problems.join('; ')}`);
  }
  return { reference: parsed.data.reference, pairs: parsed.data.pairs };
}

/** Reads kind/versions.json next to this file. */
export function loadKindVersions(): KindVersions {
  const url = new URL('./versions.json', import.meta.url);
  return parseKindVersions(readFileSync(url, 'utf8'), url.pathname);
}

/** The pair for an installed kind version (`v0.24.0`), or null when the suite does not support it. */
export function pairForKind(versions: KindVersions, kindVersion: string): KindPair | null {
  return versions.pairs.find((p) => p.kind === kindVersion) ?? null;
}

/** The Kubernetes version (`v1.31.0`) a kindest/node image reference names, or null. */
export function kubernetesVersionOfImage(image: string): string | null {
  const m = /kindest\/node:(v\d+\.\d+\.\d+)/.exec(image);
  return m?.[1] ?? null;
}
