import { inject } from 'vitest';
import type { ApiObjects } from '../../helpers/api/types.ts';
import { BundleError, loadBundleFile, snapshotOf } from '../../helpers/bundle/load.ts';
import { type NodeState, nodeStateFromSnapshot } from '../../helpers/bundle/node-state.ts';
import type { Bundle, Snapshot } from '../../helpers/bundle/types.ts';
import { type KindClusterModel, parseKindConfig } from '../../helpers/model/kind-config.ts';

/** What a suite judges: the bundle, the requested config as a model, and parsed node states per snapshot. */
export interface Observed {
  readonly bundle: Bundle;
  readonly config: KindClusterModel;
  snapshot(label: 'initial' | 'after-scale-down'): Snapshot;
  api(label?: 'initial' | 'after-scale-down'): ApiObjects;
  nodes(label?: 'initial' | 'after-scale-down'): readonly NodeState[];
}

let cached: Observed | null = null;

/**
 * The observation under judgement, loaded once per test file. Called inside each test (not at
 * module level) so that a bundle which lacks what a test needs fails that test with the reason,
 * instead of failing the file's collection.
 */
export function observed(): Observed {
  if (cached) return cached;
  const bundle = loadBundleFile(inject('bundlePath'));
  const config = parseKindConfig(bundle.requested.kindConfig);
  const states = new Map<string, readonly NodeState[]>();
  cached = {
    bundle,
    config,
    snapshot: (label) => snapshotOf(bundle, label),
    api: (label = 'initial') => snapshotOf(bundle, label).api,
    nodes: (label = 'initial') => {
      let s = states.get(label);
      if (!s) {
        const snap = snapshotOf(bundle, label);
        if (snap.nodes.length === 0)
          throw new BundleError(`the '${label}' snapshot holds no node observations`);
        s = snap.nodes.map(nodeStateFromSnapshot);
        states.set(label, s);
      }
      return s;
    },
  };
  return cached;
}
