import { chiSquaredDistributionTable, errorFunction } from 'simple-statistics';

/**
 * Judges how one client's requests to one virtual server spread over the backends. IPVS `rr`
 * keeps one pointer per virtual server per node, so from one client node with a new connection
 * per request the answers must walk the backends in one fixed order: a strict cycle, not merely
 * "every backend answered" (which is all upstream e2e checks) and not merely even counts
 * (iptables mode's random choice also gives ~1/3 each, shared/captures/23).
 */

/** One bar of the histogram; `expected` is the uniform share (0 for a backend nobody expected). */
export interface HistogramBin {
  /** Backend name, or `(failed)` for requests that got no answer. */
  readonly backend: string;
  readonly observed: number;
  readonly expected: number;
  readonly role: 'expected' | 'unexpected' | 'failed';
}

/** Pearson's chi-square goodness-of-fit of the counts against a uniform spread. */
export interface ChiSquare {
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  /** Upper-tail probability of the statistic. */
  readonly pValue: number;
  readonly significance: number;
  /** Tabulated critical value at `significance` (simple-statistics' table), or null if not tabulated. */
  readonly criticalValue: number | null;
  /** Smallest expected count per backend; below 5 the test is unreliable and the fit is `inconclusive`. */
  readonly minExpected: number;
}

interface VerdictBase {
  readonly total: number;
  readonly failed: number;
  readonly expectedBackends: readonly string[];
  readonly histogram: readonly HistogramBin[];
  /** What was found, with the histogram rendered below it. */
  readonly message: string;
}

/** The verdict of {@link judgeSpread}. */
export type SpreadVerdict =
  | (VerdictBase & {
      readonly kind: 'round-robin';
      /** The cycle as observed, starting with the first answer. */
      readonly order: readonly string[];
    })
  | (VerdictBase & {
      readonly kind: 'random';
      /** `skewed`: uniform rejected at `significance`; `inconclusive`: too few requests for the test. */
      readonly fit: 'uniform-random' | 'skewed' | 'inconclusive';
      readonly chiSquare: ChiSquare;
      /** First request (0-based) that breaks the cycle the first answers started. */
      readonly cycleBreak: {
        readonly index: number;
        readonly expected: string;
        readonly observed: string;
      } | null;
    })
  | (VerdictBase & {
      readonly kind: 'stuck';
      readonly reason: 'no-answers' | 'single-backend' | 'missing-backends' | 'unexpected-backends';
      readonly missing: readonly string[];
      readonly unexpected: readonly string[];
    })
  | (VerdictBase & {
      readonly kind: 'failed-requests';
      /** 0-based indexes of the requests that got no answer. */
      readonly failedIndexes: readonly number[];
    });

export interface SpreadOptions {
  /** Significance of the chi-square test (default 0.01). */
  readonly significance?: number;
}

/** Default significance: a correct random spread is called skewed in 1 run of 100. */
export const DEFAULT_SIGNIFICANCE = 0.01;

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Renders a histogram as a small text bar chart, observed bar and count beside the expected count. */
export function histogramText(histogram: readonly HistogramBin[], width = 40): string {
  if (histogram.length === 0) return '(no requests)';
  const nameWidth = Math.max(7, ...histogram.map((b) => b.backend.length));
  const max = Math.max(1, ...histogram.map((b) => Math.max(b.observed, b.expected)));
  const countWidth = Math.max(8, ...histogram.map((b) => String(b.observed).length));
  const head = `${'backend'.padEnd(nameWidth)}  ${'observed'.padStart(countWidth)}  ${'expected'.padStart(8)}`;
  const lines = histogram.map((b) => {
    const filled = Math.round((b.observed / max) * width);
    // The expected share is marked with `|` on the same scale, so a short or long bar shows at a glance.
    const mark = b.role === 'expected' ? Math.round((b.expected / max) * width) : 0;
    const cells = Array.from({ length: Math.max(filled, mark) }, (_, i) =>
      i === mark - 1 ? '|' : i < filled ? '#' : ' ',
    );
    const note = b.role === 'unexpected' ? '  (unexpected)' : '';
    return `${b.backend.padEnd(nameWidth)}  ${String(b.observed).padStart(countWidth)}  ${fmt(b.expected).padStart(8)}  ${cells.join('')}${note}`;
  });
  return [head, ...lines].join('\n');
}

/** Upper tail of the standard normal distribution. */
function normalTail(z: number): number {
  return 0.5 * (1 - errorFunction(z / Math.SQRT2));
}

