/**
 * `npm test`: the live conformance run. With KIND_IPVS_BUNDLE set it only replays that bundle
 * through the conformance suites; otherwise it checks the prerequisites first (stopping at once,
 * exit 1, naming what is missing and how to get it) and then starts vitest, whose global setup
 * records the live bundle. Extra arguments are passed to vitest (e.g. `npm test -- -t strictARP`).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { BundleError, loadBundleFile } from '../bundle/load.ts';
import { ConfigError, parseSuiteConfig, type SuiteConfig } from '../config.ts';
import { type ModuleFacts, runPreflight } from '../live/preflight.ts';
import { execaRunner, type Runner } from '../live/process.ts';
import { TIMEOUTS } from '../timeouts.ts';

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The host's module facts, read from /proc, /sys and /lib/modules. */
export function hostModuleFacts(): ModuleFacts {
  const dir = `/lib/modules/${release()}`;
  return {
    procModules: readOrNull('/proc/modules'),
    sysModule: (m) => existsSync(`/sys/module/${m}`),
    builtin: readOrNull(`${dir}/modules.builtin`),
    dep: readOrNull(`${dir}/modules.dep`),
  };
}

/** What main() needs from its surroundings; tests pass fakes. */
export interface CliEnv {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly args: readonly string[];
  readonly run: Runner;
  readonly modules: ModuleFacts;
  readonly out: (line: string) => void;
  /** Starts `vitest run --project conformance ...args` and resolves to its exit code. */
  readonly vitest: (args: readonly string[]) => Promise<number>;
}

/** The whole CLI as a function of its surroundings; resolves to the process exit code. */
export async function main(cli: CliEnv): Promise<number> {
  let config: SuiteConfig;
  try {
    config = parseSuiteConfig(cli.env);
  } catch (e: unknown) {
    if (e instanceof ConfigError) {
      cli.out(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const vitestArgs = ['run', '--project', 'conformance', ...cli.args];
  if (config.bundlePath !== null) {
    if (!existsSync(config.bundlePath)) {
      cli.out(
        `error: KIND_IPVS_BUNDLE=${config.bundlePath}: no such file; record one with a live run (npm test) or npm run bundle:model -- out.json`,
      );
      return 1;
    }
    // Refuse an unknown format version or a malformed bundle here, in one clear line, rather than
    // as a stack trace from vitest's global setup.
    try {
      loadBundleFile(config.bundlePath);
    } catch (e: unknown) {
      if (!(e instanceof BundleError)) throw e;
      cli.out(`error: KIND_IPVS_BUNDLE: ${e.message}`);
      return 1;
    }
    cli.out(`replaying ${config.bundlePath} (no cluster is used)`);
    return cli.vitest(vitestArgs);
  }
  const result = await runPreflight(cli.run, config, cli.env.PATH ?? '', cli.modules);
  for (const w of result.warnings) cli.out(`warning: ${w}`);
  if (result.error !== null) {
    cli.out(`error: ${result.error}`);
    return 1;
  }
  cli.out(
    `preflight ok: docker ${result.dockerVersion}, kind ${result.kindVersion}; starting the live conformance run`,
  );
  return cli.vitest(vitestArgs);
}

async function runVitest(args: readonly string[]): Promise<number> {
  const r = await execa('vitest', args, {
    preferLocal: true,
    stdio: 'inherit',
    reject: false,
    timeout: TIMEOUTS.wholeRunMs,
  });
  if (r.timedOut)
    process.stderr.write(
      `error: the conformance run exceeded ${TIMEOUTS.wholeRunMs / 60_000} minutes and was stopped\n`,
    );
  return r.exitCode ?? 1;
}

function isMain(): boolean {
  const argv1 = process.argv[1];
  if (argv1 === undefined) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const code = await main({
    env: process.env,
    args: process.argv.slice(2),
    run: execaRunner(),
    modules: hostModuleFacts(),
    out: (line) => process.stderr.write(`${line}\n`),
    vitest: runVitest,
  });
  process.exit(code);
}
