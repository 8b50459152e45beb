import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { splitFixture } from '../parse/fixture-file.ts';
import { judgeKubeProxyConfig, readKubeProxyConfig } from './kube-proxy-config.ts';

const conf = (ipvs: string, mode = 'ipvs'): string =>
  `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ${mode}\nipvs:\n${ipvs}\n`;

describe('judgeKubeProxyConfig', () => {
  it('passes on mode ipvs with strictARP true, reading an empty scheduler as rr', () => {
    expect(
      judgeKubeProxyConfig(conf('  strictARP: true\n  scheduler: ""'), { mode: 'ipvs', strictARP: true }),
    ).toEqual([]);
    expect(readKubeProxyConfig(conf('  scheduler: ""')).scheduler).toBe('rr');
  });

  it('finds strictARP false and unset', () => {
    const off = judgeKubeProxyConfig(conf('  strictARP: false'), { mode: 'ipvs', strictARP: true });
    expect(off.map((f) => [f.check, f.observed])).toEqual([['strict-arp-config', 'ipvs.strictARP: false']]);
    const unset = judgeKubeProxyConfig(conf('  scheduler: rr'), { mode: 'ipvs', strictARP: true });
    expect(unset[0]?.observed).toBe('ipvs.strictARP: (unset: false)');
  });

  it('finds the iptables mode ConfigMap of the contrast capture', () => {
    const f = judgeKubeProxyConfig(conf('  strictARP: false', 'iptables'), { mode: 'ipvs', strictARP: true });
    expect(f.map((x) => x.check)).toEqual(['kube-proxy-mode-config', 'strict-arp-config']);
  });

  it('reports an absent or unreadable ConfigMap instead of throwing', () => {
    expect(judgeKubeProxyConfig(null, { mode: 'ipvs', strictARP: true })[0]?.observed).toBe('absent');
    expect(judgeKubeProxyConfig('kind: Pod', { mode: 'ipvs', strictARP: true })[0]?.message).toMatch(
      /not a KubeProxyConfiguration: kind/,
    );
  });

  it('reads the ipvs section of the real KANS capture (strictARP true, scheduler empty)', () => {
    const file = new URL('./__fixtures__/kube-proxy-configmap.kans-ipvs.txt', import.meta.url);
    const { body } = splitFixture(readFileSync(file, 'utf8'));
    // A `kubectl describe` excerpt: drop the author's `...` elisions (a YAML document end); `#` notes are YAML comments.
    const yaml = body
      .split('\n')
      .filter((l) => l.trim() !== '...')
      .join('\n');
    const view = readKubeProxyConfig(`kind: KubeProxyConfiguration\n${yaml}`);
    expect([view.mode, view.strictARP, view.scheduler]).toEqual(['ipvs', true, 'rr']);
  });
});
