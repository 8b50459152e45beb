import { readFileSync } from 'node:fs';
import { bundleSchema } from './schema.ts';
import { BUNDLE_FORMAT_VERSION, type Bundle, type Snapshot } from './types.ts';

/** A bundle that cannot be judged: unreadable, of an unknown format version, or lacking what a test needs. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
}

/** Parses and validates bundle JSON text; refuses unknown format versions by name. */
export function parseBundle(text: string, origin = 'bundle'): Bundle {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BundleError(`${origin}: not JSON (${(e as Error).message})`);
  }
  const version =
    typeof raw === 'object' && raw !== null ? (raw as { formatVersion?: unknown }).formatVersion : undefined;
  if (version !== BUNDLE_FORMAT_VERSION) {
    throw new BundleError(
      `${origin}: unknown bundle format version ${JSON.stringify(version)}; this suite reads version ${BUNDLE_FORMAT_VERSION}. ` +
        'Record the bundle again with this version of the suite, or check out the suite version that wrote it.',
    );
  }
  const parsed = bundleSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 10)
      .map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new BundleError(`${origin}: not a valid observation bundle:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/** Reads and validates a bundle file. */
export function loadBundleFile(path: string): Bundle {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BundleError(`cannot read bundle ${path}: ${(e as Error).message}`);
  }
  return parseBundle(text, path);
}

/** The snapshot with the given label, or a BundleError naming what is missing. */
export function snapshotOf(bundle: Bundle, label: string): Snapshot {
  const found = bundle.snapshots.find((s) => s.label === label);
  if (!found) {
    const have = bundle.snapshots.map((s) => s.label).join(', ') || 'none';
    throw new BundleError(`the bundle has no '${label}' snapshot (it has: ${have})`);
  }
  return found;
}
