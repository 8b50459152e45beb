import { describe, expect, it } from 'vitest';
import { renderDrift } from '../helpers/bundle/diff.ts';
import { parseBundle } from '../helpers/bundle/load.ts';
import type { Bundle } from '../helpers/bundle/types.ts';
import { renderModelBundle } from './model/index.ts';
import { getMutant } from './mutants/catalogue.ts';

const model = renderModelBundle();
const names = { a: 'before.json', b: 'after.json' };

function mutant(name: string): Bundle {
  const m = getMutant(name);
  if (!m) throw new Error(`no mutant ${name}`);
  return m.apply(model);
}

/** The same cluster as another run would record it: other pod names, pod IPs and node IPs. */
function anotherRun(b: Bundle): Bundle {
  const text = JSON.stringify(b)
    .replaceAll('echo-7d9f8b6c5d-x4k2m', 'echo-5c8f7d9b4-bcdfg')
    .replace(/10\.10\.4\.2(?!\d)/g, '10.10.4.9')
    .replaceAll('0A0A0402', '0A0A0409')
    .replaceAll('172.18.0.3', '172.18.0.7')
    .replaceAll('AC120003', 'AC120007');
  return parseBundle(text);
}

describe('renderDrift', () => {
  it('says there is no drift between a bundle and itself', () => {
    const md = renderDrift(model, model, names);
    expect(md).toContain('No data-plane drift');
    expect(md).not.toContain('## Snapshot');
  });

  it('shows no drift between two runs that differ only in generated names and addresses', () => {
    const other = anotherRun(model);
    expect(JSON.stringify(other)).not.toEqual(JSON.stringify(model));
    expect(renderDrift(model, other, names)).toContain('No data-plane drift');
  });

  it('shows a removed rule under its table and chain, on the node it changed', () => {
    const md = renderDrift(model, mutant('nodeport-jump-missing'), names);
    expect(md).toContain('### worker\n');
    expect(md).toContain(
      '- rules changed in `ipv4 nat/KUBE-SERVICES`:\n  - `- -A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT`',
    );
    expect(md).not.toContain('### worker2');
  });

  it('shows sysctl and kube-proxy configuration changes', () => {
    const md = renderDrift(model, mutant('strict-arp-off'), names);
    expect(md).toContain('```diff\n-  strictARP: true\n+  strictARP: false\n```');
    expect(md).toContain('- sysctl `net.ipv4.conf.all.arp_ignore`: 1 → 0');
  });

  it('shows version changes as a table', () => {
    expect(renderDrift(model, mutant('server-version-mismatch'), names)).toContain(
      '| serverVersion | `v1.31.0` | `v1.30.4` |',
    );
  });

  it('names a lingering real server after the pod it belonged to, with symbolic addresses', () => {
    const md = renderDrift(model, mutant('scale-down-not-reflected'), names);
    expect(md).toContain(
      '- IPVS `TCP <svc:ipvs-conformance/echo-clusterip>:80` real servers: +`<pod:echo@worker2>:8080 Masq weight 1`',
    );
  });

  it('shows IPVS flag changes', () => {
    expect(renderDrift(model, mutant('scheduler-wlc'), names)).toMatch(
      /IPVS `TCP [^`]+` flags: `rr` → `wlc`/,
    );
  });
});
