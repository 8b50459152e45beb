import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadBundleFile } from '../helpers/bundle/load.ts';
import { redactCredentials } from '../helpers/bundle/redact.ts';
import { parseSuiteConfig } from '../helpers/config.ts';
import { recordLiveBundle } from '../helpers/live/run.ts';
import { allureResultsDir, environment } from '../helpers/report/report.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the observation bundle every suite judges. */
    bundlePath: string;
  }
}

/**
 * Gives the suites their one observation bundle: the replay file the user named, or a live run
 * recorded now. A live run that fails still yields a bundle (with `failure` set), so the suites
 * run, fail with the reason, and a report is written.
 */
export default async function setup(project: TestProject): Promise<void> {
  const config = parseSuiteConfig(process.env);
  // One run, one report: results of an earlier run would show up as retries of this one.
  rmSync(allureResultsDir(), { recursive: true, force: true });
  if (config.bundlePath !== null) {
    // Refuse an unreadable or unknown-version bundle before any test runs.
    const bundle = loadBundleFile(config.bundlePath);
    await environment(bundle.fingerprint);
    project.provide('bundlePath', config.bundlePath);
    return;
  }
  const log = (line: string): void => {
    process.stderr.write(`[kind-ipvs] ${line}\n`);
  };
  const bundle = await recordLiveBundle(config, log);
  mkdirSync(config.reportsDir, { recursive: true });
  const path = join(config.reportsDir, 'bundle.json');
  const { text, found } = redactCredentials(`${JSON.stringify(bundle, null, 2)}\n`);
  if (found.length > 0) log(`WARNING: credential-shaped text redacted from the bundle (${found.join(', ')})`);
  writeFileSync(path, text);
  log(`observation bundle written to ${path}`);
  await environment(bundle.fingerprint);
  project.provide('bundlePath', path);
}
