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

/** Every finding on its own block, expected and observed indented below it (`no findings` for none). */
export function formatFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'no findings';
  return findings
    .map((f, i) => {
      // Most messages name their subject already; say it only where one does not.
      const where = f.message.includes(f.subject.replace(/^[a-z]+\//, '')) ? '' : `${f.subject}: `;
      return `${i + 1}. [${f.check}] ${where}${f.message}\n     expected: ${f.expected}\n     observed: ${f.observed}`;
    })
    .join('\n');
}
