import type { NodeState, NodeStateField } from '../bundle/node-state.ts';

import type { Finding } from '../judge/finding.ts';

/** The shared judgement result and its rendering (helpers/judge/finding.ts), re-exported for the expectation modules. */
export { formatFindings } from '../judge/finding.ts';
export type { Finding };

/** Builds a finding whose message is `<subject>: <what>`. */
export function finding(
  check: string,
  subject: string,
  what: string,
  expected: string,
  observed: string,
): Finding {
  return { check, subject, expected, observed, message: `${subject}: ${what}` };
}

/** `node <name>` prefix every subject starts with. */
export function nodeSubject(node: NodeState | string, rest?: string): string {
  const name = typeof node === 'string' ? node : node.name;
  return rest === undefined ? `node ${name}` : `node ${name}: ${rest}`;
}

/**
 * The value of a section, or the finding that says why the check cannot run
 * (e.g. `node kind-worker: proc-ip-vs absent: /proc/net/ip_vs not present in this kernel`).
 */
export function need<F extends NodeStateField>(
  node: NodeState,
  field: F,
  check: string,
):
  | { readonly ok: true; readonly value: Extract<NodeState[F], { ok: true }>['value'] }
  | {
      readonly ok: false;
      readonly finding: Finding;
    } {
  const s = node[field];
  if (s.ok) return { ok: true, value: s.value as Extract<NodeState[F], { ok: true }>['value'] };
  return {
    ok: false,
    finding: finding(check, nodeSubject(node), s.reason, `section usable for ${check}`, s.reason),
  };
}

/** Sorted, de-duplicated, brace-wrapped list for expected/observed text. */
export function formatSet(items: Iterable<string>): string {
  const all = [...new Set(items)].sort(compareNatural);
  return `{${all.join(', ')}}`;
}

/** Natural order so `10.10.1.2` sorts before `10.10.1.10` in messages. */
export function compareNatural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Members of `expected` not in `observed`, and of `observed` not in `expected`, both sorted. */
export function setDiff(
  expected: Iterable<string>,
  observed: Iterable<string>,
): { readonly missing: string[]; readonly extra: string[] } {
  const e = new Set(expected);
  const o = new Set(observed);
  return {
    missing: [...e].filter((x) => !o.has(x)).sort(compareNatural),
    extra: [...o].filter((x) => !e.has(x)).sort(compareNatural),
  };
}
