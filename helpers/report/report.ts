/**
 * The one place that talks to Allure. Suites and helpers import only this module, never
 * `allure-js-commons`, so the reporter can be swapped and every attachment also lands on disk
 * under `reports/artifacts/<test name>/` (where CI uploads it even when the HTML report is not
 * generated).
 *
 * Every call is safe outside a vitest test (scripts, global setup, a vitest run whose reporters
 * were replaced on the command line): Allure is then skipped silently, steps still run their
 * body, and attachments still go to disk. Without this guard allure-js-commons' no-op runtime
 * prints a warning line per call, which would bury the scripts' real output.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as allure from 'allure-js-commons';
import { stringifyEnvInfo } from 'allure-js-commons/sdk/reporter';
import { BaseMessageTestRuntime, getGlobalTestRuntime } from 'allure-js-commons/sdk/runtime';
import type { Fingerprint } from '../bundle/types.ts';

/** Prefixes the suites put at the start of a failure message so that allurerc.mjs files it under a named category. */
export const FAILURE_PREFIX = {
  ipvsDeprecated: 'IPVS deprecated:',
  ipvsGatedOff: 'IPVS gated off:',
  clusterCreation: 'Cluster creation failed:',
  proxyModeNotIpvs: 'Kube-proxy not in IPVS mode:',
} as const;

/** Behaviour labels of one test: `epic` is the product area, `feature` the mechanism, `story` the behaviour. */
export interface Labels {
  readonly epic: string;
  readonly feature: string;
  readonly story: string;
  readonly tags?: readonly string[];
}

/** Anything that carries a histogram of answers and its rendered text (e.g. a spread verdict). */
export interface HistogramLike {
  readonly histogram: Readonly<Record<string, number>>;
  readonly text: string;
}

/** Where `environment()` writes; the same default and variable as vitest.config.ts. */
export function allureResultsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KIND_IPVS_ALLURE_RESULTS ?? 'reports/allure-results';
}

/**
 * Root of the on-disk attachment mirror: `KIND_IPVS_ARTIFACTS`, default `reports/artifacts`;
 * `off` (or an empty value) turns the mirror off.
 */
export function artifactsRoot(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env.KIND_IPVS_ARTIFACTS;
  if (value === undefined) return 'reports/artifacts';
  return value === '' || value === 'off' ? null : value;
}

