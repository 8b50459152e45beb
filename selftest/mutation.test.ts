import { describe, expect, it } from 'vitest';
import type { Mutant } from './mutants/catalogue.ts';
import { classify } from './mutation.ts';
import type { TestOutcome, VitestRun } from './vitest-run.ts';

const mutant: Mutant = {
  name: 'strict-arp-off',
  description: 'test mutant',
  expectFailing: {
    file: 'suites/strict-arp.test.ts',
    test: 'the kube-proxy ConfigMap sets ipvs.strictARP to true',
  },
  alsoFails: [],
  expectMessage: /strictARP/,
  apply: (b) => b,
};

const outcome = (
  status: TestOutcome['status'],
  message = '',
  title = mutant.expectFailing.test,
): TestOutcome => ({
  file: mutant.expectFailing.file,
  title,
  fullTitle: `strictARP > ${title}`,
  status,
  failureMessages: message ? [message] : [],
});
const run = (...outcomes: TestOutcome[]): VitestRun => ({ outcomes, runErrors: [], exitCode: 1, ms: 1 });

describe('classify', () => {
  it('counts a mutant as caught when its named test failed saying what was injected', () => {
    const r = classify(
      mutant,
      run(outcome('failed', 'AssertionError: ipvs.strictARP: false'), outcome('failed', 'x', 'other')),
    );
    expect([r.caught, r.alsoFailed]).toEqual([true, ['suites/strict-arp.test.ts > strictARP > other']]);
  });

  it('does not count a failure of the named test for another reason', () => {
    const r = classify(mutant, run(outcome('failed', 'BundleError: the bundle has no initial snapshot')));
    expect(r.caught).toBe(false);
    expect(r.why).toContain('failed for another reason');
  });

  it('does not count a mutant whose named test passed, or did not run at all', () => {
    expect(classify(mutant, run(outcome('passed'))).why).toBe(
      '"suites/strict-arp.test.ts > the kube-proxy ConfigMap sets ipvs.strictARP to true" passed',
    );
    expect(classify(mutant, run(outcome('failed', 'strictARP', 'renamed test'))).why).toMatch(
      /^no test named/,
    );
  });
});
