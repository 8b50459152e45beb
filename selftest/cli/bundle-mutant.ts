import { writeFileSync } from 'node:fs';
import { bundleMutantCli } from '../mutants/bundle-cli.ts';

// `npm run --silent bundle:mutant -- <name> <out.json>`: writes one mutant bundle; unknown name -> exit 2 with the list.
const r = bundleMutantCli(process.argv.slice(2));
if (r.output) {
  if (r.output.path === '-') process.stdout.write(r.output.text);
  else writeFileSync(r.output.path, r.output.text);
}
if (r.stderr) process.stderr.write(r.stderr);
process.exitCode = r.exitCode;
