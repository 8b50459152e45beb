import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle } from '../helpers/bundle/types.ts';
import { renderModelBundle } from './model/index.ts';
import { MUTANTS, type Mutant } from './mutants/catalogue.ts';
import { runVitest, type TestOutcome, type VitestRun } from './vitest-run.ts';

/** The verdict of the suites on one mutant. */
export interface MutantResult {
  readonly mutant: Mutant;
  /** The named test failed on this mutant. */
  readonly caught: boolean;
  /** Why it was not caught, when it was not. */
  readonly why: string | null;
  /** Other tests that failed too (a mutant should be minimal; these are listed, not judged). */
  readonly alsoFailed: readonly string[];
}

export interface MutationReport {
  readonly model: {
    readonly passed: number;
    readonly failed: readonly TestOutcome[];
    readonly runErrors: readonly string[];
  };
  readonly results: readonly MutantResult[];
  readonly ms: { readonly model: number; readonly mutants: number };
}

const REPLAY_TIMEOUT_MS = 120_000;

async function judge(bundle: Bundle, dir: string, name: string, cwd: string): Promise<VitestRun> {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(bundle));
  return runVitest({
    project: 'conformance',
    cwd,
    env: { KIND_IPVS_BUNDLE: path },
    timeoutMs: REPLAY_TIMEOUT_MS,
  });
}

/** Whether `outcome` is the test a mutant names. */
export function isNamedTest(outcome: TestOutcome, expect: Mutant['expectFailing']): boolean {
  return outcome.file === expect.file && outcome.title === expect.test;
}

/** Classifies one mutant run: caught only if its named test exists and failed. */
export function classify(mutant: Mutant, run: VitestRun): MutantResult {
  const named = run.outcomes.find((o) => isNamedTest(o, mutant.expectFailing));
  const alsoFailed = run.outcomes
    .filter((o) => o.status === 'failed' && !isNamedTest(o, mutant.expectFailing))
    .map((o) => `${o.file} > ${o.fullTitle}`);
  const target = `${mutant.expectFailing.file} > ${mutant.expectFailing.test}`;
  if (!named) {
    const why = run.runErrors.length > 0 ? `run error: ${run.runErrors[0]}` : `no test named "${target}" ran`;
    return { mutant, caught: false, why, alsoFailed };
  }
  if (named.status !== 'failed') {
    return { mutant, caught: false, why: `"${target}" ${named.status}`, alsoFailed };
  }
  const said = named.failureMessages.join('\n');
  if (mutant.expectMessage && !mutant.expectMessage.test(said)) {
    const first = said.split('\n')[0] ?? '';
    return {
      mutant,
      caught: false,
      why: `"${target}" failed for another reason: expected a message matching ${mutant.expectMessage}, got: ${first}`,
      alsoFailed,
    };
  }
  return { mutant, caught: true, why: null, alsoFailed };
}

/** Runs `items` through `work` with at most `limit` in flight, keeping input order in the result. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * The mutation proof: the suites must pass on the model bundle and fail each mutant on the test
 * named for it. Each bundle is judged by the real conformance project in its own vitest process.
 */
export async function runMutation(opts: {
  readonly cwd: string;
  readonly only?: readonly string[];
  readonly onResult?: (r: MutantResult) => void;
}): Promise<MutationReport> {
  const dir = mkdtempSync(join(tmpdir(), 'kind-ipvs-mutants-'));
  try {
    const model = renderModelBundle();
    const t0 = performance.now();
    const modelRun = await judge(model, dir, 'model', opts.cwd);
    const t1 = performance.now();
    const chosen = opts.only ? MUTANTS.filter((m) => opts.only?.includes(m.name)) : MUTANTS;
    const results = await pool(chosen, Math.max(1, availableParallelism()), async (mutant) => {
      const result = classify(mutant, await judge(mutant.apply(model), dir, mutant.name, opts.cwd));
      opts.onResult?.(result);
      return result;
    });
    return {
      model: {
        passed: modelRun.outcomes.filter((o) => o.status === 'passed').length,
        failed: modelRun.outcomes.filter((o) => o.status !== 'passed'),
        runErrors: modelRun.runErrors,
      },
      results,
      ms: { model: t1 - t0, mutants: performance.now() - t1 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per mutant, for humans and CI logs. */
export function formatResult(r: MutantResult): string {
  const target = `${r.mutant.expectFailing.file} > ${r.mutant.expectFailing.test}`;
  const verdict = r.caught ? 'killed  ' : 'SURVIVED';
  const extra = r.caught
    ? r.alsoFailed.length > 0
      ? ` (also failed: ${r.alsoFailed.length})`
      : ''
    : ` -- ${r.why ?? ''}`;
  return `${verdict} ${r.mutant.name.padEnd(34)} ${target}${extra}`;
}
