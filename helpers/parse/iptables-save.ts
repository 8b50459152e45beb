import { ParseError } from './errors.ts';
import type { IptablesChain, IptablesRule, IptablesState, IptablesTable } from './types.ts';

const FORMAT = 'iptables-save';

// Precompiled once; every line is matched against at most a few of these, so parsing stays linear.
const TRAILING_SPACE = /[ \t\r]+$/;
const TABLE = /^\*(\S+)$/;
const CHAIN = /^:(\S+) (\S+)(?: \[(\d+):(\d+)\])?$/;
const RULE_COUNTERS = /^\[(\d+):(\d+)\] /;
const APPEND = /^-A (\S+)(?: |$)/;
const INCOMPATIBLE = /^# Table `([^']*)' is incompatible/;
const ELISION = /^\s*(\.\.\.|…)\s*$/;
// Sticky scanner for a quoted part in splitRestoreArgs: the whole part at once, escapes included.
const QUOTED_PART = /((?:[^"\\]|\\[\s\S])*)"/y;
const ESCAPED = /\\([\s\S])/g;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;

/**
 * Options whose next argv element is free text (xtables_save_string): their value may itself look
 * like `-j`, so the target scan must step over it.
 */
const STRING_VALUED: ReadonlySet<string> = new Set([
  '--comment',
  '--log-prefix',
  '--nflog-prefix',
  '--string',
  '--hex-string',
  '--helper',
]);

const CR = 0x0d;
const DASH = 0x2d;
const BACKSLASH = 0x5c;

// Lines are passed as (number, raw) rather than as one object per line: the object was most of the
// garbage of a 100k-rule table.
function fail(number: number, raw: string, reason: string): never {
  throw new ParseError(FORMAT, number, raw, reason);
}

/** Plain assignment would make a name `__proto__` replace the prototype instead of being a key. */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function counter(number: number, raw: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) fail(number, raw, `counter ${value} is too large to represent exactly`);
  return n;
}

/**
 * Splits a rule the way iptables-restore does (xshared.c `add_param_to_argv`): whitespace separates
 * words; a double quote opens a quoted part in which a backslash takes the next character literally
 * (`\"`, `\\`, and the `\'` that xtables_save_string writes for single quotes); the closing quote ends
 * the word, so `""` is an empty argument. Outside quotes a backslash is an ordinary character.
 * Returns the argv, or the reason it cannot be split.
 */
export function splitRestoreArgs(text: string): string[] | { readonly error: string } {
  // Without tabs and backslashes the rules reduce to splitting on spaces and quotes, which the native
  // split does several times faster than the character loop below (iptables-save prints such lines).
  if (text.indexOf('\t') < 0 && text.indexOf('\\') < 0) return splitPlain(text);
  const args: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      if (inWord) {
        args.push(word);
        word = '';
        inWord = false;
      }
      i++;
    } else if (c === QUOTE) {
      const close = text.indexOf('"', i + 1);
      // Without a backslash before the closing quote the part is the plain slice (the common case).
      if (close >= 0 && !hasBackslash(text, i + 1, close)) {
        args.push(word + text.slice(i + 1, close));
        word = '';
        inWord = false;
        i = close + 1;
        continue;
      }
      QUOTED_PART.lastIndex = i + 1;
      const m = QUOTED_PART.exec(text);
      if (m === null) return { error: 'unterminated double quote' };
      const inner = m[1] as string;
      // The closing quote ends the word, even an empty one (`""`).
      args.push(word + (inner.includes('\\') ? inner.replace(ESCAPED, '$1') : inner));
      word = '';
      inWord = false;
      i = QUOTED_PART.lastIndex;
    } else {
      let j = i + 1;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === SPACE || d === TAB || d === QUOTE) break;
      }
      word = inWord ? word + text.slice(i, j) : text.slice(i, j);
      inWord = true;
      i = j;
    }
  }
  if (inWord) args.push(word);
  return args;
}

/**
 * splitRestoreArgs for text without tabs or backslashes. Odd pieces of the split on `"` are quoted
 * parts; an even piece's words are arguments, except that its last word (empty after a space) is glued
 * to the quoted part that follows it, and a closing quote ends the word.
 */
function splitPlain(text: string): string[] | { readonly error: string } {
  if (text.indexOf('"') < 0) {
    const words = text.split(' ');
    // Single spaces only (as iptables-save prints): the split is the argv as it is.
    if (!words.includes('')) return words;
  }
  const args: string[] = [];
  const pieces = text.split('"');
  // An even number of quotes splits into an odd number of pieces; otherwise one quote is left open.
  if (pieces.length % 2 === 0) return { error: 'unterminated double quote' };
  for (let p = 0; p < pieces.length; p += 2) {
    const words = (pieces[p] as string).split(' ');
    const quoted = p + 1 < pieces.length;
    const end = quoted ? words.length - 1 : words.length;
    for (let w = 0; w < end; w++) {
      const word = words[w] as string;
      if (word !== '') args.push(word);
    }
    if (quoted) args.push((words[end] as string) + (pieces[p + 1] as string));
  }
  return args;
}

