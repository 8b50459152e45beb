import { writeFileSync } from 'node:fs';
import { bundleModelCli } from '../mutants/bundle-cli.ts';

// `npm run --silent bundle:model -- <out.json>`: writes the conformant model bundle (DESIGN.md section 4).
const r = bundleModelCli(process.argv.slice(2));
if (r.output) {
  if (r.output.path === '-') process.stdout.write(r.output.text);
  else writeFileSync(r.output.path, r.output.text);
}
if (r.stderr) process.stderr.write(r.stderr);
process.exitCode = r.exitCode;
