import { describe, expect, it } from 'vitest';
import { checkProxyMode } from './proxy-mode.ts';
import { bad, ok, workerState } from './test-support.ts';

describe('kube-proxy mode', () => {
  it('passes for ipvs', () => {
    expect(checkProxyMode(workerState())).toEqual([]);
  });
  it('reports a silent fallback to iptables', () => {
    expect(checkProxyMode(workerState({ proxyMode: ok('iptables') }))).toEqual([
      {
        check: 'proxy-mode',
        subject: 'node kind-worker: /proxyMode',
        expected: 'ipvs',
        observed: 'iptables',
        message: 'node kind-worker: /proxyMode: kube-proxy runs iptables, not ipvs',
      },
    ]);
  });
  it('reports an empty body and honours another expected mode', () => {
    expect(checkProxyMode(workerState({ proxyMode: ok('') }))[0]?.observed).toBe('(empty body)');
    expect(checkProxyMode(workerState({ proxyMode: ok('nftables') }), 'nftables')).toEqual([]);
  });
  it('fails with the reason when the endpoint was unreachable', () => {
    expect(
      checkProxyMode(workerState({ proxyMode: bad('proxy-mode absent: curl: (7) Failed to connect') }))[0]
        ?.message,
    ).toBe('node kind-worker: proxy-mode absent: curl: (7) Failed to connect');
  });
});
