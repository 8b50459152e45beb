import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no cluster and runs anywhere; `conformance` judges one observation bundle
// (recorded live by the global setup, or given by KIND_IPVS_BUNDLE) and reports to Allure.
const resultsDir = process.env.KIND_IPVS_ALLURE_RESULTS ?? 'reports/allure-results';
// Allure and JUnit carry conformance verdicts only: a unit run must not mix its tests into the report.
const judging = process.argv.some((a) => a === 'conformance' || a === '--project=conformance');

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['helpers/**/*.test.ts', 'kind/**/*.test.ts', 'selftest/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['suites/**/*.test.ts'],
          globalSetup: ['kind/global-setup.ts'],
          retry: 0,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { concurrent: false },
          // The suites only read one bundle: one worker, one module graph (parsed once) for every file.
          isolate: false,
          fileParallelism: false,
        },
      },
    ],
    reporters: judging
      ? [
          'default',
          ['allure-vitest/reporter', { resultsDir }],
          ['junit', { outputFile: 'reports/junit.xml' }],
        ]
      : ['default'],
  },
});
