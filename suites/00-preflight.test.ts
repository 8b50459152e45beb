import { describe, it } from 'vitest';
import { checkKubeIpvs0Device, checkProxyMode } from '../helpers/expect/index.ts';
import type { Finding } from '../helpers/judge/finding.ts';
import { judgeIpvsLifecycle } from '../helpers/judge/ipvs-lifecycle.ts';
import { readKubeProxyConfig } from '../helpers/judge/kube-proxy-config.ts';
import { judgeNodeInventory, judgeServerVersion } from '../helpers/judge/preflight.ts';
import { referenceExpectations } from '../helpers/model/kind-config.ts';
import { attachJson, FAILURE_PREFIX, parameter } from '../helpers/report/report.ts';
import { reportAs } from './support/area.ts';
import { observed } from './support/cluster.ts';
import { onEveryNode } from './support/nodes.ts';
import { expectNoFindings } from './support/verdict.ts';

// Preconditions before behaviour: if one of these fails, the other suites' verdicts are moot.
describe('preflight', () => {
  reportAs('preflight', 'cluster under test');

  it('the live run completed every stage', async () => {
    const { bundle } = observed();
    await attachJson('stage timings', bundle.timings);
    await attachJson('exec and API call counts', bundle.counters);
    await parameter('source', bundle.source);
    await parameter('execs', bundle.counters.execs);
    await parameter('API calls', bundle.counters.apiCalls);
    const f = bundle.failure;
    const findings: Finding[] = f
      ? [
          {
            check: 'live-run',
            subject: `stage/${f.stage}`,
            expected: 'every stage completed',
            observed: `failed at ${f.stage}`,
            message: `${f.stage === 'create' ? FAILURE_PREFIX.clusterCreation : `Live run failed at ${f.stage}:`} ${f.message}`,
          },
        ]
      : [];
    await expectNoFindings(findings, 'live run');
  });

  it('kube-proxy reports proxyMode ipvs on every node', async () => {
    const findings = await onEveryNode(['proxy-mode'], (n) => checkProxyMode(n, 'ipvs'));
    const first = findings[0];
    await expectNoFindings(
      first
        ? [{ ...first, message: `${FAILURE_PREFIX.proxyModeNotIpvs} ${first.message}` }, ...findings.slice(1)]
        : [],
      'kube-proxy mode',
    );
  });

  it('the API server version equals the requested node image', async () => {
    const { bundle, api } = observed();
    await parameter('requested node image', bundle.requested.nodeImage);
    await expectNoFindings(
      judgeServerVersion({
        requestedImage: bundle.requested.nodeImage,
        recordedImage: bundle.fingerprint.nodeImage,
        serverVersion: api().serverVersion.gitVersion,
        nodes: api().nodes,
      }),
      'versions',
    );
  });

  it('the cluster has 1 control-plane and 3 workers, all Ready', async () => {
    const { config, api } = observed();
    const nodes = api().nodes;
    // kind names nodes after the cluster: read its name off the control-plane node, if there is one.
    const cluster = nodes.find((n) => n.role === 'control-plane')?.name.replace(/-control-plane$/, '');
    const want = referenceExpectations(config, cluster);
    const names = cluster ? want.nodes.map((n) => n.name) : [];
    await expectNoFindings(judgeNodeInventory(want.nodeCountByRole, nodes, names), 'nodes');
  });

  it('every node has the kube-ipvs0 dummy interface, state DOWN', async () => {
    await expectNoFindings(await onEveryNode(['ip-addr'], checkKubeIpvs0Device), 'kube-ipvs0');
  });

  it('IPVS mode is neither deprecated nor gated off for this Kubernetes version', async () => {
    const { api, nodes } = observed();
    const a = api();
    const proxyModes = Object.fromEntries(
      nodes().map((n) => [n.name, n.proxyMode.ok ? n.proxyMode.value : '']),
    );
    const featureGates = a.kubeProxyConfig ? readKubeProxyConfig(a.kubeProxyConfig).featureGates : {};
    await expectNoFindings(
      judgeIpvsLifecycle({
        serverVersion: a.serverVersion.gitVersion,
        events: a.events,
        featureGates,
        proxyModes,
      }),
      'IPVS lifecycle',
    );
  });
});
