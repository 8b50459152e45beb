import { describe, it } from 'vitest';
import {
  checkClusterIpSet,
  checkKubeChains,
  checkLoopBackSet,
  checkMarkMasqChain,
  checkMasqueradeRules,
  checkNodePortRules,
  checkNodePortSets,
  checkNoIptablesModeChains,
  checkServicesChain,
} from '../helpers/expect/index.ts';
import { reportAs } from './support/area.ts';
import { observed } from './support/cluster.ts';
import { onEveryNode } from './support/nodes.ts';
import { expectNoFindings } from './support/verdict.ts';

/** kube-proxy's local-traffic detector on kind is the cluster CIDR, i.e. the pod subnet. */
function clusterCIDR(): string {
  return observed().config.podSubnet;
}

describe('NodePort iptables and ipset rules', () => {
  reportAs('iptables and ipset rules of IPVS mode', 'NodePort, masquerade and loop-back');

  it('KUBE-SERVICES sends local destinations to the nat KUBE-NODE-PORT chain on every node', async () => {
    const api = observed().api();
    const findings = await onEveryNode(['iptables-save'], (n) => [
      ...checkKubeChains(n),
      ...checkServicesChain(n, api, { clusterCIDR: clusterCIDR() }),
    ]);
    await expectNoFindings(findings, 'KUBE-SERVICES');
  });

  it('every nodePort is a member of KUBE-NODE-PORT-TCP on every node', async () => {
    const api = observed().api();
    await expectNoFindings(
      await onEveryNode(['ipset-save'], (n) => checkNodePortSets(n, api)),
      'NodePort ipsets',
    );
  });

  it('KUBE-NODE-PORT marks NodePort traffic for masquerade with KUBE-MARK-MASQ (mark 0x4000)', async () => {
    const api = observed().api();
    const findings = await onEveryNode(['iptables-save'], (n) => [
      ...checkNodePortRules(n, api),
      ...checkMarkMasqChain(n),
    ]);
    await expectNoFindings(findings, 'KUBE-NODE-PORT and KUBE-MARK-MASQ');
  });

  it('KUBE-POSTROUTING masquerades marked packets and KUBE-LOOP-BACK hairpin traffic', async () => {
    const api = observed().api();
    await expectNoFindings(
      await onEveryNode(['iptables-save'], (n) => checkMasqueradeRules(n, api)),
      'masquerade',
    );
  });

  it('KUBE-LOOP-BACK holds exactly the local endpoints on every node', async () => {
    const api = observed().api();
    await expectNoFindings(
      await onEveryNode(['ipset-save'], (n) => checkLoopBackSet(n, api)),
      'KUBE-LOOP-BACK',
    );
  });

  it('KUBE-CLUSTER-IP holds every ClusterIP port on every node', async () => {
    const api = observed().api();
    await expectNoFindings(
      await onEveryNode(['ipset-save'], (n) => checkClusterIpSet(n, api)),
      'KUBE-CLUSTER-IP',
    );
  });

  it('no iptables-mode service chains exist on any node', async () => {
    const findings = await onEveryNode(['iptables-save', 'ip6tables-save'], (n) => [
      ...checkNoIptablesModeChains(n, { family: 4 }),
      ...checkNoIptablesModeChains(n, { family: 6 }),
    ]);
    await expectNoFindings(findings, 'iptables-mode chains');
  });
});