function hasBackslash(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (text.charCodeAt(k) === BACKSLASH) return true;
  return false;
}

/** Reads target, jump kind and comment from the argv and builds the rule (no intermediate object). */
function buildRule(
  number: number,
  raw: string,
  body: string,
  chain: string,
  counters: IptablesRule['counters'],
  args: string[],
): IptablesRule {
  let target: string | null = null;
  let jump: 'jump' | 'goto' | null = null;
  let comment: string | null = null;
  // args[0..1] are `-A CHAIN`.
  for (let i = 2; i < args.length; i++) {
    const a = args[i] as string;
    // Every option of interest starts with `-`: most words (values) are passed over on one comparison.
    if (a.charCodeAt(0) !== DASH) continue;
    if (a === '-j' || a === '--jump' || a === '-g' || a === '--goto') {
      const value = args[i + 1];
      if (value === undefined || value === '') fail(number, raw, `${a} has no target`);
      if (target !== null) fail(number, raw, `more than one -j/-g in one rule ("${target}" and "${value}")`);
      target = value;
      jump = a === '-g' || a === '--goto' ? 'goto' : 'jump';
      i++;
    } else if (a.charCodeAt(1) === DASH && STRING_VALUED.has(a)) {
      const value = args[i + 1];
      if (value === undefined) fail(number, raw, `${a} has no value`);
      // Only the first comment is reported; iptables allows several `-m comment` but kube-proxy writes one.
      if (a === '--comment' && comment === null) comment = value;
      i++;
    }
  }
  return { text: body, chain, target, jump, comment, counters, args };
}

interface ChainDraft {
  /** The declared name, shared by every rule's `chain` instead of a new string per rule. */
  readonly name: string;
  readonly chain: { policy: string | null; counters: IptablesChain['counters']; rules: IptablesRule[] };
}

interface TableDraft {
  readonly name: string;
  readonly startNumber: number;
  readonly startRaw: string;
  readonly chains: Map<string, ChainDraft>;
}

/**
 * The chain name of an `-A CHAIN ...` body (what APPEND captures), or null. Plain ASCII names are
 * sliced without the regex; anything else (tabs, non-ASCII) is left to APPEND so the result is the same.
 */
function appendChain(body: string): string | null {
  if (body.charCodeAt(0) !== DASH || body.charCodeAt(1) !== 0x41 || body.charCodeAt(2) !== SPACE) return null;
  let e = 3;
  for (; e < body.length; e++) {
    const d = body.charCodeAt(e);
    if (d <= SPACE || d >= 0x7f) break;
  }
  if (e > 3 && (e === body.length || body.charCodeAt(e) === SPACE)) return body.slice(3, e);
  return APPEND.exec(body)?.[1] ?? null;
}

/**
 * Parses `iptables-save` / `ip6tables-save` output (any backend, with or without `-c` counters).
 * Tables and chains are keyed by name, rules keep their order. Anything iptables-save would not print
 * (a rule outside a table or for an undeclared chain, `-I`/`-N`/... commands, a table without COMMIT,
 * an unterminated quote, an elision `...`) is a ParseError naming the line.
 */
