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

interface Line {
  readonly number: number;
  readonly raw: string;
  readonly text: string;
}

function fail(line: Line, reason: string): never {
  throw new ParseError(FORMAT, line.number, line.raw, reason);
}

/** Plain assignment would make a name `__proto__` replace the prototype instead of being a key. */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function counter(line: Line, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) fail(line, `counter ${value} is too large to represent exactly`);
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

interface RuleFacts {
  readonly target: string | null;
  readonly jump: 'jump' | 'goto' | null;
  readonly comment: string | null;
}

function ruleFacts(line: Line, args: readonly string[]): RuleFacts {
  let target: string | null = null;
  let jump: 'jump' | 'goto' | null = null;
  let comment: string | null = null;
  // args[0..1] are `-A CHAIN`.
  for (let i = 2; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-j' || a === '--jump' || a === '-g' || a === '--goto') {
      const value = args[i + 1];
      if (value === undefined || value === '') fail(line, `${a} has no target`);
      if (target !== null) fail(line, `more than one -j/-g in one rule ("${target}" and "${value}")`);
      target = value;
      jump = a === '-g' || a === '--goto' ? 'goto' : 'jump';
      i++;
    } else if (STRING_VALUED.has(a)) {
      const value = args[i + 1];
      if (value === undefined) fail(line, `${a} has no value`);
      // Only the first comment is reported; iptables allows several `-m comment` but kube-proxy writes one.
      if (a === '--comment' && comment === null) comment = value;
      i++;
    }
  }
  return { target, jump, comment };
}

interface TableDraft {
  readonly name: string;
  readonly start: Line;
  readonly chains: Map<
    string,
    { policy: string | null; counters: IptablesChain['counters']; rules: IptablesRule[] }
  >;
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

  const raw = text.split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();

  for (let n = 0; n < raw.length; n++) {
    const r = raw[n] as string;
    // Checking the last character first keeps the common case (no trailing blank) free of a regex scan.
    const last = r.charCodeAt(r.length - 1);
    const stripped = last === SPACE || last === TAB || last === 0x0d ? r.replace(TRAILING_SPACE, '') : r;
    const line: Line = { number: n + 1, raw: r, text: stripped };
    const t = line.text;
    if (t === '') continue;
    if (ELISION.test(t)) {
      fail(line, 'elided output ("...") cannot be parsed: attach the complete iptables-save output');
    }
    const head = t[0];
    if (head === '#') {
      const incompatible = INCOMPATIBLE.exec(t);
      if (incompatible !== null) {
        // The table exists but iptables-nft cannot show it; judging it as empty would be a silent skip.
        fail(
          line,
          `table "${incompatible[1]}" is not expressible by iptables-nft: inspect it with \`nft list ruleset\``,
        );
      }
      continue;
    }
    if (head === '*') {
      if (table !== null) {
        fail(
          line,
          `table "${table.name}" (line ${table.start.number}) has no COMMIT before this table starts`,
        );
      }
      const m = TABLE.exec(t);
      if (m === null) fail(line, 'a table line is "*<name>" with a one-word name');
      const name = m[1] as string;
      if (Object.hasOwn(tables, name)) fail(line, `table "${name}" appears twice`);
      table = { name, start: line, chains: new Map() };
      continue;
    }
    if (t === 'COMMIT') {
      if (table === null) fail(line, 'COMMIT outside a table (no "*<table>" line before it)');
      const chains: Record<string, IptablesChain> = {};
      for (const [name, c] of table.chains) setOwn(chains, name, c);
      setOwn(tables, table.name, { chains });
      table = null;
      continue;
    }
    if (head === ':') {
      if (table === null) fail(line, 'chain declaration outside a table (no "*<table>" line before it)');
      const m = CHAIN.exec(t);
      if (m === null) fail(line, 'a chain declaration is ":<CHAIN> <POLICY|-> [<packets>:<bytes>]"');
      const name = m[1] as string;
      if (table.chains.has(name)) fail(line, `chain "${name}" is declared twice in table "${table.name}"`);
      const policy = m[2] as string;
      table.chains.set(name, {
        policy: policy === '-' ? null : policy,
        counters:
          m[3] !== undefined && m[4] !== undefined
            ? { packets: counter(line, m[3]), bytes: counter(line, m[4]) }
            : null,
        rules: [],
      });
      continue;
    }

    // A rule, optionally prefixed by `[packets:bytes]` (iptables-save -c).
    let body = t;
    let counters: IptablesRule['counters'] = null;
    const c = RULE_COUNTERS.exec(t);
    if (c !== null) {
      counters = { packets: counter(line, c[1] as string), bytes: counter(line, c[2] as string) };
      body = t.slice(c[0].length);
    }
    const append = APPEND.exec(body);
    if (append === null) {
      const word = body.split(/\s/, 1)[0] ?? '';
      if (word === '-A') fail(line, '"-A" needs a chain name');
      if (/^-[A-Z]$|^--[a-z-]+$/.test(word)) {
        fail(
          line,
          `"${word}" is a command iptables-save never prints (only -A): this looks like a script, not iptables-save output`,
        );
      }
      fail(line, 'unknown line: iptables-save prints only comments, *table, :CHAIN, -A rules and COMMIT');
    }
    if (table === null) fail(line, 'rule outside a table (no "*<table>" line before it)');
    const chainName = append[1] as string;
    const chain = table.chains.get(chainName);
    if (chain === undefined) {
      fail(line, `rule for chain "${chainName}", which is not declared in table "${table.name}" above it`);
    }
    const args = splitRestoreArgs(body);
    if (!Array.isArray(args)) fail(line, `${args.error}: the rule cannot be split into arguments`);
    const facts = ruleFacts(line, args);
    chain.rules.push({
      text: body,
      chain: chainName,
      target: facts.target,
      jump: facts.jump,
      comment: facts.comment,
      counters,
      args,
    });
  }
  if (table !== null) {
    fail(table.start, `table "${table.name}" has no COMMIT: the output is cut (save it again, completely)`);
  }
  return { tables };
}
