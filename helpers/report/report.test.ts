import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnvInfo } from 'allure-js-commons/sdk/reporter';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Fingerprint } from '../bundle/types.ts';
import {
  allureResultsDir,
  artifactsRoot,
  attachHistogram,
  attachText,
  environment,
  environmentEntries,
  OUTSIDE_TEST_DIR,
  safeName,
  step,
} from './report.ts';

const fingerprint: Fingerprint = {
  kindVersion: 'v0.24.0',
  nodeImage: 'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865',
  serverVersion: 'v1.31.0',
  kubeProxyImage: 'registry.k8s.io/kube-proxy:v1.31.0',
  kernel: '6.8.0-1017-azure',
  // Shape from shared/captures/15_kans-kind-ipvs-kube-proxy-configmap-ipvs-section.txt.
  kubeProxyConfig:
    'mode: ipvs\nipvs:\n  excludeCIDRs: null\n  scheduler: ""\n  strictARP: true\n  syncPeriod: 0s\n',
};

describe('safeName', () => {
  test.for([
    ['preflight > the live run completed every stage', 'preflight - the live run completed every stage'],
    ['a/b\\c:d*e?f"g<h>i|j', 'a_b_c_d_e_f_g_h_i_j'],
    ['..hidden', '_hidden'],
    ['  spaced\t\nout  ', 'spaced out'],
    ['', '_'],
    ['\u0000', '_'],
  ] as const)('%j -> %j', ([input, expected]) => {
    expect(safeName(input)).toBe(expected);
  });

  test('caps long names', () => {
    expect(safeName('x'.repeat(500))).toHaveLength(120);
    expect(safeName('y'.repeat(500), 10)).toBe('y'.repeat(10));
  });
});

describe('artifactsRoot and allureResultsDir', () => {
  test('default, override and off', () => {
    expect(artifactsRoot({})).toBe('reports/artifacts');
    expect(artifactsRoot({ KIND_IPVS_ARTIFACTS: '/tmp/a' })).toBe('/tmp/a');
    expect(artifactsRoot({ KIND_IPVS_ARTIFACTS: 'off' })).toBeNull();
    expect(artifactsRoot({ KIND_IPVS_ARTIFACTS: '' })).toBeNull();
    expect(allureResultsDir({})).toBe('reports/allure-results');
    expect(allureResultsDir({ KIND_IPVS_ALLURE_RESULTS: '/r' })).toBe('/r');
  });
});

describe('environmentEntries', () => {
  test('shows versions and the mode and strictARP lines of the kube-proxy config', () => {
    expect(environmentEntries(fingerprint)).toEqual({
      'kind version': 'v0.24.0',
      'node image': fingerprint.nodeImage,
      'server version': 'v1.31.0',
      'kube-proxy image': 'registry.k8s.io/kube-proxy:v1.31.0',
      kernel: '6.8.0-1017-azure',
      'kube-proxy mode': 'ipvs',
      'ipvs.strictARP': 'true',
    });
  });

  test('an empty mode says it means the platform default; absent lines are left out', () => {
    const empty = environmentEntries({ ...fingerprint, kubeProxyConfig: 'mode: ""\n' });
    expect(empty['kube-proxy mode']).toBe('(empty: platform default)');
    expect(empty).not.toHaveProperty('ipvs.strictARP');
    const none = environmentEntries({ ...fingerprint, kubeProxyConfig: '' });
    expect(none).not.toHaveProperty('kube-proxy mode');
  });

  test('a nested mode key (e.g. under another section) is not mistaken for the proxy mode', () => {
    expect(
      environmentEntries({ ...fingerprint, kubeProxyConfig: 'x:\n  mode: iptables\n' }),
    ).not.toHaveProperty('kube-proxy mode');
  });
});

describe('environment', () => {
  test('writes environment.properties that Allure parses back to the same entries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allure-env-'));
    const path = await environment(fingerprint, join(dir, 'nested'));
    expect(path).toBe(join(dir, 'nested', 'environment.properties'));
    expect(parseEnvInfo(readFileSync(path, 'utf8'))).toEqual(environmentEntries(fingerprint));
  });
});

describe('inside a vitest test', () => {
  let dir: string;
  let previous: string | undefined;
  beforeEach(() => {
    previous = process.env.KIND_IPVS_ARTIFACTS;
    dir = mkdtempSync(join(tmpdir(), 'artifacts-'));
    process.env.KIND_IPVS_ARTIFACTS = dir;
  });
  afterEach(() => {
    if (previous === undefined) delete process.env.KIND_IPVS_ARTIFACTS;
    else process.env.KIND_IPVS_ARTIFACTS = previous;
  });

  test('attachments are mirrored under the test name, repeated names get a suffix', async () => {
    await attachText('ipvsadm -Ln', 'TCP  10.200.1.1:443 rr\n');
    await attachText('ipvsadm -Ln', 'second\n');
    await attachHistogram('spread from kind-worker', {
      histogram: { 'echo-a': 3, 'echo-b': 3 },
      text: 'a 3\nb 3\n',
    });
    const testDir = join(
      dir,
      'inside a vitest test - attachments are mirrored under the test name, repeated names get a suffix',
    );
    expect(readdirSync(testDir).sort()).toEqual([
      'ipvsadm -Ln-2.txt',
      'ipvsadm -Ln.txt',
      'spread from kind-worker (counts).json',
      'spread from kind-worker.txt',
    ]);
    expect(readFileSync(join(testDir, 'ipvsadm -Ln.txt'), 'utf8')).toBe('TCP  10.200.1.1:443 rr\n');
    expect(JSON.parse(readFileSync(join(testDir, 'spread from kind-worker (counts).json'), 'utf8'))).toEqual({
      'echo-a': 3,
      'echo-b': 3,
    });
  });

  test('the mirror can be turned off', async () => {
    process.env.KIND_IPVS_ARTIFACTS = 'off';
    await attachText('nothing', 'x');
    expect(readdirSync(dir)).toEqual([]);
  });

  test('step returns the body value and rethrows its error', async () => {
    expect(await step('sync body', () => 41 + 1)).toBe(42);
    expect(await step('async body', async () => 'ok')).toBe('ok');
    await expect(
      step('failing body', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});

describe('outside vitest', () => {
  test('every façade call works in a plain script without throwing or warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outside-'));
    const reportModule = fileURLToPath(new URL('./report.ts', import.meta.url));
    const script = join(dir, 'script.mts');
    writeFileSync(
      script,
      `import * as r from ${JSON.stringify(reportModule)};
await r.labels({ epic: 'kube-proxy', feature: 'IPVS', story: 'ClusterIP', tags: ['ipvs'] });
await r.parameter('node', 'kind-worker');
const v = await r.step('outer', () => r.step('inner', async () => 7));
await r.attachText('text', 'hello');
await r.attachJson('json', { a: 1 });
await r.attachHistogram('hist', { histogram: { a: 1 }, text: 'a 1' });
await r.environment(${JSON.stringify(fingerprint)}, 'results');
console.log('step value', v);
`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, KIND_IPVS_ARTIFACTS: 'artifacts' };
    for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
    delete env.NODE_OPTIONS;
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    const result = spawnSync(process.execPath, [tsxCli, script], { env, encoding: 'utf8', cwd: dir });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: 'step value 7\n',
      stderr: '',
    });
    expect(readdirSync(join(dir, 'artifacts', OUTSIDE_TEST_DIR)).sort()).toEqual([
      'hist (counts).json',
      'hist.txt',
      'json.json',
      'text.txt',
    ]);
    expect(readdirSync(join(dir, 'results'))).toEqual(['environment.properties']);
  });
});
