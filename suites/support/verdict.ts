import { assert } from 'vitest';
import { type Finding, formatFindings } from '../../helpers/judge/finding.ts';
import { attachText } from '../../helpers/report/report.ts';

/**
 * The one way a suite turns findings into a verdict: passes on none, and otherwise fails (as an
 * assertion, so Allure says "failed", not "broken") with a message whose first line is the first
 * finding's sentence, so Allure's categories can match its prefix, followed by every finding with
 * expected vs observed. The list is attached too.
 */
export async function expectNoFindings(findings: readonly Finding[], what: string): Promise<void> {
  if (findings.length === 0) return;
  const list = formatFindings(findings);
  await attachText(`findings: ${what}`, list);
  assert.fail(`${findings[0]?.message}\n${what}: ${findings.length} finding(s):\n${list}`);
}
