import type { NodeState } from '../bundle/node-state.ts';
import { type Finding, finding, need, nodeSubject } from './findings.ts';

/** kube-proxy's `/proxyMode` answers `expected` (a silent fallback to iptables must fail loudly). */
export function checkProxyMode(node: NodeState, expected = 'ipvs'): Finding[] {
  const s = need(node, 'proxyMode', 'proxy-mode');
  if (!s.ok) return [s.finding];
  if (s.value === expected) return [];
  const shown = s.value === '' ? '(empty body)' : s.value;
  return [
    finding(
      'proxy-mode',
      nodeSubject(node, '/proxyMode'),
      `kube-proxy runs ${shown}, not ${expected}`,
      expected,
      shown,
    ),
  ];
}
