import { describe, expect, it } from 'vitest';
import {
  checkClusterIpsBound,
  checkIpvs,
  checkIpvsSchedulers,
  type IpvsReport,
  ipvsReport,
} from '../helpers/expect/index.ts';
import { referenceExpectations } from '../helpers/model/kind-config.ts';
import { attachJson } from '../helpers/report/report.ts';
import { WORKLOAD } from '../helpers/workload.ts';
import { reportAs } from './support/area.ts';
import { observed } from './support/cluster.ts';
import { onEveryNode } from './support/nodes.ts';
import { expectNoFindings } from './support/verdict.ts';

describe('IPVS virtual servers', () => {
  reportAs('IPVS virtual servers', 'Services programmed as IPVS');

  it('every ClusterIP port has a virtual server on every node with the ready endpoints as real servers', async () => {
    const api = observed().api();
    const findings = await onEveryNode(['proc-ip-vs'], (n) =>
      checkIpvs(n, api, { scope: 'cluster-ip', checkScheduler: false }),
    );
    await expectNoFindings(findings, 'ClusterIP virtual servers');
  });

  it('every NodePort has a virtual server on every node address with the ready endpoints as real servers', async () => {
    const api = observed().api();
    const findings = await onEveryNode(['proc-ip-vs', 'ip-addr'], (n) =>
      checkIpvs(n, api, { scope: 'node-port', checkScheduler: false }),
    );
    await expectNoFindings(findings, 'NodePort virtual servers');
  });

  it('every virtual server uses the rr scheduler', async () => {
    const scheduler = referenceExpectations(observed().config).ipvsScheduler;
    await expectNoFindings(
      await onEveryNode(['proc-ip-vs'], (n) => checkIpvsSchedulers(n, scheduler)),
      'schedulers',
    );
  });

  it('every ClusterIP is bound to kube-ipvs0 on every node', async () => {
    const api = observed().api();
    await expectNoFindings(
      await onEveryNode(['ip-addr'], (n) => checkClusterIpsBound(n, api)),
      'kube-ipvs0 addresses',
    );
  });

  it('a scale-down of the echo Deployment is reflected in every node IPVS table', async () => {
    const { bundle, api } = observed();
    const after = api('after-scale-down');
    const slices = after.endpointSlices.filter(
      (s) => s.namespace === bundle.requested.namespace && s.serviceName === WORKLOAD.clusterIpService.name,
    );
    const ready = slices.flatMap((s) => s.endpoints.filter((e) => e.ready));
    expect(ready.length, `ready echo endpoints after scaling to ${WORKLOAD.echo.scaledReplicas}`).toBe(
      WORKLOAD.echo.scaledReplicas,
    );
    const draining: { node: string; draining: IpvsReport['draining'] }[] = [];
    const findings = await onEveryNode(
      ['proc-ip-vs'],
      (n) => {
        // Real servers of deleted endpoints linger with weight 0 until their connections drain:
        // they are listed, not judged (kube-proxy graceful termination).
        const report = ipvsReport(n, after, { scope: 'cluster-ip', checkScheduler: false });
        draining.push({ node: n.name, draining: report.draining });
        return report.findings;
      },
      'after-scale-down',
    );
    await attachJson('draining real servers after the scale-down', draining);
    await expectNoFindings(findings, 'IPVS after the scale-down');
  });
});
