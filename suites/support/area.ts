import { beforeEach } from 'vitest';
import { attachJson, attachText, labels } from '../../helpers/report/report.ts';
import { observed } from './cluster.ts';

/**
 * Labels every test of a suite file with its Allure epic/feature/story (one line per file), and
 * on a failed test attaches what a maintainer needs to diagnose it: the suite namespace's objects
 * and every node's whole data plane as recorded (diagnose by default).
 */
export function reportAs(feature: string, story: string): void {
  beforeEach(async ({ onTestFailed }) => {
    await labels({ epic: 'kube-proxy IPVS mode on kind', feature, story });
    onTestFailed(async () => {
      await attachFailureContext();
    });
  });
}

async function attachFailureContext(): Promise<void> {
  let o: ReturnType<typeof observed>;
  try {
    o = observed();
  } catch {
    return; // the bundle itself is unreadable: the test's own error already says why
  }
  const ns = o.bundle.requested.namespace;
  for (const snap of o.bundle.snapshots) {
    const a = snap.api;
    await attachJson(`[${snap.label}] namespace ${ns} objects`, {
      services: a.services.filter((s) => s.namespace === ns),
      endpointSlices: a.endpointSlices.filter((s) => s.namespace === ns),
      pods: a.pods.filter((p) => p.namespace === ns),
      events: a.events.filter((e) => e.namespace === ns),
    });
    for (const node of snap.nodes) {
      const text = Object.entries(node.sections)
        .map(
          ([name, s]) =>
            `===== ${name}: ${s.command}\n${s.status === 'ok' ? s.text : `(absent: ${s.reason})`}`,
        )
        .join('\n');
      await attachText(`[${snap.label}] ${node.node} data plane`, text);
    }
  }
}
