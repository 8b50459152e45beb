import { describe, expect, it } from 'vitest';
import { checkIpsets } from './ipset.ts';
import { checkIptables } from './iptables.ts';
import { ipvsReport } from './ipvs.ts';
import { checkKubeIpvs0 } from './kube-ipvs0.ts';
import { checkProxyMode } from './proxy-mode.ts';
import { checkIpvsSysctls, checkStrictArp } from './sysctl.ts';
import { API, workerState } from './test-support.ts';

describe('the conformant model node', () => {
  const node = workerState();
  it.for([
    ['ipvs', () => ipvsReport(node, API).findings],
    ['kube-ipvs0', () => checkKubeIpvs0(node, API)],
    ['iptables', () => checkIptables(node, API, { clusterCIDR: '10.10.0.0/16' })],
    ['ip6tables', () => checkIptables(node, API, { family: 6 })],
    ['ipsets', () => checkIpsets(node, API)],
    ['strict arp', () => checkStrictArp(node)],
    ['ipvs sysctls', () => checkIpvsSysctls(node)],
    ['proxy mode', () => checkProxyMode(node)],
  ] as const)('passes the %s checks', ([, run]) => {
    expect(run()).toEqual([]);
  });
});
