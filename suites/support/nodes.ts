import type { NodeState } from '../../helpers/bundle/node-state.ts';
import type { NodeSectionName } from '../../helpers/bundle/types.ts';
import type { Finding } from '../../helpers/judge/finding.ts';
import { attachText } from '../../helpers/report/report.ts';
import { observed } from './cluster.ts';

type Label = 'initial' | 'after-scale-down';

/**
 * Runs one node check on every node of a snapshot and gathers the findings of all of them, so a
 * failure names every node that is wrong, not just the first. The raw sections the check read are
 * attached per node, exactly as the tools printed them.
 */
export async function onEveryNode(
  sections: readonly NodeSectionName[],
  check: (node: NodeState) => readonly Finding[],
  label: Label = 'initial',
): Promise<Finding[]> {
  const { snapshot, nodes } = observed();
  for (const raw of snapshot(label).nodes) {
    for (const name of sections) {
      const s = raw.sections[name];
      await attachText(`${raw.node} ${name}`, s.status === 'ok' ? s.text : `absent: ${s.reason}`);
    }
  }
  return nodes(label).flatMap((n) => [...check(n)]);
}
