/**
 * `tsx helpers/cli/summary.ts [--junit reports/junit.xml] [--bundle reports/bundle.json] [--drift file.md]`
 *
 * Renders the GitHub step summary of one conformance run: the run's fingerprint, stage timings,
 * per-suite counts from vitest's JUnit report, one spread histogram per traffic sample, and an
 * optional drift section. Appends to `$GITHUB_STEP_SUMMARY` when set, else prints. It never
 * fails the job because an input is missing: a run that died before writing its bundle is
 * exactly when the summary must still say what happened.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { BundleError, parseBundle } from '../bundle/load.ts';
import type { Bundle, Fingerprint, StageTiming, TrafficSample } from '../bundle/types.ts';
import { environmentEntries } from '../report/report.ts';

/** Counts of one JUnit `<testsuite>` (one vitest file). `failed` includes errors. */
export interface SuiteCounts {
  readonly name: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** One rendered histogram (a traffic sample's answers per backend). */
export interface HistogramSection {
  readonly title: string;
  readonly text: string;
}

/** Everything the step summary shows; only `suites` is required to say something useful. */
export interface StepSummaryInput {
  readonly fingerprint: Fingerprint | null;
  readonly timings: readonly StageTiming[];
  readonly counters: { readonly execs: number; readonly apiCalls: number } | null;
  readonly suites: readonly SuiteCounts[];
  readonly histograms: readonly HistogramSection[];
  /** Markdown of the drift vs the baseline bundle, when one was computed. */
  readonly drift?: string;
  /** The live run's own failure record (bundle.failure). */
  readonly failure?: { readonly stage: string; readonly message: string } | null;
  /** Lines saying which input could not be read and why. */
  readonly notes?: readonly string[];
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return XML_ENTITIES[entity] ?? whole;
  });
}

function count(attributes: ReadonlyMap<string, string>, name: string, suite: string): number {
  const raw = attributes.get(name);
  if (raw === undefined) return 0;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`junit: <testsuite name="${suite}"> has ${name}="${raw}", expected a count`);
  }
  return value;
}

/**
 * Per-file counts from a vitest JUnit report. Only the attributes of the `<testsuite>` start
 * tags are needed, and vitest writes them itself in one known shape, so a regex over those tags
 * is enough; no XML library is installed (fast-xml-parser is not a dependency) and adding one
 * for four numbers is not worth a dependency.
 */
export function parseJunitSuites(xml: string): SuiteCounts[] {
  const suites: SuiteCounts[] = [];
  for (const tag of xml.matchAll(/<testsuite\s([^>]*)>/g)) {
    const attributes = new Map<string, string>();
    for (const attribute of (tag[1] ?? '').matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g)) {
      attributes.set(attribute[1] ?? '', decodeXml(attribute[2] ?? ''));
    }
    const name = attributes.get('name') ?? '(unnamed suite)';
    const tests = count(attributes, 'tests', name);
    const failed = count(attributes, 'failures', name) + count(attributes, 'errors', name);
    const skipped = count(attributes, 'skipped', name);
    if (failed + skipped > tests) {
      throw new Error(
        `junit: <testsuite name="${name}"> counts ${failed} failed + ${skipped} skipped of ${tests} tests`,
      );
    }
    suites.push({ name, passed: tests - failed - skipped, failed, skipped });
  }
  return suites;
}

/** `1.2 s`, `850 ms`, `2 min 5 s`: stage times at a glance. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

const BAR_WIDTH = 30;

/**
 * One histogram per traffic sample: answers per backend (failed requests as `(failed)`), with a
 * bar scaled to the largest count. The suites judge the spread; this only shows it.
 */
