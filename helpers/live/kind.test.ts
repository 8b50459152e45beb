import { describe, expect, it } from 'vitest';
import { dockerArgv } from './docker.ts';
import { classifyCreateFailure, KindCli, kindArgv, parseClusterList, parseKindVersion } from './kind.ts';
import type { Runner } from './process.ts';

describe('kind argv', () => {
  it('creates with name, config, image, no wait, a private kubeconfig and retain', () => {
    expect(
      kindArgv.createCluster({
        name: 'ipvs-conformance',
        configPath: 'kind/cluster-ipvs.yaml',
        image: 'kindest/node:v1.31.0@sha256:x',
        kubeconfigPath: '/tmp/k/kubeconfig',
        retain: true,
      }),
    ).toEqual([
      'kind',
      'create',
      'cluster',
      '--name',
      'ipvs-conformance',
      '--config',
      'kind/cluster-ipvs.yaml',
      '--image',
      'kindest/node:v1.31.0@sha256:x',
      '--wait',
      '0s',
      '--kubeconfig',
      '/tmp/k/kubeconfig',
      '--retain',
    ]);
  });

  it('builds the other calls', () => {
    expect(kindArgv.version()).toEqual(['kind', 'version']);
    expect(kindArgv.getClusters()).toEqual(['kind', 'get', 'clusters']);
    expect(kindArgv.getKubeconfig('c')).toEqual(['kind', 'get', 'kubeconfig', '--name', 'c']);
    expect(kindArgv.exportLogs('c', 'reports/kind-logs')).toEqual([
      'kind',
      'export',
      'logs',
      'reports/kind-logs',
      '--name',
      'c',
    ]);
    expect(kindArgv.deleteCluster('c', null)).toEqual(['kind', 'delete', 'cluster', '--name', 'c']);
    expect(kindArgv.deleteCluster('c', '/tmp/k')).toEqual([
      'kind',
      'delete',
      'cluster',
      '--name',
      'c',
      '--kubeconfig',
      '/tmp/k',
    ]);
    expect(dockerArgv.info()).toEqual(['docker', 'info', '--format', '{{.ServerVersion}}']);
    expect(dockerArgv.exec('n1', 'echo hi')).toEqual(['docker', 'exec', 'n1', 'sh', '-c', 'echo hi']);
  });
});

describe('parseKindVersion', () => {
  it.each([
    ['kind v0.24.0 go1.22.6 linux/amd64\n', 'v0.24.0'],
    ['kind v0.33.0-alpha.12+fed268822aa2bd go1.24.2 darwin/arm64', 'v0.33.0-alpha.12+fed268822aa2bd'],
  ])('reads %j', (out, v) => {
    expect(parseKindVersion(out)).toBe(v);
  });

  it('refuses anything else', () => {
    expect(() => parseKindVersion('v0.24.0')).toThrow(/expected "kind vX.Y.Z ..."/);
  });
});

describe('parseClusterList', () => {
  it('lists names and nothing for an empty answer', () => {
    expect(parseClusterList('ipvs-conformance\nkind\n')).toEqual(['ipvs-conformance', 'kind']);
    expect(parseClusterList('')).toEqual([]);
  });
});

describe('classifyCreateFailure', () => {
  const kindOutput = [
    'ERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged',
    'ipvs-conformance-control-plane kubeadm init --config=/kind/kubeadm.conf --skip-token-print --v=6" failed with error: exit status 1',
    'Command Output: I0101 00:00:00 initconfiguration.go:260] loading configuration from "/kind/kubeadm.conf"',
    '[kubelet-check] The kubelet is not healthy after 4m0s',
  ].join('\n');

  it('finds a removed gate in the kubelet log', () => {
    const kubelet =
      'kubelet[312]: E0101 run.go:72] "command failed" err="failed to set feature gates from initial flags-based config: unrecognized feature gate: MultiCIDRServiceAllocator"';
    const cause = classifyCreateFailure([kindOutput, kubelet], 'v1.36.1');
    expect(cause).toMatchObject({ kind: 'feature-gate-unrecognised', gate: 'MultiCIDRServiceAllocator' });
    expect(cause?.message).toMatch(/^feature gate MultiCIDRServiceAllocator not recognised by v1\.36\.1/);
  });

  it('finds a locked gate', () => {
    const log =
      'Error: invalid argument "InPlacePodVerticalScaling=false" for "--feature-gates" flag: cannot set feature gate InPlacePodVerticalScaling to false, feature is locked to true';
    const cause = classifyCreateFailure([log], 'v1.35.0');
    expect(cause).toMatchObject({
      kind: 'feature-gate-locked',
      gate: 'InPlacePodVerticalScaling',
      lockedTo: 'true',
    });
    expect(cause?.message).toMatch(/^feature gate InPlacePodVerticalScaling is locked to true in v1\.35\.0/);
  });

  it('returns null for an unrelated failure', () => {
    expect(classifyCreateFailure([kindOutput, 'no space left on device'], 'v1.31.0')).toBeNull();
  });
});

describe('KindCli', () => {
  it('passes a timeout on every call and parses the answers', async () => {
    const calls: { argv: readonly string[]; timeoutMs: number }[] = [];
    const run: Runner = async (argv, o) => {
      calls.push({ argv, timeoutMs: o.timeoutMs });
      const out = argv[1] === 'version' ? 'kind v0.24.0 go1.22.6 linux/amd64\n' : 'a\nb\n';
      return { stdout: out, stderr: '', exitCode: 0 };
    };
    const kind = new KindCli(run);
    expect(await kind.version()).toBe('v0.24.0');
    expect(await kind.clusters()).toEqual(['a', 'b']);
    expect(calls.every((c) => c.timeoutMs > 0)).toBe(true);
  });
});
