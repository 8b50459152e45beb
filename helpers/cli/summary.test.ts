import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BUNDLE_FORMAT_VERSION, type Bundle, type TrafficSample } from '../bundle/types.ts';
import {
  collectSummaryInput,
  formatDuration,
  histogramsFromTraffic,
  parseJunitSuites,
  parseSummaryArgs,
  renderStepSummary,
  runSummary,
} from './summary.ts';

// Shape of vitest 4.1's junit reporter output (reports/junit.xml of a local unit run), trimmed.
const JUNIT = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="9" failures="2" errors="1" time="5.8">
    <testsuite name="suites/00-preflight.test.ts" timestamp="2026-12-01T08:45:09.520Z" hostname="vm" tests="6" failures="1" errors="1" skipped="1" time="1.2">
        <testcase classname="suites/00-preflight.test.ts" name="preflight &gt; the live run completed every stage" time="0.003">
        </testcase>
    </testsuite>
    <testsuite name="suites/a&amp;b &quot;quoted&quot;.test.ts" timestamp="2026-12-01T08:45:09.520Z" hostname="vm" tests="3" failures="1" errors="0" skipped="0" time="0.5">
    </testsuite>
</testsuites>
`;

const sample = (answers: (string | null)[]): TrafficSample => ({
  kind: 'clusterip',
  fromNode: 'kind-worker',
  client: 'client-kind-worker',
  service: 'kind-ipvs/echo-clusterip',
  target: '10.200.1.50:80',
  answers,
  errors: [],
});

const bundle: Bundle = {
  formatVersion: BUNDLE_FORMAT_VERSION,
  source: 'model',
  createdAt: '2026-12-01T08:00:00.000Z',
  requested: {
    kindConfig: 'kind: Cluster\n',
    kindVersion: 'v0.24.0',
    nodeImage: 'kindest/node:v1.31.0',
    namespace: 'kind-ipvs',
  },
  fingerprint: {
    kindVersion: 'v0.24.0',
    nodeImage: 'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865',
    serverVersion: 'v1.31.0',
    kubeProxyImage: 'registry.k8s.io/kube-proxy:v1.31.0',
    kernel: '6.8.0-1017-azure',
    kubeProxyConfig: 'mode: ipvs\nipvs:\n  strictARP: true\n',
  },
  snapshots: [],
  traffic: [sample(['echo-b', 'echo-a', 'echo-b', null])],
  timings: [
    { stage: 'create', ms: 65_400 },
    { stage: 'traffic', ms: 850 },
  ],
  counters: { execs: 12, apiCalls: 34 },
  failure: null,
};

describe('parseJunitSuites', () => {
  test('reads per-file counts, errors count as failed, entities are decoded', () => {
    expect(parseJunitSuites(JUNIT)).toEqual([
      { name: 'suites/00-preflight.test.ts', passed: 3, failed: 2, skipped: 1 },
      { name: 'suites/a&b "quoted".test.ts', passed: 2, failed: 1, skipped: 0 },
    ]);
  });

  test('the <testsuites> wrapper is not mistaken for a suite; no suites gives an empty list', () => {
    expect(parseJunitSuites('<testsuites name="x" tests="0"></testsuites>')).toEqual([]);
  });

  test('impossible counts are refused with the suite named', () => {
    expect(() => parseJunitSuites('<testsuite name="s" tests="1" failures="2">')).toThrow(
      'junit: <testsuite name="s"> counts 2 failed + 0 skipped of 1 tests',
    );
    expect(() => parseJunitSuites('<testsuite name="s" tests="x">')).toThrow(
      'has tests="x", expected a count',
    );
  });
});

describe('formatDuration', () => {
  test.for([
    [850, '850 ms'],
    [1234, '1.2 s'],
    [65_400, '1 min 5 s'],
  ] as const)('%d ms -> %s', ([ms, text]) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('histogramsFromTraffic', () => {
  test('counts answers per backend in name order, failed requests included, bars scaled to the largest', () => {
    expect(histogramsFromTraffic([sample(['echo-b', 'echo-a', 'echo-b', null])])).toEqual([
      {
        title: 'clusterip from kind-worker (client-kind-worker) to 10.200.1.50:80: 4 requests',
        text: [
          `(failed)     1  ${'#'.repeat(15)}`,
          `echo-a       1  ${'#'.repeat(15)}`,
          `echo-b       2  ${'#'.repeat(30)}`,
        ].join('\n'),
      },
    ]);
  });

  test('a sample without requests says so', () => {
    expect(histogramsFromTraffic([sample([])])[0]?.text).toBe('(no requests)');
  });
});

describe('renderStepSummary', () => {
  const suites = [{ name: 'suites/layout.test.ts', passed: 5, failed: 0, skipped: 0 }];

  test('a green run: headline, cluster table, suites, stages, histograms', () => {
    const md = renderStepSummary({
      fingerprint: bundle.fingerprint,
      timings: bundle.timings,
      counters: bundle.counters,
      suites,
      histograms: [{ title: 'clusterip <from> kind-worker', text: 'echo-a 1' }],
    });
    expect(md).toContain('## kind IPVS conformance: passed (kindest/node:v1.31.0)\n');
    expect(md).toContain('**5 passed, 0 failed, 0 skipped** in 1 suite files');
    expect(md).toContain('| kube-proxy mode | `ipvs` |');
    expect(md).toContain('| `suites/layout.test.ts` | 5 | 0 | 0 |');
    expect(md).toContain('| create | 1 min 5 s |');
    expect(md).toContain('12 node execs, 34 API calls');
    expect(md).toContain('<summary>clusterip &lt;from&gt; kind-worker</summary>\n\n```text\necho-a 1\n```');
    expect(md).not.toContain('Drift');
  });

  test('a failed suite, a live-run failure and the drift section make it FAILED', () => {
    const md = renderStepSummary({
      fingerprint: null,
      timings: [],
      counters: null,
      suites: [{ name: 'suites/a|b.test.ts', passed: 1, failed: 1, skipped: 0 }],
      histograms: [],
      failure: { stage: 'create', message: 'Cluster creation failed: kind exited 1\nline two' },
      drift: '\n- KUBE-NODE-PORT-TCP lost 30001\n',
    });
    expect(md).toContain('## kind IPVS conformance: FAILED (unknown node image)');
    expect(md).toContain('| `suites/a\\|b.test.ts` :x: | 1 | 1 | 0 |');
    expect(md).toContain(
      '> **The live run stopped at stage `create`:** Cluster creation failed: kind exited 1 line two',
    );
    expect(md).toContain('### Drift vs baseline\n\n- KUBE-NODE-PORT-TCP lost 30001\n');
    expect(md).not.toContain('### Cluster');
  });

  test('no suites at all is not green', () => {
    const md = renderStepSummary({
      fingerprint: null,
      timings: [],
      counters: null,
      suites: [],
      histograms: [],
    });
    expect(md).toContain('FAILED');
    expect(md).toContain('**0 passed, 0 failed, 0 skipped** in 0 suite files');
  });
});

describe('CLI', () => {
  test('arguments: defaults, overrides, GITHUB_STEP_SUMMARY, and a usage error', () => {
    expect(parseSummaryArgs([], {})).toEqual({ junit: 'reports/junit.xml', bundle: 'reports/bundle.json' });
    expect(
      parseSummaryArgs(['--bundle', 'b.json', '--drift', 'd.md'], { GITHUB_STEP_SUMMARY: '/s' }),
    ).toEqual({
      junit: 'reports/junit.xml',
      bundle: 'b.json',
      drift: 'd.md',
      stepSummary: '/s',
    });
    expect(() => parseSummaryArgs(['--bundel', 'x'], {})).toThrow(/unexpected argument "--bundel"\nusage:/);
    expect(() => parseSummaryArgs(['--junit'], {})).toThrow(/unexpected argument "--junit"/);
  });

  test('reads junit + bundle and appends to the step summary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-'));
    writeFileSync(join(dir, 'junit.xml'), JUNIT);
    writeFileSync(join(dir, 'bundle.json'), JSON.stringify(bundle));
    writeFileSync(join(dir, 'summary.md'), 'earlier step\n');
    const md = runSummary({
      junit: join(dir, 'junit.xml'),
      bundle: join(dir, 'bundle.json'),
      stepSummary: join(dir, 'summary.md'),
    });
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toBe(`earlier step\n${md}`);
    expect(md).toContain('**5 passed, 3 failed, 1 skipped** in 2 suite files');
    expect(md).toContain('| server version | `v1.31.0` |');
    expect(md).toContain('echo-b       2');
  });

  test('missing or broken inputs become notes instead of crashing the summary step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-'));
    writeFileSync(join(dir, 'bundle.json'), JSON.stringify({ ...bundle, formatVersion: 99 }));
    const input = collectSummaryInput({ junit: join(dir, 'none.xml'), bundle: join(dir, 'bundle.json') });
    expect(input.suites).toEqual([]);
    expect(input.fingerprint).toBeNull();
    expect(input.notes).toEqual([
      `No JUnit report at ${join(dir, 'none.xml')}: vitest did not get to write it (see the job log).`,
      expect.stringContaining('Could not read the bundle: ') as unknown as string,
    ]);
    expect(input.notes?.[1]).toContain('unknown bundle format version 99');
  });
});
