import { describe, expect, it } from 'vitest';
import './matchers.ts';
import { checkProxyMode, isNodeState } from './matchers.ts';
import {
  API,
  dropLine,
  ok,
  SERVICES,
  service,
  slicesOf,
  withInterface,
  withIptables,
  withSet,
  withSysctls,
  withVirtualServer,
  workerState,
} from './test-support.ts';

const worker = workerState();
const echo = service('echo-clusterip');

/** The failure message of an assertion that must fail. */
function failure(assertion: () => void): string {
  try {
    assertion();
  } catch (e: unknown) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('the assertion passed but was expected to fail');
}

describe('custom matchers', () => {
  it('pass on the conformant node', () => {
    expect(worker).toProgramService(echo, slicesOf('echo-clusterip'));
    expect(worker).toProgramServices(API);
    expect(worker).toUseScheduler('rr');
    expect(worker).toHaveKubeIpvs0();
    expect(worker).toBindClusterIPs(SERVICES);
    expect(worker).toHaveKubeChains();
    expect(worker).toHaveNodePortRules(SERVICES);
    expect(worker).toHaveMasqueradeRules(API);
    expect(worker).toHaveNoIptablesModeChains();
    expect(worker).toHaveIpvsIptables(API, { clusterCIDR: '10.10.0.0/16' });
    expect(worker).toHaveClusterIpSet(SERVICES);
    expect(worker).toHaveNodePortSets(SERVICES);
    expect(worker).toHaveLoopBackSet(API);
    expect(worker).toHaveIpvsIpsets(API);
    expect(worker).toHaveStrictArp();
    expect(worker).toHaveIpvsSysctls();
    expect(worker).toRunProxyMode('ipvs');
    expect(checkProxyMode(worker)).toHaveNoFindings();
  });

  it('fail listing every finding with expected and observed', () => {
    const node = withVirtualServer('TCP 10.200.1.100:80', (v) => ({
      ...v,
      scheduler: 'sh',
      realServers: v.realServers.slice(1),
    }));
    const msg = failure(() => expect(node).toProgramService(echo, slicesOf('echo-clusterip')));
    expect(msg).toContain(
      'expected node kind-worker to program service ipvs-conformance/echo-clusterip in IPVS; 2 findings:',
    );
    expect(msg).toContain('1. [ipvs.scheduler]');
    expect(msg).toContain('2. [ipvs.cluster-ip.real-servers]');
    expect(msg).toContain('expected: {10.10.1.2:8080, 10.10.2.2:8080, 10.10.3.2:8080}');
    expect(msg).toContain('observed: {10.10.2.2:8080, 10.10.3.2:8080}');
  });

  it.for([
    [
      'toBindClusterIPs',
      () => expect(withInterface('kube-ipvs0', (i) => ({ ...i, addresses: [] }))).toBindClusterIPs(SERVICES),
    ],
    [
      'toHaveNodePortRules',
      () =>
        expect(withIptables(dropLine('-m addrtype --dst-type LOCAL -j KUBE-NODE-PORT'))).toHaveNodePortRules(
          SERVICES,
        ),
    ],
    [
      'toHaveMasqueradeRules',
      () => expect(withIptables(dropLine('MASQUERADE --random-fully'))).toHaveMasqueradeRules(API),
    ],
    ['toHaveNodePortSets', () => expect(withSet('KUBE-NODE-PORT-TCP', [])).toHaveNodePortSets(SERVICES)],
    ['toHaveStrictArp', () => expect(withSysctls({ 'net.ipv4.conf.all.arp_ignore': '0' })).toHaveStrictArp()],
    ['toRunProxyMode', () => expect(workerState({ proxyMode: ok('iptables') })).toRunProxyMode('ipvs')],
    ['toHaveKubeIpvs0', () => expect(withInterface('kube-ipvs0', () => null)).toHaveKubeIpvs0()],
    [
      'toHaveNoFindings',
      () => expect(checkProxyMode(workerState({ proxyMode: ok('iptables') }))).toHaveNoFindings(),
    ],
  ] as const)('%s fails on a defect and names the node', ([, run]) => {
    expect(failure(run)).toMatch(/kind-worker|the check/);
  });

  it('work with .not', () => {
    expect(workerState({ proxyMode: ok('iptables') })).not.toRunProxyMode('ipvs');
    expect(failure(() => expect(worker).not.toRunProxyMode('ipvs'))).toBe(
      'expected node kind-worker not to run kube-proxy in ipvs mode, but there is no finding',
    );
  });

  it('refuse something that is not a NodeState', () => {
    expect(isNodeState({ name: 'x' })).toBe(false);
    expect(isNodeState(worker)).toBe(true);
    expect(failure(() => expect({ name: 'kind-worker' }).toRunProxyMode())).toMatch(/expected a NodeState/);
    expect(failure(() => expect('nope').toHaveNoFindings())).toMatch(/expected Finding\[\]/);
  });

  it('work as asymmetric matchers', () => {
    expect({ node: worker }).toEqual({ node: expect.toRunProxyMode('ipvs') });
  });
});
