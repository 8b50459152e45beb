import { expect } from 'vitest';
import { type Finding, formatFindings } from '../../helpers/judge/finding.ts';
import { attachText } from '../../helpers/report/report.ts';

/**
 * The one way a suite turns findings into a verdict: passes on none, and otherwise fails with a
 * message that starts with the first finding's sentence (so Allure's categories can match its
 * prefix) and lists every finding with expected vs observed. The list is attached too.
 */
export async function expectNoFindings(findings: readonly Finding[], what: string): Promise<void> {
  if (findings.length > 0) await attachText(`findings: ${what}`, formatFindings(findings));
  const head = findings[0]?.message ?? what;
  expect(findings, `${head}\n${what}: ${findings.length} finding(s):\n${formatFindings(findings)}`).toEqual(
    [],
  );
}
