import { describe, it } from 'vitest';
import { checkEffectiveArp, checkIpvsSysctls, checkStrictArpAll } from '../helpers/expect/index.ts';
import { judgeKubeProxyConfig } from '../helpers/judge/kube-proxy-config.ts';
import { referenceExpectations } from '../helpers/model/kind-config.ts';
import { attachText } from '../helpers/report/report.ts';
import { reportAs } from './support/area.ts';
import { observed } from './support/cluster.ts';
import { onEveryNode } from './support/nodes.ts';
import { expectNoFindings } from './support/verdict.ts';

describe('strictARP', () => {
  reportAs('strictARP', 'ARP sysctls for IPVS');

  it('the kube-proxy ConfigMap sets ipvs.strictARP to true', async () => {
    const { config, api } = observed();
    const text = api().kubeProxyConfig;
    await attachText('kube-proxy config.conf', text ?? '(absent)');
    const want = referenceExpectations(config);
    await expectNoFindings(
      judgeKubeProxyConfig(text, { mode: want.kubeProxyMode, strictARP: want.strictARP }),
      'kube-proxy ConfigMap',
    );
  });

  it('arp_ignore is 1 and arp_announce is 2 for all interfaces on every node', async () => {
    await expectNoFindings(
      await onEveryNode(['sysctl'], (n) => checkStrictArpAll(n)),
      'conf.all ARP sysctls',
    );
  });

  it('the effective arp_ignore and arp_announce of every interface are strict on every node', async () => {
    await expectNoFindings(
      await onEveryNode(['sysctl', 'ip-addr'], (n) => checkEffectiveArp(n)),
      'per-interface ARP',
    );
  });

  it('the IPVS sysctls kube-proxy sets are in place on every node', async () => {
    await expectNoFindings(
      await onEveryNode(['sysctl', 'kernel'], (n) => checkIpvsSysctls(n)),
      'IPVS sysctls',
    );
  });
});
