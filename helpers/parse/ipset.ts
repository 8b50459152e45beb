import { ParseError } from './errors.ts';
import type { IpSet, IpsetState } from './types.ts';

const FORMAT = 'ipset';

// Precompiled once: the parser runs per node per observation, and mutated inputs in the property tests.
const TRAILING_SPACE = /[ \t\r]+$/;
const LIST_FIELD =
  /^(Name|Type|Revision|Header|Size in memory|References|Number of entries|Members):(?: (.*))?$/;
const SAVE_CREATE = /^create (\S+) (\S+)(?: (.*))?$/;
const SAVE_ADD = /^add (\S+) (\S.*)$/;
const UNSIGNED = /^\d+$/;
const ELISION = /^\s*(\.\.\.|…)\s*$/;

/**
 * Create options that ipset prints as bare words (lib/print.c `ipset_print_flag`); every other header
 * option is `key value`. A flag is stored with the value `''` so that `'counters' in header` tests it.
 */
const HEADER_FLAGS: ReadonlySet<string> = new Set(['counters', 'comment', 'skbinfo', 'forceadd']);

interface Line {
  readonly number: number;
  /** Verbatim, for the error report. */
  readonly raw: string;
  /** Trailing spaces (and a CR from CRLF pastes) removed: ipset never prints significant ones. */
  readonly text: string;
}

function fail(line: Line, reason: string): never {
  throw new ParseError(FORMAT, line.number, line.raw, reason);
}

function toLines(raw: readonly string[]): Line[] {
  return raw.map((r, i) => ({ number: i + 1, raw: r, text: stripTrailing(r) }));
}

