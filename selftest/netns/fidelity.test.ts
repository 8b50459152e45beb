/**
 * Fidelity of the model cluster's rendered text: each node's iptables-save, ip6tables-save and
 * ipset save, restored into a fresh namespace by the real restore tools and read back through the
 * real snapshot (ip netns exec + the live snapshot script), must come back identical up to the
 * normalisations documented in support.ts (save timestamps, chain counters, hash-set member order).
 * A difference is a bug in the model's renderer: the failure shows the diff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeSnapshot } from '../../helpers/bundle/types.ts';
import {
  createNetnsGroup,
  type NetnsGroup,
  probeNetns,
  snapshotNetnsNode,
} from '../../helpers/live/netns.ts';
import { renderModelBundle } from '../model/render-bundle.ts';
import { LOAD_TIMEOUT_MS, normalizeIpsetSave, normalizeIptablesSave, sectionText } from './support.ts';

const availability = await probeNetns();
const skipReason = availability.ok ? null : availability.reason;
const skipped = (title: string): string =>
  skipReason === null ? title : `${title} [skipped: ${skipReason}]`;

const bundle = renderModelBundle();

const FORMATS = [
  { section: 'ipset-save', restore: ['ipset', 'restore'], normalize: normalizeIpsetSave },
  { section: 'iptables-save', restore: ['iptables-restore'], normalize: normalizeIptablesSave },
  { section: 'ip6tables-save', restore: ['ip6tables-restore'], normalize: normalizeIptablesSave },
] as const;

for (const snapshot of bundle.snapshots) {
  describe.skipIf(skipReason !== null)(
    skipped(`model '${snapshot.label}' text survives a real restore and save`),
    () => {
      let group: NetnsGroup | null = null;
      const saved = new Map<string, NodeSnapshot>();

      beforeAll(async () => {
        group = await createNetnsGroup(snapshot.nodes.map((n) => n.node));
        for (const n of snapshot.nodes) {
          const ns = group.of(n.node);
          // In this order: the iptables rules reference the sets by name.
          for (const f of FORMATS)
            await ns.run(f.restore, { timeoutMs: LOAD_TIMEOUT_MS, input: sectionText(n, f.section) });
          saved.set(n.node, await snapshotNetnsNode(ns.transport, LOAD_TIMEOUT_MS));
        }
      }, 120_000);

      afterAll(async () => {
        await group?.remove();
      }, 60_000);

      for (const n of snapshot.nodes) {
        for (const f of FORMATS) {
          it(`${n.node}: ${f.section} comes back identical from ${f.restore.join(' ')} + ${f.section.replace('-', ' ')}`, () => {
            const real = saved.get(n.node);
            if (real === undefined) throw new Error(`no snapshot of ${n.node}`);
            expect(f.normalize(sectionText(real, f.section))).toBe(f.normalize(sectionText(n, f.section)));
          });
        }
      }
    },
  );
}
