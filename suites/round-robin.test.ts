import { describe, expect, it } from 'vitest';
import type { TrafficKind, TrafficSample } from '../helpers/bundle/types.ts';
import type { Finding } from '../helpers/judge/finding.ts';
import { judgeSpread } from '../helpers/judge/spread.ts';
import { attachHistogram } from '../helpers/report/report.ts';
import { WORKLOAD } from '../helpers/workload.ts';
import { reportAs } from './support/area.ts';
import { observed } from './support/cluster.ts';
import { expectNoFindings } from './support/verdict.ts';

/** The echo backends that should answer: the Ready echo pods of the initial snapshot. */
function echoBackends(): string[] {
  const { bundle, api } = observed();
  return api()
    .pods.filter(
      (p) =>
        p.namespace === bundle.requested.namespace && p.labels.app === WORKLOAD.echo.labels.app && p.ready,
    )
    .map((p) => p.name)
    .sort();
}

function samples(kind: TrafficKind): readonly TrafficSample[] {
  return observed().bundle.traffic.filter((t) => t.kind === kind);
}

/** Judges every sample of `kind` as one rr burst; a sample that is not round-robin is a finding. */
async function spreadFindings(kind: TrafficKind): Promise<Finding[]> {
  const backends = echoBackends();
  const findings: Finding[] = [];
  for (const s of samples(kind)) {
    const verdict = judgeSpread(s.answers, backends);
    await attachHistogram(`${s.client} -> ${s.target}`, {
      histogram: Object.fromEntries(verdict.histogram.map((b) => [b.backend, b.observed])),
      text: verdict.message,
    });
    if (verdict.kind !== 'round-robin') {
      findings.push({
        check: `spread-${kind}`,
        subject: `${s.fromNode}/${s.client} -> ${s.target}`,
        expected: `round-robin over ${backends.join(', ')}`,
        observed: verdict.kind,
        message: `${s.kind} traffic from ${s.client} is ${verdict.kind}, not round-robin:\n${verdict.message}`,
      });
    }
  }
  return findings;
}

describe('round-robin spread', () => {
  reportAs('round-robin spread', 'rr scheduler');

  it('ClusterIP traffic from every node is round-robin over all echo backends', async () => {
    const nodes = observed()
      .api()
      .nodes.map((n) => n.name)
      .sort();
    const from = [...new Set(samples('clusterip').map((s) => s.fromNode))].sort();
    expect(from, 'one ClusterIP traffic sample per node (rr state is per node)').toEqual(nodes);
    await expectNoFindings(await spreadFindings('clusterip'), 'ClusterIP spread');
  });

  it('NodePort traffic from the host is round-robin over all echo backends', async () => {
    expect(
      samples('nodeport-host').length,
      'traffic samples from the host through the mapped NodePort',
    ).toBeGreaterThan(0);
    await expectNoFindings(await spreadFindings('nodeport-host'), 'NodePort spread from the host');
  });

  it('the NodePort answers on every node address from pods on every node', async () => {
    const { api } = observed();
    const backends = new Set(echoBackends());
    const addresses = api()
      .nodes.map((n) => n.internalIP)
      .filter((a): a is string => a !== null);
    const findings: Finding[] = [];
    for (const node of api().nodes) {
      for (const address of addresses) {
        const target = `${address}:${WORKLOAD.nodePortService.nodePort}`;
        const s = samples('nodeport-pod').find((x) => x.fromNode === node.name && x.target === target);
        const bad = s ? s.answers.filter((a) => a === null || !backends.has(a)) : [];
        if (!s || s.answers.length === 0 || bad.length > 0) {
          findings.push({
            check: 'nodeport-reachable',
            subject: `${node.name} -> ${target}`,
            expected: 'every request answered by an echo backend',
            observed: !s
              ? 'no traffic sample'
              : `${bad.length} of ${s.answers.length} requests unanswered or answered by another pod${s.errors.length > 0 ? `: ${s.errors[0]}` : ''}`,
            message: `the NodePort on ${target} does not answer pods on ${node.name}`,
          });
        }
      }
    }
    await expectNoFindings(findings, 'NodePort reachability');
  });
});