/**
 * Upper-tail probability P(X >= x) of a chi-square variable with integer `df`, from the closed
 * forms for even and odd degrees of freedom (no table lookup, so any df works).
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!Number.isInteger(df) || df < 1)
    throw new Error(`degrees of freedom must be a positive integer, got ${df}`);
  if (x <= 0) return 1;
  const half = x / 2;
  if (df % 2 === 0) {
    let term = 1;
    let sum = 1;
    for (let i = 1; i < df / 2; i++) {
      term *= half / i;
      sum += term;
    }
    return Math.min(1, Math.exp(-half) * sum);
  }
  const root = Math.sqrt(x);
  let term = root;
  let sum = df > 1 ? term : 0;
  for (let r = 2; r <= (df - 1) / 2; r++) {
    term *= x / (2 * r - 1);
    sum += term;
  }
  return Math.min(1, 2 * normalTail(root) + Math.sqrt(2 / Math.PI) * Math.exp(-half) * sum);
}

function tabulatedCritical(df: number, significance: number): number | null {
  // Looked up by numeric value: the table's keys are numbers typed as fixed property names.
  const row = Object.entries(chiSquaredDistributionTable).find(([k]) => Number(k) === df)?.[1];
  if (row === undefined) return null;
  return Object.entries(row).find(([k]) => Number(k) === significance)?.[1] ?? null;
}

/** Chi-square goodness-of-fit of `counts` against equal shares. */
export function chiSquareUniform(counts: readonly number[], significance = DEFAULT_SIGNIFICANCE): ChiSquare {
  if (counts.length < 2) throw new Error('a goodness-of-fit test needs at least 2 categories');
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  const statistic = expected === 0 ? 0 : counts.reduce((acc, o) => acc + (o - expected) ** 2 / expected, 0);
  const degreesOfFreedom = counts.length - 1;
  return {
    statistic,
    degreesOfFreedom,
    pValue: chiSquareSurvival(statistic, degreesOfFreedom),
    significance,
    criticalValue: tabulatedCritical(degreesOfFreedom, significance),
    minExpected: expected,
  };
}

function firstCycleBreak(
  answers: readonly string[],
  k: number,
): { index: number; expected: string; observed: string } | null {
  // A duplicate inside the first k answers breaks the cycle before it is complete.
  const seen = new Map<string, number>();
  for (let i = 0; i < Math.min(k, answers.length); i++) {
    const a = answers[i] ?? '';
    if (seen.has(a)) return { index: i, expected: 'a backend not yet seen in this cycle', observed: a };
    seen.set(a, i);
  }
  for (let i = k; i < answers.length; i++) {
    const want = answers[i - k] ?? '';
    const got = answers[i] ?? '';
    if (want !== got) return { index: i, expected: want, observed: got };
  }
  return null;
}

function buildHistogram(
  answers: readonly (string | null)[],
  expectedBackends: readonly string[],
): HistogramBin[] {
  const counts = new Map<string, number>(expectedBackends.map((b) => [b, 0]));
  let failed = 0;
  for (const a of answers) {
    if (a === null) failed++;
    else counts.set(a, (counts.get(a) ?? 0) + 1);
  }
  const share = expectedBackends.length === 0 ? 0 : (answers.length - failed) / expectedBackends.length;
  const expectedSet = new Set(expectedBackends);
  const bins: HistogramBin[] = [...counts].map(([backend, observed]) => ({
    backend,
    observed,
    expected: expectedSet.has(backend) ? share : 0,
    role: expectedSet.has(backend) ? 'expected' : 'unexpected',
  }));
  if (failed > 0) bins.push({ backend: '(failed)', observed: failed, expected: 0, role: 'failed' });
  return bins;
}

/**
 * Judges the ordered per-request answers (backend name, null = failed request) of one client to
 * one virtual server against the backends that should answer. Precedence: failed requests, then
 * stuck (missing/unexpected/single backend), then round-robin (a strict cycle), else random with
 * a chi-square verdict.
 */
