import { formatResult, runMutation } from '../mutation.ts';

// `npm run --silent mutants [name...]`: the mutation proof (DESIGN.md section 4).
const only = process.argv.slice(2);
const report = await runMutation({
  cwd: process.cwd(),
  ...(only.length > 0 ? { only } : {}),
  onResult: (r) => process.stdout.write(`${formatResult(r)}\n`),
});
const modelOk =
  report.model.failed.length === 0 && report.model.runErrors.length === 0 && report.model.passed > 0;
if (!modelOk) {
  process.stdout.write(`MODEL FAILED: the conformant model bundle must pass every suite test\n`);
  for (const e of report.model.runErrors) process.stdout.write(`  ${e}\n`);
  for (const o of report.model.failed) {
    process.stdout.write(
      `  ${o.status} ${o.file} > ${o.fullTitle}\n    ${(o.failureMessages[0] ?? '').split('\n')[0]}\n`,
    );
  }
}
const killed = report.results.filter((r) => r.caught).length;
process.stdout.write(
  `model: ${report.model.passed} passed in ${(report.ms.model / 1000).toFixed(1)} s; ` +
    `mutation run ${(report.ms.mutants / 1000).toFixed(1)} s\n`,
);
process.stdout.write(`mutants: ${killed} killed of ${report.results.length}\n`);
process.exitCode = modelOk && killed === report.results.length ? 0 : 1;
