import type { IptablesRule } from '../parse/types.ts';

/**
 * Semantic comparison of iptables rules. A rule is reduced to a canonical form: its base options
 * (-s/-d/-p/-i/-o), its matches (`-m name` with that module's options) and its target with options,
 * each part order-insensitive, values normalised (hex marks, `--or-mark` as iptables-save prints
 * it, protocol numbers). Two rules are equal when their canonical forms are, so `iptables` moving a
 * match or printing `0x004000` as `0x4000` does not matter, while a different set, flag or target does.
 */

/** Splits rule text into argv the way iptables-restore does: double quotes group, `\` escapes inside them. */
export function tokenizeRule(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '\\' && i + 1 < text.length) {
        cur += text.charAt(++i);
      } else if (c === '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c === '"') {
      quoted = true;
      inToken = true;
    } else if (c === ' ' || c === '\t') {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += c;
      inToken = true;
    }
  }
  if (quoted) throw new Error(`unterminated quote in rule: ${text}`);
  if (inToken) out.push(cur);
  return out;
}

const BASE_ALIASES: Readonly<Record<string, string>> = {
  '-s': '-s',
  '--source': '-s',
  '--src': '-s',
  '-d': '-d',
  '--destination': '-d',
  '--dst': '-d',
  '-p': '-p',
  '--protocol': '-p',
  '-i': '-i',
  '--in-interface': '-i',
  '-o': '-o',
  '--out-interface': '-o',
  '-f': '-f',
  '--fragment': '-f',
};

const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '0': 'all',
  '6': 'tcp',
  '17': 'udp',
  '132': 'sctp',
  '1': 'icmp',
  '58': 'ipv6-icmp',
};

/** Canonical, order-insensitive form of a rule (without its chain). */
export interface CanonicalRule {
  readonly base: readonly string[];
  readonly matches: readonly string[];
  readonly target: string | null;
  readonly targetOptions: readonly string[];
}

interface Opt {
  name: string;
  negated: boolean;
  values: string[];
}

function normHex(v: string): string {
  const m = /^0x([0-9a-f]+)(?:\/0x([0-9a-f]+))?$/i.exec(v);
  if (m === null) return v;
  const a = `0x${BigInt(`0x${m[1] ?? '0'}`).toString(16)}`;
  return m[2] === undefined ? a : `${a}/0x${BigInt(`0x${m[2]}`).toString(16)}`;
}

function normAddress(v: string): string {
  if (v.includes('/')) return v;
  return v.includes(':') ? `${v}/128` : `${v}/32`;
}

function optText(o: Opt): string {
  return `${o.negated ? '!' : ''}${o.name}${o.values.length > 0 ? `=${o.values.join(' ')}` : ''}`;
}

function targetOptions(target: string, opts: Opt[]): string[] {
  if (target !== 'MARK') return opts.map(optText).sort();
  // libxt_MARK: iptables-save prints --or-mark X as --set-xmark X/X and --xor-mark X as X/0x0.
  return opts
    .map((o) => {
      const v = o.values[0] ?? '';
      if (o.name === '--or-mark') return { ...o, name: '--set-xmark', values: [normHex(`${v}/${v}`)] };
      if (o.name === '--xor-mark') return { ...o, name: '--set-xmark', values: [normHex(`${v}/0x0`)] };
      if (o.name === '--set-mark' && !v.includes('/'))
        return { ...o, name: '--set-xmark', values: [normHex(`${v}/0xffffffff`)] };
      return o;
    })
    .map(optText)
    .sort();
}

/** Reduces argv (with or without a leading `-A CHAIN`) to its canonical form. */
export function canonicalize(argv: readonly string[]): CanonicalRule {
  let args = [...argv];
  if (args[0] === '-A' || args[0] === '-I') args = args.slice(2);
  const base: Opt[] = [];
  const matches: { module: string; opts: Opt[] }[] = [];
  let current: { module: string; opts: Opt[] } | null = null;
  let target: string | null = null;
  let targetOpts: Opt[] | null = null;
  let negate = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '!') {
      negate = true;
      continue;
    }
    if (a === '-m' || a === '--match') {
      current = { module: args[++i] ?? '', opts: [] };
      matches.push(current);
      continue;
    }
    if (a === '-j' || a === '--jump' || a === '-g' || a === '--goto') {
      target = `${a === '-g' || a === '--goto' ? 'goto:' : ''}${args[++i] ?? ''}`;
      targetOpts = [];
      continue;
    }
    if (!a.startsWith('-')) {
      // A stray value (should not happen in iptables-save output): keep it so the rule still differs.
      (targetOpts ?? current?.opts ?? base).push({ name: a, negated: negate, values: [] });
      negate = false;
      continue;
    }
    const values: string[] = [];
    while (i + 1 < args.length && !(args[i + 1] ?? '').startsWith('-') && args[i + 1] !== '!')
      values.push(args[++i] ?? '');
    const baseName = targetOpts === null ? BASE_ALIASES[a] : undefined;
    if (baseName !== undefined) {
      let v = values.map((x) => x.toLowerCase());
      if (baseName === '-p') v = v.map((x) => PROTOCOL_NAMES[x] ?? x);
      if (baseName === '-s' || baseName === '-d') v = values.map(normAddress);
      if (baseName === '-i' || baseName === '-o') v = values;
      base.push({ name: baseName, negated: negate, values: v });
      current = null;
    } else {
      const opt = { name: a, negated: negate, values: values.map(normHex) };
      if (targetOpts !== null) targetOpts.push(opt);
      else if (current !== null) current.opts.push(opt);
      else {
        // Options after -p without -m belong to the protocol's implicit match (iptables-save adds -m tcp).
        const proto = base.find((b) => b.name === '-p')?.values[0] ?? '';
        current = { module: proto, opts: [opt] };
        matches.push(current);
      }
    }
    negate = false;
  }
  return {
    base: base.map(optText).sort(),
    matches: matches.map((m) => `${m.module}(${m.opts.map(optText).sort().join(';')})`).sort(),
    target,
    targetOptions: target === null ? [] : targetOptions(target, targetOpts ?? []),
  };
}

function key(c: CanonicalRule): string {
  return JSON.stringify(c);
}

/** An expected rule: its text as kube-proxy's rules print in iptables-save (without `-A CHAIN`). */
export interface RuleSpec {
  readonly text: string;
  readonly canonical: CanonicalRule;
}

/** Builds a {@link RuleSpec} from iptables-save-like text (`-m set --match-set X dst -j Y`). */
export function ruleSpec(text: string): RuleSpec {
  return { text, canonical: canonicalize(tokenizeRule(text)) };
}

function argsOf(rule: IptablesRule): readonly string[] {
  // Parsers give argv; fall back to our tokenizer if a parser left it empty.
  return rule.args.length > 0 ? rule.args : tokenizeRule(rule.text);
}

/** True when the rule means the same as the spec. */
export function ruleMatches(rule: IptablesRule, spec: RuleSpec): boolean {
  return key(canonicalize(argsOf(rule))) === key(spec.canonical);
}

/** Index of the first rule meaning the spec, or -1. */
export function findRule(rules: readonly IptablesRule[], spec: RuleSpec): number {
  return rules.findIndex((r) => ruleMatches(r, spec));
}