export function parseIptablesSave(text: string): IptablesState {
  const tables: Record<string, IptablesTable> = {};
  let table: TableDraft | null = null;
  // The chain of the previous rule, within the current table only (reset at COMMIT and at `*table`).
  let lastChain: ChainDraft | null = null;

  const raw = text.split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();

  for (let n = 0; n < raw.length; n++) {
    const r = raw[n] as string;
    const number = n + 1;
    // Checking the last character first keeps the common case (no trailing blank) free of a regex scan.
    const last = r.charCodeAt(r.length - 1);
    const t = last === SPACE || last === TAB || last === CR ? r.replace(TRAILING_SPACE, '') : r;
    if (t === '') continue;
    const head = t.charCodeAt(0);
    // An elision starts with `.`, `…` or blanks; every line iptables-save prints starts otherwise.
    if ((head <= SPACE || head === 0x2e || head >= 0x7f) && ELISION.test(t)) {
      fail(number, r, 'elided output ("...") cannot be parsed: attach the complete iptables-save output');
    }
    if (head === 0x23) {
      const incompatible = INCOMPATIBLE.exec(t);
      if (incompatible !== null) {
        // The table exists but iptables-nft cannot show it; judging it as empty would be a silent skip.
        fail(
          number,
          r,
          `table "${incompatible[1]}" is not expressible by iptables-nft: inspect it with \`nft list ruleset\``,
        );
      }
      continue;
    }
    if (head === 0x2a) {
      if (table !== null) {
        fail(
          number,
          r,
          `table "${table.name}" (line ${table.startNumber}) has no COMMIT before this table starts`,
        );
      }
      const m = TABLE.exec(t);
      if (m === null) fail(number, r, 'a table line is "*<name>" with a one-word name');
      const name = m[1] as string;
      if (Object.hasOwn(tables, name)) fail(number, r, `table "${name}" appears twice`);
      table = { name, startNumber: number, startRaw: r, chains: new Map() };
      lastChain = null;
      continue;
    }
    if (t === 'COMMIT') {
      if (table === null) fail(number, r, 'COMMIT outside a table (no "*<table>" line before it)');
      const chains: Record<string, IptablesChain> = {};
      for (const [name, c] of table.chains) {
        // defineProperty only where it is needed: it is several times slower than a plain store.
        if (name === '__proto__') setOwn(chains, name, c.chain);
        else chains[name] = c.chain;
      }
      setOwn(tables, table.name, { chains });
      table = null;
      lastChain = null;
      continue;
    }
    if (head === 0x3a) {
      if (table === null) fail(number, r, 'chain declaration outside a table (no "*<table>" line before it)');
      const m = CHAIN.exec(t);
      if (m === null) fail(number, r, 'a chain declaration is ":<CHAIN> <POLICY|-> [<packets>:<bytes>]"');
      const name = m[1] as string;
      if (table.chains.has(name))
        fail(number, r, `chain "${name}" is declared twice in table "${table.name}"`);
      const policy = m[2] as string;
      table.chains.set(name, {
        name,
        chain: {
          policy: policy === '-' ? null : policy,
          counters:
            m[3] !== undefined && m[4] !== undefined
              ? { packets: counter(number, r, m[3]), bytes: counter(number, r, m[4]) }
              : null,
          rules: [],
        },
      });
      continue;
    }

    // A rule, optionally prefixed by `[packets:bytes]` (iptables-save -c).
    let body = t;
    let counters: IptablesRule['counters'] = null;
    const c = head === 0x5b ? RULE_COUNTERS.exec(t) : null;
    if (c !== null) {
      counters = { packets: counter(number, r, c[1] as string), bytes: counter(number, r, c[2] as string) };
      body = t.slice(c[0].length);
    }
    // Rules come grouped by chain: a rule of the previous rule's chain needs no slice and no lookup.
    // A declared name is one `\S+` word, so `-A <name> ` starts exactly what APPEND would capture.
    if (
      lastChain !== null &&
      table !== null &&
      body.startsWith(lastChain.name, 3) &&
      body.startsWith('-A ')
    ) {
      const after = body.charCodeAt(3 + lastChain.name.length);
      if (after === SPACE || Number.isNaN(after)) {
        const args = splitRestoreArgs(body);
        if (!Array.isArray(args)) fail(number, r, `${args.error}: the rule cannot be split into arguments`);
        lastChain.chain.rules.push(buildRule(number, r, body, lastChain.name, counters, args));
        continue;
      }
    }
    const chainName = appendChain(body);
    if (chainName === null) {
      const word = body.split(/\s/, 1)[0] ?? '';
      if (word === '-A') fail(number, r, '"-A" needs a chain name');
      if (/^-[A-Z]$|^--[a-z-]+$/.test(word)) {
        fail(
          number,
          r,
          `"${word}" is a command iptables-save never prints (only -A): this looks like a script, not iptables-save output`,
        );
      }
      fail(
        number,
        r,
        'unknown line: iptables-save prints only comments, *table, :CHAIN, -A rules and COMMIT',
      );
    }
    if (table === null) fail(number, r, 'rule outside a table (no "*<table>" line before it)');
    const chain = table.chains.get(chainName);
    if (chain === undefined) {
      fail(
        number,
        r,
        `rule for chain "${chainName}", which is not declared in table "${table.name}" above it`,
      );
    }
    const args = splitRestoreArgs(body);
    if (!Array.isArray(args)) fail(number, r, `${args.error}: the rule cannot be split into arguments`);
    chain.chain.rules.push(buildRule(number, r, body, chain.name, counters, args));
    lastChain = chain;
  }
  if (table !== null) {
    fail(
      table.startNumber,
      table.startRaw,
      `table "${table.name}" has no COMMIT: the output is cut (save it again, completely)`,
    );
  }
  return { tables };
}