export function histogramsFromTraffic(traffic: readonly TrafficSample[]): HistogramSection[] {
  return traffic.map((sample) => {
    const counts = new Map<string, number>();
    for (const answer of sample.answers) {
      const key = answer ?? '(failed)';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const rows = [...counts].sort(([a], [b]) => a.localeCompare(b));
    const width = Math.max(0, ...rows.map(([name]) => name.length));
    const max = Math.max(1, ...rows.map(([, n]) => n));
    const text = rows
      .map(
        ([name, n]) =>
          `${name.padEnd(width)}  ${String(n).padStart(4)}  ${'#'.repeat(Math.round((n / max) * BAR_WIDTH))}`,
      )
      .join('\n');
    const title = `${sample.kind} from ${sample.fromNode} (${sample.client}) to ${sample.target}: ${sample.answers.length} requests`;
    return { title, text: text === '' ? '(no requests)' : text };
  });
}

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** The step summary as GitHub-flavoured markdown. */
export function renderStepSummary(input: StepSummaryInput): string {
  const total = input.suites.reduce(
    (sum, s) => ({
      passed: sum.passed + s.passed,
      failed: sum.failed + s.failed,
      skipped: sum.skipped + s.skipped,
    }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  const green = input.suites.length > 0 && total.failed === 0 && !input.failure;
  const out: string[] = [];
  const image = input.fingerprint?.nodeImage.replace(/@sha256:.*/, '') ?? 'unknown node image';
  out.push(`## kind IPVS conformance: ${green ? 'passed' : 'FAILED'} (${image})`, '');
  out.push(
    `**${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped** in ${input.suites.length} suite files`,
  );
  if (input.failure) {
    out.push(
      '',
      `> **The live run stopped at stage ${code(input.failure.stage)}:** ${cell(input.failure.message)}`,
    );
  }
  for (const note of input.notes ?? []) out.push('', `> ${cell(note)}`);

  if (input.fingerprint) {
    out.push('', '### Cluster', '', '| | |', '|---|---|');
    for (const [key, value] of Object.entries(environmentEntries(input.fingerprint))) {
      out.push(`| ${cell(key)} | ${code(cell(value))} |`);
    }
  }

  if (input.suites.length > 0) {
    out.push('', '### Suites', '', '| suite | passed | failed | skipped |', '|---|--:|--:|--:|');
    for (const s of input.suites) {
      const mark = s.failed > 0 ? ' :x:' : '';
      out.push(`| ${code(cell(s.name))}${mark} | ${s.passed} | ${s.failed} | ${s.skipped} |`);
    }
  }

  if (input.timings.length > 0 || input.counters) {
    out.push('', '### Stages', '');
    if (input.timings.length > 0) {
      out.push('| stage | time |', '|---|--:|');
      for (const t of input.timings) out.push(`| ${cell(t.stage)} | ${formatDuration(t.ms)} |`);
    }
    if (input.counters) {
      out.push('', `${input.counters.execs} node execs, ${input.counters.apiCalls} API calls`);
    }
  }

  if (input.histograms.length > 0) {
    out.push('', '### Traffic spread', '');
    for (const h of input.histograms) {
      out.push(
        '<details>',
        `<summary>${escapeHtml(h.title)}</summary>`,
        '',
        '```text',
        h.text,
        '```',
        '',
        '</details>',
      );
    }
  }

  if (input.drift !== undefined && input.drift.trim() !== '') {
    out.push('', '### Drift vs baseline', '', input.drift.trim());
  }
  return `${out.join('\n')}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Paths the CLI reads and writes. */
export interface SummaryPaths {
  readonly junit: string;
  readonly bundle: string;
  readonly drift?: string;
  /** `$GITHUB_STEP_SUMMARY`; undefined prints to stdout instead. */
  readonly stepSummary?: string;
}

/** Reads the run's outputs into a summary input; unreadable inputs become notes, not exceptions. */
export function collectSummaryInput(paths: SummaryPaths): StepSummaryInput {
  const notes: string[] = [];
  let suites: SuiteCounts[] = [];
  if (existsSync(paths.junit)) {
    try {
      suites = parseJunitSuites(readFileSync(paths.junit, 'utf8'));
    } catch (error: unknown) {
      notes.push(`Could not read ${paths.junit}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    notes.push(`No JUnit report at ${paths.junit}: vitest did not get to write it (see the job log).`);
  }
  let bundle: Bundle | null = null;
  if (existsSync(paths.bundle)) {
    try {
      bundle = parseBundle(readFileSync(paths.bundle, 'utf8'), paths.bundle);
    } catch (error: unknown) {
      if (!(error instanceof BundleError)) throw error;
      notes.push(`Could not read the bundle: ${error.message}`);
    }
  } else {
    notes.push(`No observation bundle at ${paths.bundle}: the live run did not get to record one.`);
  }
  const drift =
    paths.drift !== undefined && existsSync(paths.drift) ? readFileSync(paths.drift, 'utf8') : undefined;
  return {
    fingerprint: bundle?.fingerprint ?? null,
    timings: bundle?.timings ?? [],
    counters: bundle?.counters ?? null,
    suites,
    histograms: histogramsFromTraffic(bundle?.traffic ?? []),
    failure: bundle?.failure ?? null,
    notes,
    ...(drift === undefined ? {} : { drift }),
  };
}

/** Parses `--junit/--bundle/--drift <path>`; throws with the usage line on anything else. */
export function parseSummaryArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SummaryPaths {
  const usage =
    'usage: summary [--junit reports/junit.xml] [--bundle reports/bundle.json] [--drift drift.md]';
  const values: Record<string, string> = { junit: 'reports/junit.xml', bundle: 'reports/bundle.json' };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const value = argv[i + 1];
    const key = flag.replace(/^--/, '');
    if (!['--junit', '--bundle', '--drift'].includes(flag) || value === undefined) {
      throw new Error(`unexpected argument ${JSON.stringify(flag)}\n${usage}`);
    }
    values[key] = value;
  }
  const stepSummary = env.GITHUB_STEP_SUMMARY;
  return {
    junit: values.junit ?? 'reports/junit.xml',
    bundle: values.bundle ?? 'reports/bundle.json',
    ...(values.drift === undefined ? {} : { drift: values.drift }),
    ...(stepSummary === undefined || stepSummary === '' ? {} : { stepSummary }),
  };
}

/** Renders the summary and appends it to the step summary file, or returns it for printing. */
export function runSummary(paths: SummaryPaths): string {
  const markdown = renderStepSummary(collectSummaryInput(paths));
  if (paths.stepSummary !== undefined) appendFileSync(paths.stepSummary, markdown, 'utf8');
  return markdown;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const paths = parseSummaryArgs(process.argv.slice(2), process.env);
    const markdown = runSummary(paths);
    if (paths.stepSummary === undefined) process.stdout.write(markdown);
    else process.stdout.write(`summary: appended ${markdown.length} characters to ${paths.stepSummary}\n`);
  } catch (error: unknown) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