// Characters that are unsafe in a file name on Linux, macOS or Windows (artifacts are opened
// from downloaded CI zips on all three), plus control characters.
const UNSAFE_NAME = /[<>:"/\\|?*\p{Cc}]+/gu;

/**
 * A file-system-safe name for a test or attachment: vitest's `describe > test` separator becomes
 * ` - `, unsafe characters become `_`, and the result is capped so deep paths stay openable.
 */
export function safeName(name: string, maxLength = 120): string {
  const cleaned = name
    .replaceAll(' > ', ' - ')
    .replace(/\s+/g, ' ')
    .replace(UNSAFE_NAME, '_')
    .trim()
    .replace(/^\.+/, '_');
  const capped = cleaned.slice(0, maxLength).trim();
  return capped === '' ? '_' : capped;
}

/** Directory name used for attachments made outside any test (scripts, global setup). */
export const OUTSIDE_TEST_DIR = '_run';

/**
 * Entries of Allure's environment widget for one run. The kube-proxy configuration is a whole
 * YAML document, too long for a key/value widget: only its mode and strictARP lines are shown
 * (the full text is in the bundle).
 */
export function environmentEntries(fingerprint: Fingerprint): Record<string, string> {
  const entries: Record<string, string> = {
    'kind version': fingerprint.kindVersion,
    'node image': fingerprint.nodeImage,
    'server version': fingerprint.serverVersion,
    'kube-proxy image': fingerprint.kubeProxyImage,
    kernel: fingerprint.kernel,
  };
  const mode = /^mode:[ \t]*["']?([A-Za-z]*)["']?[ \t]*$/m.exec(fingerprint.kubeProxyConfig)?.[1];
  if (mode !== undefined) entries['kube-proxy mode'] = mode === '' ? '(empty: platform default)' : mode;
  const strictArp = /^[ \t]+strictARP:[ \t]*(\S+)/m.exec(fingerprint.kubeProxyConfig)?.[1];
  if (strictArp !== undefined) entries['ipvs.strictARP'] = strictArp;
  return entries;
}

/** True when an Allure test runtime is registered (inside a vitest worker with allure-vitest set up). */
function allureActive(): boolean {
  return getGlobalTestRuntime() instanceof BaseMessageTestRuntime;
}

let vitestModule: Promise<typeof import('vitest') | null> | undefined;

/** Name of the running vitest test (`describe > test`), or null outside a test. */
async function currentTestName(): Promise<string | null> {
  // Loaded lazily and only under vitest: scripts using the façade should not pay for vitest.
  if (process.env.VITEST === undefined) return null;
  vitestModule ??= import('vitest').catch(() => null);
  const vitest = await vitestModule;
  return vitest?.expect.getState().currentTestName ?? null;
}

// Paths written by this process; a repeated attachment name in one test gets `-2`, `-3`... but a
// new run overwrites the previous run's files instead of piling up suffixes.
const written = new Set<string>();
let diskWarningShown = false;

async function mirrorToDisk(name: string, content: string, extension: string): Promise<void> {
  const root = artifactsRoot();
  if (root === null) return;
  const testName = await currentTestName();
  const dir = join(root, testName === null ? OUTSIDE_TEST_DIR : safeName(testName));
  const base = safeName(name, 80);
  let path = join(dir, `${base}.${extension}`);
  for (let n = 2; written.has(path); n++) path = join(dir, `${base}-${n}.${extension}`);
  written.add(path);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(path, content, 'utf8');
  } catch (error: unknown) {
    // The on-disk copy is a convenience; a full disk or read-only checkout must not fail a test.
    if (!diskWarningShown) {
      diskWarningShown = true;
      console.warn(
        `report: could not write attachment ${path} (${String(error)}); set KIND_IPVS_ARTIFACTS=off to skip the on-disk copies`,
      );
    }
  }
}

/** Attach a body of any type to the current test (and mirror it to disk). */
export async function attach(
  name: string,
  content: string,
  contentType: string,
  extension: string,
): Promise<void> {
  if (allureActive()) await allure.attachment(name, content, { contentType, fileExtension: extension });
  await mirrorToDisk(name, content, extension);
}

/** Attach plain text (raw tool output, rendered tables). */
export async function attachText(name: string, text: string): Promise<void> {
  await attach(name, text, 'text/plain', 'txt');
}

/** Attach a value as pretty-printed JSON (parsed structures, expected-vs-observed). */
export async function attachJson(name: string, value: unknown): Promise<void> {
  await attach(name, `${JSON.stringify(value, null, 2)}\n`, 'application/json', 'json');
}

/** Attach a spread histogram twice: its rendered text to read, its counts as JSON to process. */
export async function attachHistogram(name: string, verdict: HistogramLike): Promise<void> {
  await attachText(name, verdict.text);
  await attachJson(`${name} (counts)`, verdict.histogram);
}

/** Set the epic / feature / story labels (and tags) of the current test. */
export async function labels(value: Labels): Promise<void> {
  if (!allureActive()) return;
  await allure.labels(
    { name: allure.LabelName.EPIC, value: value.epic },
    { name: allure.LabelName.FEATURE, value: value.feature },
    { name: allure.LabelName.STORY, value: value.story },
    ...(value.tags ?? []).map((tag) => ({ name: allure.LabelName.TAG, value: tag })),
  );
}

/** Record a parameter of the current test (node, service, image...); it becomes part of the test's identity in Allure. */
export async function parameter(name: string, value: string | number | boolean): Promise<void> {
  if (!allureActive()) return;
  await allure.parameter(name, String(value));
}

/** Run `fn` as a named step of the current test; outside a test it simply runs `fn`. */
export async function step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  if (!allureActive()) return await fn();
  return await allure.step(name, async () => await fn());
}

/**
 * Write the run's fingerprint as Allure's environment widget. Allure Report 3 reads
 * `environment.properties` from the results directory (its allure2 reader), so this works from
 * any process, e.g. the global setup, without a test context. Returns the file written.
 */
export async function environment(
  fingerprint: Fingerprint,
  resultsDir: string = allureResultsDir(),
): Promise<string> {
  const path = join(resultsDir, 'environment.properties');
  await mkdir(resultsDir, { recursive: true });
  await writeFile(path, `${stringifyEnvInfo(environmentEntries(fingerprint))}\n`, 'utf8');
  return path;
}
