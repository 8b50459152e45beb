/**
 * Building blocks for mutants: deep copies, section text edits that fail loudly when the text they expect is not
 * there (so a model change cannot silently turn a mutant into a copy of the model), and model-data mutation.
 */
import type { Bundle, NodeSectionName } from '../../helpers/bundle/types.ts';
import { buildModelCluster } from '../model/cluster.ts';
import { renderBundle } from '../model/render-bundle.ts';
import type { ModelCluster } from '../model/types.ts';

/** A deep copy type whose fields may be assigned (mutants edit their own copy only). */
export type DeepMutable<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;

/** A deep, editable copy of a bundle. */
export function cloneBundle(bundle: Bundle): DeepMutable<Bundle> {
  return structuredClone(bundle) as DeepMutable<Bundle>;
}

/** Which snapshots an edit applies to. */
export type SnapshotPick = 'all' | string;

/**
 * Rewrites one section of one node in the chosen snapshots. Throws when the node or section is missing, the
 * section is absent, or `edit` leaves every chosen text unchanged.
 */
export function editSection(
  bundle: DeepMutable<Bundle>,
  where: { readonly node: string; readonly section: NodeSectionName; readonly snapshot?: SnapshotPick },
  edit: (text: string, snapshotLabel: string) => string,
): void {
  const pick = where.snapshot ?? 'all';
  let changed = false;
  let seen = false;
  for (const snap of bundle.snapshots) {
    if (pick !== 'all' && snap.label !== pick) continue;
    const node = snap.nodes.find((n) => n.node === where.node);
    if (!node) throw new Error(`mutant edit: snapshot ${snap.label} has no node ${where.node}`);
    const section = node.sections[where.section];
    if (section.status !== 'ok') throw new Error(`mutant edit: ${where.node} ${where.section} is absent`);
    seen = true;
    const next = edit(section.text, snap.label);
    if (next !== section.text) changed = true;
    section.text = next;
  }
  if (!seen) throw new Error(`mutant edit: no snapshot matches ${pick}`);
  if (!changed)
    throw new Error(
      `mutant edit: ${where.node} ${where.section} unchanged (the model no longer has what the mutant edits)`,
    );
}

/** Replaces exactly the one occurrence of `search`; throws when it is missing or not unique. */
export function replaceOnce(text: string, search: string, replacement: string): string {
  const at = text.indexOf(search);
  if (at < 0) throw new Error(`mutant edit: ${JSON.stringify(search)} not found`);
  if (text.indexOf(search, at + 1) >= 0)
    throw new Error(`mutant edit: ${JSON.stringify(search)} is not unique`);
  return text.slice(0, at) + replacement + text.slice(at + search.length);
}

/** Removes the lines (without their newline) equal to `line`; throws when there is none. */
export function removeLine(text: string, line: string): string {
  const lines = text.split('\n');
  const kept = lines.filter((l) => l !== line);
  if (kept.length === lines.length) throw new Error(`mutant edit: line ${JSON.stringify(line)} not found`);
  return kept.join('\n');
}

/**
 * Edits the real-server lines of one virtual server in `/proc/net/ip_vs` text. `vsLine` is the service line
 * without its trailing spaces (e.g. `TCP  0AC801CB:0050 rr`); `edit` gets and returns the `  -> ...` lines.
 */
export function editProcVirtualServer(
  text: string,
  vsLine: string,
  edit: (rs: string[]) => string[],
): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trimEnd() === vsLine);
  if (at < 0) throw new Error(`mutant edit: virtual server ${JSON.stringify(vsLine)} not in /proc/net/ip_vs`);
  let end = at + 1;
  while (end < lines.length && (lines[end] ?? '').startsWith('  -> ')) end++;
  const next = edit(lines.slice(at + 1, end));
  return [...lines.slice(0, at + 1), ...next, ...lines.slice(end)].join('\n');
}

/** Removes one virtual server (service line and its real servers) from `/proc/net/ip_vs` text. */
export function removeProcVirtualServer(text: string, vsLine: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trimEnd() === vsLine);
  if (at < 0) throw new Error(`mutant edit: virtual server ${JSON.stringify(vsLine)} not in /proc/net/ip_vs`);
  let end = at + 1;
  while (end < lines.length && (lines[end] ?? '').startsWith('  -> ')) end++;
  return [...lines.slice(0, at), ...lines.slice(end)].join('\n');
}

/** Sets `source` to `mutant:<name>`. */
export function asMutant(bundle: DeepMutable<Bundle>, name: string): Bundle {
  bundle.source = `mutant:${name}`;
  return bundle;
}

/** Throws unless `bundle` is the model bundle (mutants of the model data re-render it, so any other input is a misuse). */
export function requireModelBundle(bundle: Bundle, mutant: string): void {
  if (bundle.source !== 'model') {
    throw new Error(
      `mutant ${mutant} re-renders the model cluster; apply it to renderModelBundle(), not to a '${bundle.source}' bundle`,
    );
  }
}

/** Builds a fresh model cluster, lets `mutate` change its copy, renders it as `mutant:<name>`. */
export function renderMutatedModel(name: string, mutate: (m: DeepMutable<ModelCluster>) => void): Bundle {
  const m = structuredClone(buildModelCluster()) as DeepMutable<ModelCluster>;
  mutate(m);
  return renderBundle(m as ModelCluster, `mutant:${name}`);
}

/** Moves a pod to a new IP in every state (draining real servers follow). */
export function movePodIp(m: DeepMutable<ModelCluster>, podName: string, ip: string): void {
  let found = false;
  for (const s of m.states) {
    const pod = s.pods.find((p) => p.name === podName);
    if (!pod) continue;
    const old = pod.ip;
    pod.ip = ip;
    found = true;
    for (const d of s.draining) if (d.address === old) d.address = ip;
  }
  if (!found) throw new Error(`mutant edit: no pod ${podName} in the model`);
}
