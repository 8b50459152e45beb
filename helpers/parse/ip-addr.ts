import ipaddr from 'ipaddr.js';
import { ParseError } from './errors.ts';
import type { IpAddrState, IpInterface } from './types.ts';

const FORMAT = 'ip-addr';

// `7: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN ...`; `eth0@if5` names the peer link
// after `@` (veth), which is not part of the interface name.
const HEADER = /^(\d+): ([^\s:]+): <([^>]*)>(.*)$/;
// `ip -o addr` prints `7: kube-ipvs0    inet 10.200.1.1/32 ...\` (no flags, no state): recognised only to
// say that it is not supported.
const ONE_LINE = /^\d+: \S+\s+(?:inet6?|link\/\S+)\s/;
const BLANK = /^\s*$/;
// Continuation lines whose first word is a known keyword, never a link kind. The kind line printed by
// `ip -d` comes right after the `link/...` line (iproute2 print_linktype) and starts with the kind itself.
const NOT_A_KIND = new Set([
  'inet',
  'inet6',
  'altname',
  'alias',
  'vf',
  'prop',
  'RX:',
  'TX:',
  'addrgenmode',
  'promiscuity',
  'numtxqueues',
  'link-netnsid',
  'link-netns',
]);
const KIND = /^ {4}([a-z][a-z0-9_]*)(?: |$)/;

/**
 * Parses `ip addr show` / `ip link show` text (with or without `-d`) or `ip -j [-d] addr|link` JSON
 * (detected by a first non-space `[`). Throws ParseError on anything else, including `ip -o` output.
 */
export function parseIpAddr(text: string): IpAddrState {
  const first = /\S/.exec(text);
  if (first?.[0] === '[') return parseJson(text);
  return parseText(text);
}

interface Draft {
  name: string;
  index: number;
  type: string | null;
  state: string;
  flags: string[];
  addresses: string[];
  /** Line number of the `link/...` line, so the kind line right after it can be recognised. */
  linkLine: number;
}

function tokenEnd(line: string, from: number): number {
  const sp = line.indexOf(' ', from);
  return sp < 0 ? line.length : sp;
}

function headerOf(line: string, n: number, seen: Set<string>): Draft {
  const m = HEADER.exec(line);
  if (!m) {
    const reason = ONE_LINE.test(line)
      ? 'one-line output (`ip -o`) is not supported: run `ip addr show` without -o'
      : 'expected an interface line like `7: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 ... state DOWN ...`';
    throw new ParseError(FORMAT, n, line, reason);
  }
  const [, index = '', nameField = '', flagText = '', rest = ''] = m;
  const at = nameField.lastIndexOf('@');
  const name = at > 0 ? nameField.slice(0, at) : nameField;
  const state = / state (\S+)/.exec(rest)?.[1];
  if (state === undefined) {
    throw new ParseError(FORMAT, n, line, `interface ${name} has no "state <STATE>" on its line`);
  }
  if (seen.has(name)) {
    throw new ParseError(FORMAT, n, line, `interface ${name} is listed twice (concatenated outputs?)`);
  }
  seen.add(name);
  return {
    name,
    index: Number(index),
    type: null,
    state,
    flags: flagText === '' ? [] : flagText.split(','),
    addresses: [],
    linkLine: -1,
  };
}

function parseText(text: string): IpAddrState {
  const lines = text.split('\n');
  const out: Draft[] = [];
  const seen = new Set<string>();
  let cur: Draft | null = null;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    const n = i + 1;
    const c0 = line.charCodeAt(0);
    if (c0 !== 32 && c0 !== 9) {
      if (line.length === 0) continue;
      cur = headerOf(line, n, seen);
      out.push(cur);
      continue;
    }
    if (cur === null) {
      if (BLANK.test(line)) continue;
      throw new ParseError(FORMAT, n, line, 'indented detail line before any interface line');
    }
    // Checked with startsWith rather than one regex per line: kube-ipvs0 has two lines per ClusterIP.
    if (line.startsWith('       valid_lft ')) continue;
    if (line.startsWith('    inet')) {
      const six = line.startsWith('    inet6 ');
      if (six || line.startsWith('    inet ')) {
        const start = six ? 10 : 9;
        const end = tokenEnd(line, start);
        let peer: string | undefined;
        if (line.startsWith(' peer ', end)) peer = line.slice(end + 6, tokenEnd(line, end + 6));
        cur.addresses.push(addressOf(six ? 6 : 4, line.slice(start, end), peer, n, line));
        continue;
      }
    }
    if (line.startsWith('    link/')) {
      cur.linkLine = n;
      continue;
    }
    if (cur.linkLine === n - 1 && cur.type === null) {
      const word = KIND.exec(line)?.[1];
      if (word !== undefined && !NOT_A_KIND.has(word) && !word.endsWith('_slave')) cur.type = word;
    }
    // Every other indented line (altname, stats, kind options, blank) carries nothing we report.
  }
  return {
    interfaces: out.map(
      (d): IpInterface => ({
        name: d.name,
        index: d.index,
        type: d.type,
        state: d.state,
        flags: d.flags,
        addresses: d.addresses,
      }),
    ),
  };
}

