import { describe, expect, it } from 'vitest';
import { apiNode } from '../api/test-support.ts';
import type { ApiEndpointSlice, ApiNode, ApiPod } from '../api/types.ts';
import { ipvsProgrammed, nodesReady, pollUntil, WaitTimeout, workloadReady } from './converge.ts';

const N = (name: string, role: ApiNode['role'], ready: boolean): ApiNode =>
  apiNode(name, role, { ready, kubeletVersion: '' });

const P = (
  name: string,
  node: string,
  ip: string | null,
  ready: boolean,
  labels: Record<string, string>,
): ApiPod => ({
  namespace: 'ns',
  name,
  nodeName: node,
  podIP: ip,
  podIPs: ip ? [ip] : [],
  phase: 'Running',
  ready,
  hostNetwork: false,
  labels,
});

const slice = (ips: string[], terminating: string[] = []): ApiEndpointSlice => ({
  namespace: 'ns',
  name: 'echo-clusterip-x',
  serviceName: 'echo-clusterip',
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: [
    ...ips.map((a) => ({
      addresses: [a],
      ready: true,
      serving: true,
      terminating: false,
      nodeName: null,
      targetPod: null,
    })),
    ...terminating.map((a) => ({
      addresses: [a],
      ready: false,
      serving: true,
      terminating: true,
      nodeName: null,
      targetPod: null,
    })),
  ],
});

describe('pollUntil', () => {
  it('returns the value once done, retrying failed probes', async () => {
    let n = 0;
    const v = await pollUntil(
      'x',
      1_000,
      async () => {
        n++;
        if (n === 1) throw new Error('not yet');
        return { done: n >= 3, value: n, state: `n=${n}` };
      },
      1,
    );
    expect(v).toBe(3);
  });

  it('names what it waited for and the last state on timeout', async () => {
    const err = await pollUntil(
      '4 nodes Ready',
      30,
      async () => ({ done: false, value: 0, state: '2 nodes' }),
      5,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeout);
    expect((err as Error).message).toBe('waited 0 s for 4 nodes Ready; last seen: 2 nodes');
  });
});

describe('nodesReady', () => {
  it('needs the right count per role, all Ready', () => {
    const nodes = [N('cp', 'control-plane', true), N('w1', 'worker', true), N('w2', 'worker', false)];
    expect(nodesReady(nodes, 1, 2)).toMatchObject({
      done: false,
      state: '3 nodes (cp Ready, w1 Ready, w2 NotReady)',
    });
    expect(nodesReady(nodes.slice(0, 2), 1, 2).done).toBe(false);
    expect(
      nodesReady([N('cp', 'control-plane', true), N('w1', 'worker', true), N('w2', 'worker', true)], 1, 2)
        .done,
    ).toBe(true);
  });
});

describe('workloadReady', () => {
  const echo = { app: 'echo' };
  const want = {
    namespace: 'ns',
    echoLabel: echo,
    replicas: 2,
    service: 'echo-clusterip',
    clients: ['client-w1'],
  };
  const client = P('client-w1', 'w1', '10.10.1.9', true, { app: 'client' });

  it('holds when ready pods on distinct nodes equal the endpoints', () => {
    const pods = [P('e1', 'w1', '10.10.1.2', true, echo), P('e2', 'w2', '10.10.2.2', true, echo), client];
    expect(workloadReady(pods, [slice(['10.10.2.2', '10.10.1.2'])], want)).toMatchObject({
      done: true,
      value: ['10.10.1.2', '10.10.2.2'],
    });
  });

  it('waits while a removed pod still exists or the endpoints lag', () => {
    const three = [
      P('e1', 'w1', '10.10.1.2', true, echo),
      P('e2', 'w2', '10.10.2.2', true, echo),
      P('e3', 'w3', '10.10.3.2', false, echo),
      client,
    ];
    expect(workloadReady(three, [slice(['10.10.1.2', '10.10.2.2'])], want).done).toBe(false);
    const two = three.slice(0, 2).concat(client);
    const lagging = workloadReady(two, [slice(['10.10.1.2'], ['10.10.3.2'])], want);
    expect(lagging.done).toBe(false);
    expect(lagging.state).toBe(
      'echo pods 2 (ready 2 on 2 nodes), want 2; echo-clusterip ready endpoints [10.10.1.2]; clients ready 1/1',
    );
  });
});

describe('ipvsProgrammed', () => {
  const proc = (rs: string) =>
    `IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\nTCP  0AC80132:0050 rr  \n${rs}`;
  const ok = (text: string) => ({ status: 'ok' as const, command: 'cat /proc/net/ip_vs', text });
  const rs = (hex: string, w: number) => `  -> ${hex}:1F90      Masq    ${w}      0          0         \n`;

  it('holds when the weighted real servers equal the endpoints', () => {
    const s = ok(proc(rs('0A0A0102', 1) + rs('0A0A0202', 1) + rs('0A0A0302', 0)));
    expect(ipvsProgrammed(s, '10.200.1.50', 80, ['10.10.2.2', '10.10.1.2'], 8080).done).toBe(true);
  });

  it('reports what it saw otherwise', () => {
    const s = ok(proc(rs('0A0A0102', 1)));
    expect(ipvsProgrammed(s, '10.200.1.50', 80, ['10.10.1.2', '10.10.2.2'], 8080)).toMatchObject({
      done: false,
      state: 'TCP 10.200.1.50:80 real servers [10.10.1.2:8080], want [10.10.1.2:8080, 10.10.2.2:8080]',
    });
    expect(ipvsProgrammed(s, '10.200.1.51', 80, [], 8080).state).toBe('no virtual server TCP 10.200.1.51:80');
    expect(
      ipvsProgrammed({ status: 'absent', command: 'c', reason: 'exit 1: no file' }, 'x', 1, [], 1).state,
    ).toMatch(/absent: exit 1/);
  });
});
