import { describe, it } from 'vitest';
import type { Finding } from '../helpers/judge/finding.ts';
import { referenceExpectations } from '../helpers/model/kind-config.ts';
import { judgeLayout, type LayoutCheck } from '../helpers/model/layout.ts';
import { attachJson, attachText } from '../helpers/report/report.ts';
import { reportAs } from './support/area.ts';
import { observed } from './support/cluster.ts';
import { expectNoFindings } from './support/verdict.ts';

function layoutFindings(checks: readonly LayoutCheck[]): Finding[] {
  const { api, config } = observed();
  const a = api();
  return judgeLayout({
    nodes: a.nodes,
    pods: a.pods,
    services: a.services,
    podSubnet: config.podSubnet,
    serviceSubnet: config.serviceSubnet,
    kubeadmClusterConfiguration: a.kubeadmClusterConfiguration,
  }).filter((f) => (checks as readonly string[]).includes(f.check));
}

describe('subnet layout', () => {
  reportAs('subnet layout', 'podCIDR and service CIDR');

  it('kubeadm-config has the configured podSubnet and serviceSubnet', async () => {
    await attachText(
      'kubeadm ClusterConfiguration',
      observed().api().kubeadmClusterConfiguration ?? '(absent)',
    );
    await expectNoFindings(
      layoutFindings(['kubeadm-config', 'kubeadm-pod-subnet', 'kubeadm-service-subnet', 'layout-subnets']),
      'kubeadm-config subnets',
    );
  });

  it('every node podCIDR is a distinct /24 inside the pod subnet', async () => {
    await attachJson(
      'node podCIDRs',
      observed()
        .api()
        .nodes.map((n) => ({ node: n.name, podCIDR: n.podCIDR, podCIDRs: n.podCIDRs })),
    );
    await expectNoFindings(
      layoutFindings([
        'podcidr-assigned',
        'podcidr-mask',
        'podcidr-in-pod-subnet',
        'podcidr-disjoint',
        'podcidrs-match-podcidr',
      ]),
      'node podCIDRs',
    );
  });

  it('every pod IP is inside its node podCIDR', async () => {
    await expectNoFindings(layoutFindings(['pod-ip-in-node-podcidr']), 'pod IPs');
  });

  it('every ClusterIP is inside the service subnet, kubernetes at .1 and kube-dns at .10', async () => {
    await attachJson(
      'service ClusterIPs',
      observed()
        .api()
        .services.map((s) => ({ service: `${s.namespace}/${s.name}`, clusterIPs: s.clusterIPs })),
    );
    await expectNoFindings(
      layoutFindings(['clusterip-in-service-subnet', 'kubernetes-service-ip', 'kube-dns-service-ip']),
      'service ClusterIPs',
    );
  });

  it('node labels and zones are as configured', async () => {
    const { config, api } = observed();
    const expected = referenceExpectations(config).nodes;
    const nodes = api().nodes;
    const findings: Finding[] = [];
    // kind names nodes after the cluster, which the bundle need not carry: match by role and order.
    for (const role of ['control-plane', 'worker'] as const) {
      const want = expected.filter((n) => n.role === role);
      const have = [...nodes.filter((n) => n.role === role)].sort((a, b) =>
        a.name.localeCompare(b.name, 'en', { numeric: true }),
      );
      want.forEach((w, i) => {
        const h = have[i];
        const subject = h ? `node/${h.name}` : `${role} #${i + 1}`;
        for (const [key, value] of Object.entries(w.labels)) {
          const got = h?.labels[key];
          if (got !== value) {
            findings.push({
              check: 'node-label',
              subject,
              expected: `${key}=${value}`,
              observed: got === undefined ? `${key} unset` : `${key}=${got}`,
              message: `node label ${key} is not as the kind config sets it`,
            });
          }
        }
      });
    }
    await expectNoFindings(findings, 'node labels and zones');
  });
});