/** Plain assignment would make a key named `__proto__` replace the prototype instead of being a field. */
function setOwn(record: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function rejectElision(line: Line): void {
  if (ELISION.test(line.text)) {
    fail(line, 'elided output ("...") cannot be parsed: paste the complete `ipset list`/`ipset save` output');
  }
}

function unsigned(line: Line, field: string, value: string): number {
  if (!UNSIGNED.test(value)) fail(line, `${field} must be an unsigned integer, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) fail(line, `${field} ${value} is too large to represent exactly`);
  return n;
}

/**
 * Splits the create options of `Header: ...` (list) or `create NAME TYPE ...` (save) into key/value
 * pairs: `family inet hashsize 1024` -> {family: 'inet', hashsize: '1024'}; flags get `''`.
 */
function parseHeader(line: Line, options: string): Record<string, string> {
  const header: Record<string, string> = {};
  const words = options.split(/[ \t]+/).filter((w) => w.length > 0);
  for (let i = 0; i < words.length; i++) {
    const key = words[i] as string;
    if (Object.hasOwn(header, key)) fail(line, `create option "${key}" appears twice`);
    if (HEADER_FLAGS.has(key)) {
      setOwn(header, key, '');
      continue;
    }
    const value = words[i + 1];
    if (value === undefined) fail(line, `create option "${key}" has no value`);
    setOwn(header, key, value);
    i++;
  }
  return header;
}

interface Draft {
  readonly start: Line;
  name: string;
  type: string | null;
  header: Record<string, string> | null;
  revision: number | null;
  sizeInMemory: number | null;
  references: number | null;
  declaredEntries: number | null;
  members: string[];
  /** True once `Members:` was read: the following lines are members until a blank line or `Name:`. */
  inMembers: boolean;
  seen: Set<string>;
}

function finish(draft: Draft, at: Line): IpSet {
  if (!draft.inMembers) {
    // `ipset list -t` (terse) stops before the members; judging sets needs them.
    fail(
      at,
      `set "${draft.name}" has no "Members:" line (terse \`ipset list -t\` or truncated output?): use \`ipset list\``,
    );
  }
  if (draft.type === null) fail(draft.start, `set "${draft.name}" has no "Type:" line`);
  return {
    name: draft.name,
    type: draft.type,
    header: draft.header ?? {},
    revision: draft.revision,
    sizeInMemory: draft.sizeInMemory,
    references: draft.references,
    declaredEntries: draft.declaredEntries,
    members: draft.members,
  };
}

function parseList(lines: readonly Line[]): IpsetState {
  const sets: IpSet[] = [];
  const names = new Set<string>();
  let draft: Draft | null = null;

  const close = (at: Line): void => {
    if (draft === null) return;
    sets.push(finish(draft, at));
    draft = null;
  };

  for (const line of lines) {
    rejectElision(line);
    if (line.text === '') {
      // Blank lines separate sets (`ipset list` with no name) and may trail an empty `Members:`.
      if (draft !== null && !draft.inMembers) {
        fail(line, `blank line inside the header of set "${draft.name}" (before "Members:"): output is cut`);
      }
      close(line);
      continue;
    }
    const field = LIST_FIELD.exec(line.text);
    // `Name:` always starts a set, also right after members: `ipset list A; ipset list B` prints no blank line.
    if (field !== null && field[1] === 'Name') {
      close(line);
      const name = field[2];
      if (name === undefined || /\s/.test(name)) fail(line, 'a set name must be one word after "Name: "');
      if (names.has(name)) fail(line, `set "${name}" is listed twice`);
      names.add(name);
      draft = {
        start: line,
        name,
        type: null,
        header: null,
        revision: null,
        sizeInMemory: null,
        references: null,
        declaredEntries: null,
        members: [],
        inMembers: false,
        seen: new Set(['Name']),
      };
      continue;
    }
    if (draft === null) {
      fail(line, 'expected "Name: <set>" to start a set (is this `ipset list` or `ipset save` output?)');
    }
    const current: Draft = draft;
    if (current.inMembers) {
      if (field !== null) {
        fail(
          line,
          `header line "${field[1]}:" among the members of set "${current.name}": output is merged or cut`,
        );
      }
      if (/^\s/.test(line.text)) fail(line, `member of set "${current.name}" starts with whitespace`);
      current.members.push(line.text);
      continue;
    }
    if (field === null) {
      fail(
        line,
        `unknown line in the header of set "${current.name}" (expected "Key: value" up to "Members:")`,
      );
    }
    const key = field[1] as string;
    const value = field[2] ?? '';
    if (current.seen.has(key)) fail(line, `"${key}:" appears twice for set "${current.name}"`);
    current.seen.add(key);
    switch (key) {
      case 'Type':
        if (!/^\S+$/.test(value)) fail(line, 'the set type must be one word, e.g. "hash:ip,port"');
        current.type = value;
        break;
      case 'Revision':
        current.revision = unsigned(line, 'Revision', value);
        break;
      case 'Header':
        current.header = parseHeader(line, value);
        break;
      case 'Size in memory':
        current.sizeInMemory = unsigned(line, 'Size in memory', value);
        break;
      case 'References':
        current.references = unsigned(line, 'References', value);
        break;
      case 'Number of entries':
        current.declaredEntries = unsigned(line, 'Number of entries', value);
        break;
      case 'Members':
        if (value !== '') fail(line, '"Members:" must be alone on its line; members follow one per line');
        current.inMembers = true;
        break;
    }
  }
  const last = lines[lines.length - 1];
  if (last !== undefined) close(last);
  return { sets };
}

/** `r.replace(TRAILING_SPACE, '')`, without running the regex on the common line that has nothing to strip. */
function stripTrailing(r: string): string {
  const last = r.charCodeAt(r.length - 1);
  return last === 0x20 || last === 0x09 || last === 0x0d ? r.replace(TRAILING_SPACE, '') : r;
}

/**
 * The member of `add NAME MEMBER` when `t` is such a line for set `name` with a plain ASCII member,
 * else null (then SAVE_ADD decides). A member here is what `(\S.*)` takes: printable, first not a space.
 */
function plainMember(t: string, name: string): string | null {
  const from = 4 + name.length;
  if (!t.startsWith('add ') || !t.startsWith(name, 4) || t.charCodeAt(from) !== 0x20) return null;
  const first = t.charCodeAt(from + 1);
  if (!(first > 0x20 && first < 0x7f)) return null;
  for (let i = from + 2; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return null;
  }
  return t.slice(from + 1);
}

// Lines are read from the raw split here, not as Line objects: `ipset save` of a big node has one
// line per member, and the per-line object and regex runs were most of its cost.
function parseSave(raw: readonly string[]): IpsetState {
  const byName = new Map<string, { set: IpSet; members: string[] }>();
  // The set the previous `add` went to: consecutive adds (how ipset saves) skip the lookup.
  let lastName = '';
  let lastMembers: string[] | null = null;
  for (let n = 0; n < raw.length; n++) {
    const r = raw[n] as string;
    const t = stripTrailing(r);
    if (lastMembers !== null) {
      const member = plainMember(t, lastName);
      if (member !== null) {
        lastMembers.push(member);
        continue;
      }
    }
    const line: Line = { number: n + 1, raw: r, text: t };
    rejectElision(line);
    if (t === '') continue;
    const create = SAVE_CREATE.exec(t);
    if (create !== null) {
      const name = create[1] as string;
      if (byName.has(name)) fail(line, `set "${name}" is created twice`);
      const members: string[] = [];
      byName.set(name, {
        members,
        set: {
          name,
          type: create[2] as string,
          header: parseHeader(line, create[3] ?? ''),
          revision: null,
          sizeInMemory: null,
          references: null,
          declaredEntries: null,
          members,
        },
      });
      lastName = name;
      lastMembers = members;
      continue;
    }
    const add = SAVE_ADD.exec(t);
    if (add !== null) {
      const entry = byName.get(add[1] as string);
      if (entry === undefined) {
        fail(line, `"add" for set "${add[1]}" before its "create" line: the save output is cut or reordered`);
      }
      entry.members.push(add[2] as string);
      lastName = add[1] as string;
      lastMembers = entry.members;
      continue;
    }
    fail(line, 'expected "create NAME TYPE [options]" or "add NAME MEMBER" in `ipset save` output');
  }
  return { sets: [...byName.values()].map((e) => e.set) };
}

/**
 * Parses `ipset list [name]` or `ipset save [name]` (the format is told from the first non-blank line).
 * Members are kept verbatim and in order; `declaredEntries` is the `Number of entries:` line, kept apart
 * from the members actually listed so a judge can spot a cut listing. Throws ParseError otherwise.
 */
export function parseIpset(text: string): IpsetState {
  const raw = text.split('\n');
  // A final newline leaves one empty string behind; it is not a line of output.
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  let at = 0;
  while (at < raw.length && stripTrailing(raw[at] as string) === '') at++;
  // No sets at all prints nothing: that is a valid, empty state.
  if (at === raw.length) return { sets: [] };
  const r = raw[at] as string;
  const first: Line = { number: at + 1, raw: r, text: stripTrailing(r) };
  if (first.text.startsWith('Name:')) return parseList(toLines(raw));
  if (first.text.startsWith('create ') || first.text.startsWith('add ')) return parseSave(raw);
  rejectElision(first);
  return fail(
    first,
    'not `ipset list` ("Name: ...") or `ipset save` ("create ...") output; XML (-o xml) and -n/-name lists are not supported',
  );
}