/** `inet 10.0.0.1 peer 10.0.0.2/32`: the prefix is printed after the peer but belongs to the local side too. */
function addressOf(family: 4 | 6, local: string, peer: string | undefined, n: number, line: string): string {
  const withPrefix = peer ?? local;
  const slash = withPrefix.lastIndexOf('/');
  if (slash < 0) throw new ParseError(FORMAT, n, line, 'address without a /prefix length');
  const addr = peer === undefined ? withPrefix.slice(0, slash) : local;
  const prefix = withPrefix.slice(slash + 1);
  const bad = addressProblem(family, addr, prefix);
  if (bad !== null) throw new ParseError(FORMAT, n, line, bad);
  // Without a peer that is `withPrefix` itself: returning it keeps one string, not a concatenation.
  return peer === undefined ? withPrefix : `${addr}/${prefix}`;
}

// Checked here rather than with ipaddr.js for IPv4: kube-ipvs0 carries one /32 per ClusterIP and this
// regex is many times faster than building an address object per line.
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

/** Why `addr/prefix` is not a valid address of the family, or null when it is. */
function addressProblem(family: 4 | 6, addr: string, prefix: string): string | null {
  const valid = family === 4 ? IPV4.test(addr) : ipaddr.IPv6.isValid(addr);
  if (!valid) return `not an IPv${family} address: ${JSON.stringify(addr)}`;
  const max = family === 4 ? 32 : 128;
  if (!PREFIX.test(prefix) || Number(prefix) > max) {
    return `prefix length ${JSON.stringify(prefix)} is not 0..${max}`;
  }
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(text: string): IpAddrState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e: unknown) {
    const msg = e instanceof Error ? e.message : String(e);
    const { line, lineText } = jsonErrorLine(text, msg);
    throw new ParseError(FORMAT, line, lineText, `invalid JSON (${msg.split('\n')[0]})`);
  }
  if (!Array.isArray(doc)) {
    throw new ParseError(FORMAT, 1, lineAt(text, 1), 'expected a JSON array as printed by `ip -j addr`');
  }
  const out: IpInterface[] = [];
  const seen = new Set<string>();
  for (const [i, el] of (doc as unknown[]).entries()) {
    const fail = (reason: string): never => {
      // Located only on failure: the scan walks the whole text.
      const n = elementLines(text)[i] ?? 1;
      throw new ParseError(FORMAT, n, lineAt(text, n), `interface #${i + 1}: ${reason}`);
    };
    if (!isRecord(el)) return fail('expected an object');
    // Older iproute2 prints `{}` for every interface a family filter (`ip -j -4 addr`) hid.
    if (Object.keys(el).length === 0) continue;
    const { ifname, ifindex, flags, operstate, linkinfo, addr_info } = el;
    if (typeof ifname !== 'string' || ifname === '') return fail('"ifname" must be a non-empty string');
    if (typeof ifindex !== 'number' || !Number.isInteger(ifindex))
      return fail('"ifindex" must be an integer');
    if (!Array.isArray(flags) || !flags.every((f: unknown): f is string => typeof f === 'string')) {
      return fail('"flags" must be an array of strings');
    }
    if (typeof operstate !== 'string') return fail('"operstate" must be a string');
    let type: string | null = null;
    if (linkinfo !== undefined) {
      if (!isRecord(linkinfo)) return fail('"linkinfo" must be an object');
      const kind = linkinfo.info_kind;
      if (kind !== undefined && typeof kind !== 'string')
        return fail('"linkinfo.info_kind" must be a string');
      type = kind ?? null;
    }
    const addresses: string[] = [];
    if (addr_info !== undefined) {
      if (!Array.isArray(addr_info)) return fail('"addr_info" must be an array');
      for (const [j, a] of (addr_info as unknown[]).entries()) {
        const where = `addr_info[${j}]`;
        if (!isRecord(a)) return fail(`${where} must be an object`);
        const { family, local, prefixlen } = a;
        if (family !== 'inet' && family !== 'inet6') return fail(`${where}.family must be "inet" or "inet6"`);
        if (typeof local !== 'string') return fail(`${where}.local must be a string`);
        if (typeof prefixlen !== 'number') return fail(`${where}.prefixlen must be a number`);
        const prefix = String(prefixlen);
        const bad = addressProblem(family === 'inet' ? 4 : 6, local, prefix);
        if (bad !== null) return fail(`${where}: ${bad}`);
        addresses.push(`${local}/${prefix}`);
      }
    }
    if (seen.has(ifname)) return fail(`interface ${ifname} is listed twice (concatenated outputs?)`);
    seen.add(ifname);
    out.push({ name: ifname, index: ifindex, type, state: operstate, flags, addresses });
  }
  return { interfaces: out };
}

function lineAt(text: string, n: number): string {
  return text.split('\n')[n - 1] ?? '';
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** V8 names a position only for some errors; end-of-input points at the last line; else line 1. */
function jsonErrorLine(text: string, msg: string): { line: number; lineText: string } {
  const pos = /at position (\d+)/.exec(msg)?.[1];
  // A position past the last character (truncated input) is reported on the last line that has text.
  const lastText = Math.max(0, text.trimEnd().length - 1);
  let line = 1;
  if (pos !== undefined) line = lineOfOffset(text, Math.min(Number(pos), lastText));
  else if (/end of JSON input/.test(msg)) line = lineOfOffset(text, lastText);
  return { line, lineText: lineAt(text, line) };
}

/** 1-based line where each element of the top-level array starts (for errors in pretty-printed `ip -j -p`). */
function elementLines(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    if (depth === 1 && expectValue && c !== ']') {
      starts.push(line);
      expectValue = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectValue = true;
  }
  return starts;
}
