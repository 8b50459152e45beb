/**
 * One judgement failure: what was checked, on which object, what the suite expected and what it
 * observed. Judges return lists of these (empty = conformant) so that a report can render every
 * problem of a run side by side instead of stopping at the first assertion.
 */
export interface Finding {
  /** Stable id of the check (`podcidr-in-pod-subnet`); tests and mutants refer to it. */
  readonly check: string;
  /** The object judged, e.g. `node/myk8s-worker` or `service/kube-system/kube-dns`. */
  readonly subject: string;
  readonly expected: string;
  readonly observed: string;
  /** One sentence: what is wrong and, where it helps, what to do. */
  readonly message: string;
}

/** Renders findings one per line (`check subject: message (expected X, observed Y)`) for a report or an assertion message. */
export function formatFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'no findings';
  return findings
    .map((f) => `${f.check} ${f.subject}: ${f.message} (expected ${f.expected}, observed ${f.observed})`)
    .join('\n');
}