export function judgeSpread(
  answers: readonly (string | null)[],
  expectedBackends: readonly string[],
  opts: SpreadOptions = {},
): SpreadVerdict {
  if (new Set(expectedBackends).size !== expectedBackends.length) {
    throw new Error(`expectedBackends has duplicates: ${expectedBackends.join(', ')}`);
  }
  if (expectedBackends.length === 0)
    throw new Error('expectedBackends is empty: name the backends that should answer');
  const significance = opts.significance ?? DEFAULT_SIGNIFICANCE;
  if (!(significance > 0 && significance < 1))
    throw new Error(`significance must be in (0, 1), got ${significance}`);

  const histogram = buildHistogram(answers, expectedBackends);
  const failedIndexes = answers.flatMap((a, i) => (a === null ? [i] : []));
  const base = { total: answers.length, failed: failedIndexes.length, expectedBackends, histogram };
  const chart = histogramText(histogram);
  const k = expectedBackends.length;
  const answered = answers.filter((a): a is string => a !== null);

  if (failedIndexes.length > 0) {
    return {
      ...base,
      kind: 'failed-requests',
      failedIndexes,
      message: `${failedIndexes.length} of ${answers.length} requests failed (first at request #${failedIndexes[0]}): spread cannot be judged until every request is answered\n${chart}`,
    };
  }

  const expectedSet = new Set(expectedBackends);
  const missing = histogram.filter((b) => b.role === 'expected' && b.observed === 0).map((b) => b.backend);
  const unexpected = histogram.filter((b) => b.role === 'unexpected').map((b) => b.backend);
  const distinct = new Set(answered);
  if (answered.length === 0 || unexpected.length > 0 || missing.length > 0) {
    const reason =
      answered.length === 0
        ? 'no-answers'
        : unexpected.length > 0
          ? 'unexpected-backends'
          : distinct.size === 1 && k > 1
            ? 'single-backend'
            : 'missing-backends';
    const what =
      reason === 'no-answers'
        ? 'no requests were made'
        : reason === 'single-backend'
          ? `only ${answered[0]} answered (${answered.length} of ${answered.length}) while ${k} backends should share the load`
          : [
              missing.length > 0 ? `expected backends missing: ${missing.join(', ')}` : '',
              unexpected.length > 0
                ? `unexpected backends answered: ${unexpected.join(', ')} (stale real servers or the wrong Service?)`
                : '',
            ]
              .filter((s) => s !== '')
              .join('; ');
    return { ...base, kind: 'stuck', reason, missing, unexpected, message: `stuck: ${what}\n${chart}` };
  }

  const counts = expectedBackends.map((b) => histogram.find((h) => h.backend === b)?.observed ?? 0);
  const spreadOfCounts = Math.max(...counts) - Math.min(...counts);
  const cycleBreak = firstCycleBreak(answered, k);
  if (cycleBreak === null && spreadOfCounts <= 1 && answered.slice(0, k).every((a) => expectedSet.has(a))) {
    const order = answered.slice(0, k);
    return {
      ...base,
      kind: 'round-robin',
      order,
      message: `round-robin over ${k} backend${k === 1 ? '' : 's'}: ${answers.length} requests cycle ${order.join(' -> ')} (counts ${counts.join('/')})\n${chart}`,
    };
  }

  if (k === 1) {
    // Unreachable in practice (one expected backend, all answers it, is a cycle), kept for totality.
    throw new Error('internal: a single expected backend cannot be judged random');
  }
  const chiSquare = chiSquareUniform(counts, significance);
  const fit =
    chiSquare.minExpected < 5
      ? 'inconclusive'
      : (
            chiSquare.criticalValue !== null
              ? chiSquare.statistic > chiSquare.criticalValue
              : chiSquare.pValue < significance
          )
        ? 'skewed'
        : 'uniform-random';
  const test = `chi-square ${chiSquare.statistic.toFixed(2)}, df ${chiSquare.degreesOfFreedom}, p ${chiSquare.pValue.toPrecision(3)}${
    chiSquare.criticalValue === null
      ? ''
      : `, critical value ${chiSquare.criticalValue} at alpha ${significance}`
  }`;
  const why =
    cycleBreak === null
      ? `counts differ by ${spreadOfCounts} (round-robin keeps them within 1)`
      : `the cycle breaks at request #${cycleBreak.index} (expected ${cycleBreak.expected}, got ${cycleBreak.observed})`;
  const conclusion =
    fit === 'inconclusive'
      ? `too few requests for the test (${fmt(chiSquare.minExpected)} expected per backend, need 5)`
      : fit === 'skewed'
        ? 'uniform rejected: skewed'
        : 'consistent with a uniform random choice';
  return {
    ...base,
    kind: 'random',
    fit,
    chiSquare,
    cycleBreak,
    message: `not round-robin: ${why}; ${test}: ${conclusion}\n${chart}`,
  };
}
