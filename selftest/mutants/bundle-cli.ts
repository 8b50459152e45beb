/**
 * The pure core of `npm run bundle:model -- <out.json>` and `npm run bundle:mutant -- <name> <out.json>`:
 * argv in, what to write and the exit code out (the CLI files only do the I/O). `-` as the path means stdout.
 */
import type { Bundle } from '../../helpers/bundle/types.ts';
import { renderModelBundle } from '../model/render-bundle.ts';
import { getMutant, MUTANTS } from './catalogue.ts';

/** What a bundle CLI run decided. */
export interface CliOutcome {
  readonly exitCode: 0 | 2;
  /** File to write (`-` = stdout) and its content, when the run succeeded. */
  readonly output: { readonly path: string; readonly text: string } | null;
  readonly stderr: string;
}

function serialise(bundle: Bundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

function usage(text: string): CliOutcome {
  return { exitCode: 2, output: null, stderr: text };
}

/** `bundle:model <out.json>`. */
export function bundleModelCli(argv: readonly string[]): CliOutcome {
  const [out, ...rest] = argv;
  if (out === undefined || rest.length > 0) {
    return usage(
      'usage: npm run --silent bundle:model -- <out.json|->\n  writes the conformant model bundle\n',
    );
  }
  return { exitCode: 0, output: { path: out, text: serialise(renderModelBundle()) }, stderr: '' };
}

/** `bundle:mutant <name> <out.json>`; an unknown name lists the known ones. */
export function bundleMutantCli(argv: readonly string[]): CliOutcome {
  const [name, out, ...rest] = argv;
  const names = MUTANTS.map((m) => `  ${m.name}`).join('\n');
  if (name === undefined || out === undefined || rest.length > 0) {
    return usage(`usage: npm run --silent bundle:mutant -- <name> <out.json|->\nmutants:\n${names}\n`);
  }
  const mutant = getMutant(name);
  if (!mutant) return usage(`error: unknown mutant '${name}'; known mutants:\n${names}\n`);
  return {
    exitCode: 0,
    output: { path: out, text: serialise(mutant.apply(renderModelBundle())) },
    stderr: '',
  };
}
