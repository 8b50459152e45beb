import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** One test's outcome as vitest's JSON reporter states it. */
export interface TestOutcome {
  /** Repository-relative path of the test file, e.g. `suites/strict-arp.test.ts`. */
  readonly file: string;
  /** `describe > test` titles joined with ' > '. */
  readonly fullTitle: string;
  readonly title: string;
  readonly status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
  readonly failureMessages: readonly string[];
}

export interface VitestRun {
  readonly outcomes: readonly TestOutcome[];
  /** Whole-run problems vitest reported outside any test (collection errors, global setup errors). */
  readonly runErrors: readonly string[];
  readonly exitCode: number;
  readonly ms: number;
}

interface JsonReport {
  readonly testResults: readonly {
    readonly name: string;
    readonly message?: string;
    readonly status?: string;
    readonly assertionResults: readonly {
      readonly ancestorTitles: readonly string[];
      readonly title: string;
      readonly status: TestOutcome['status'];
      readonly failureMessages: readonly string[] | null;
    }[];
  }[];
}

/** Why a JSON report could not be had, with vitest's own output tail so the cause is visible. */
export class VitestRunError extends Error {
  override readonly name = 'VitestRunError';
}

/** Runs one vitest project in a child process with the JSON reporter and returns every test's outcome. */
export async function runVitest(opts: {
  readonly project: 'unit' | 'conformance';
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly timeoutMs: number;
}): Promise<VitestRun> {
  const dir = mkdtempSync(join(tmpdir(), 'kind-ipvs-vitest-'));
  const outputFile = join(dir, 'report.json');
  const started = performance.now();
  try {
    const result = await execa(
      join(opts.cwd, 'node_modules', '.bin', 'vitest'),
      ['run', '--project', opts.project, '--reporter=json', `--outputFile=${outputFile}`],
      {
        cwd: opts.cwd,
        env: { ...opts.env, KIND_IPVS_ALLURE_RESULTS: join(dir, 'allure-results'), FORCE_COLOR: '0' },
        reject: false,
        timeout: opts.timeoutMs,
        all: true,
      },
    );
    let report: JsonReport;
    try {
      report = JSON.parse(readFileSync(outputFile, 'utf8')) as JsonReport;
    } catch {
      const tail = (result.all ?? '').split('\n').slice(-30).join('\n');
      throw new VitestRunError(
        `vitest --project ${opts.project} wrote no JSON report (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}):\n${tail}`,
      );
    }
    const prefix = `${opts.cwd}/`;
    const outcomes: TestOutcome[] = [];
    const runErrors: string[] = [];
    for (const file of report.testResults) {
      const rel = file.name.startsWith(prefix) ? file.name.slice(prefix.length) : file.name;
      if (file.status === 'failed' && file.assertionResults.length === 0) {
        runErrors.push(`${rel}: ${file.message ?? 'failed to run'}`);
      }
      for (const a of file.assertionResults) {
        outcomes.push({
          file: rel,
          title: a.title,
          fullTitle: [...a.ancestorTitles, a.title].join(' > '),
          status: a.status,
          failureMessages: a.failureMessages ?? [],
        });
      }
    }
    return { outcomes, runErrors, exitCode: result.exitCode ?? 1, ms: performance.now() - started };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
