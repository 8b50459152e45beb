import { ParseError } from './errors.ts';
import {
  BANNER,
  decimal,
  decimalDigits,
  dottedQuad,
  endpointKey,
  forwardOf,
  hexDigits,
  isElision,
  isProtocol,
  isRepeatedRealServer,
  normalizeIpv6,
  type OpenService,
  SCHEDULER,
  splitBlanks,
} from './ipvs-common.ts';
import type { NumberedLine } from './lines.ts';
import type { IpvsProtocol, IpvsRealServer, ProcIpVsTable, ProcIpVsVirtualServer } from './types.ts';

/*
 * /proc/net/ip_vs as the kernel's ip_vs_info_seq_show() prints it (net/netfilter/ipvs/ip_vs_ctl.c):
 *   service  "%s  %08X:%04X %s %s "  proto, host-order IPv4, port, scheduler, "ops " or ""
 *            "%s  [%pI6]:%04X %s "   IPv6 (eight 4-digit groups; no ops column)
 *            "FWM  %08X %s %s"       the mark in hex
 *   then     "persistent %d %08X"    timeout in jiffies, netmask   -- or nothing
 *   dest     "  -> %08X:%04X      %-7s %-6d %-10d %-10d"
 * Nothing is sorted: services come in hash order, destinations in insertion order.
 */

const FORMAT = 'proc-ip-vs';

const HEX_ADDRESS_PORT = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})$/;
const BRACKETED_HEX_PORT = /^\[([^\]]*)\]:([0-9A-Fa-f]{4})$/;
const HEX8 = /^[0-9A-Fa-f]{8}$/;
const SIGNED = /^-?\d{1,10}$/;

const SERVICE_TITLE = 'Prot LocalAddress:Port Scheduler Flags';
const DEST_TITLE = '-> RemoteAddress:Port Forward Weight ActiveConn InActConn';

function fail(line: NumberedLine, reason: string): never {
  throw new ParseError(FORMAT, line.number, line.text, reason);
}

function hexIpv4(hex: string): string {
  return dottedQuad(Number.parseInt(hex, 16));
}

/** `0AC80101:01BB` (host-order hex IPv4) or `[fd00:0000:...:0001]:01BB`, both with a hex port. */
function addressPort(line: NumberedLine, token: string, what: string): { address: string; port: number } {
  // What HEX_ADDRESS_PORT matches, decoded from the characters without a match array.
  if (token.length === 13 && token.charCodeAt(8) === 0x3a) {
    const address = hexDigits(token, 0, 8);
    const port = hexDigits(token, 9, 13);
    if (address >= 0 && port >= 0) return { address: dottedQuad(address), port };
  }
  const v4 = HEX_ADDRESS_PORT.exec(token);
  if (v4) return { address: hexIpv4(v4[1] ?? ''), port: Number.parseInt(v4[2] ?? '', 16) };
  const v6 = BRACKETED_HEX_PORT.exec(token);
  const address = v6 ? normalizeIpv6(v6[1] ?? '') : null;
  if (v6 === null || address === null) {
    fail(line, `expected the ${what} as hex XXXXXXXX:PPPP or [IPv6]:PPPP, got "${token}"`);
  }
  return { address, port: Number.parseInt(v6[2] ?? '', 16) };
}

/** The kernel prints weight and connection counters with %d: a counter race shows up as a negative. */
function signed(line: NumberedLine, token: string | undefined, column: string): number {
  if (token !== undefined) {
    // What SIGNED accepts (`-?\d{1,10}`), read from the characters; Number(token) gives the same value.
    const from = token.charCodeAt(0) === 0x2d ? 1 : 0;
    const digits = token.length - from;
    const n = digits >= 1 && digits <= 10 ? decimalDigits(token, from, token.length) : -1;
    if (n >= 0) return from === 1 ? -n : n;
  }
  if (token === undefined || !SIGNED.test(token)) {
    fail(line, `expected a whole number for ${column}, got "${token ?? ''}"`);
  }
  return Number(token);
}

function parseService(
  line: NumberedLine,
  tokens: readonly string[],
): { vs: ProcIpVsVirtualServer; realServers: IpvsRealServer[] } {
  const head = tokens[0] ?? '';
  let protocol: IpvsProtocol | 'FWM';
  let address: string;
  let port: number;
  if (head === 'FWM') {
    const mark = tokens[1] ?? '';
    if (!HEX8.test(mark) || /^0+$/.test(mark)) {
      fail(line, `expected the firewall mark in hex (%08X) after FWM, got "${mark}"`);
    }
    protocol = 'FWM';
    // The contract gives marks in decimal, as ipvsadm prints them.
    address = String(Number.parseInt(mark, 16));
    port = 0;
  } else if (isProtocol(head)) {
    protocol = head;
    ({ address, port } = addressPort(line, tokens[1] ?? '', 'virtual server'));
  } else {
    return fail(line, `unknown protocol "${head}"`);
  }

  const scheduler = tokens[2];
  if (scheduler === undefined || !SCHEDULER.test(scheduler)) {
    fail(line, `expected a scheduler name after the address, got "${scheduler ?? ''}"`);
  }
  const flags: string[] = [];
  let persistentJiffies: number | null = null;
  let persistentNetmask: string | null = null;
  let j = 3;
  if (tokens[j] === 'ops') {
    flags.push('ops');
    j += 1;
  }
  if (tokens[j] === 'persistent') {
    persistentJiffies = decimal(tokens[j + 1] ?? '');
    if (persistentJiffies === null) {
      fail(
        line,
        `expected the persistence timeout in jiffies after "persistent", got "${tokens[j + 1] ?? ''}"`,
      );
    }
    const mask = tokens[j + 2] ?? '';
    if (!HEX8.test(mask)) fail(line, `expected the persistence netmask as 8 hex digits, got "${mask}"`);
    persistentNetmask = mask;
    j += 3;
  }
  if (j < tokens.length) {
    fail(line, `unexpected "${tokens[j]}" after the scheduler (known: ops, persistent <jiffies> <netmask>)`);
  }
  const realServers: IpvsRealServer[] = [];
  return {
    vs: { protocol, address, port, scheduler, persistentJiffies, persistentNetmask, flags, realServers },
    realServers,
  };
}

function parseRealServer(line: NumberedLine, tokens: readonly string[]): IpvsRealServer {
  const { address, port } = addressPort(line, tokens[1] ?? '', 'real server');
  if (tokens.length !== 6) {
    fail(
      line,
      `a real-server line has 4 columns after the address (Forward Weight ActiveConn InActConn), this one ${tokens.length - 2}`,
    );
  }
  const forward = forwardOf(tokens[2] ?? '');
  if (forward === null)
    fail(line, `unknown forward method "${tokens[2] ?? ''}" (expected Masq, Local, Route or Tunnel)`);
  return {
    address,
    port,
    forward,
    weight: signed(line, tokens[3], 'Weight'),
    activeConns: signed(line, tokens[4], 'ActiveConn'),
    inactiveConns: signed(line, tokens[5], 'InActConn'),
  };
}

/**
 * The real-server row exactly as the kernel prints it (`"  -> %08X:%04X      %-7s %-6d %-10d %-10d"`):
 * one sticky regex checks the whole row in native code, cheaper than a JS pass over its padding.
 */
const PLAIN_ROW =
  / {2}-> [0-9A-Fa-f]{8}:[0-9A-Fa-f]{4} +(Masq|Local|Route|Tunnel) +(-?\d{1,10}) +(-?\d{1,10}) +(-?\d{1,10}) */y;

/**
 * A plain IPv4 real-server row read straight from `text[from..to)`, or null for anything else, which
 * then takes the token path. It builds exactly what parseRealServer would (the same six tokens pass
 * the same checks): 9 in 10 lines of a table are such rows.
 */
function plainRealServer(text: string, from: number, to: number): IpvsRealServer | null {
  PLAIN_ROW.lastIndex = from;
  const m = PLAIN_ROW.exec(text);
  if (m === null || PLAIN_ROW.lastIndex !== to) return null;
  const forward = forwardOf(m[1] as string);
  if (forward === null) return null;
  return {
    address: dottedQuad(hexDigits(text, from + 5, from + 13)),
    port: hexDigits(text, from + 14, from + 18),
    forward,
    weight: Number(m[2]),
    activeConns: Number(m[3]),
    inactiveConns: Number(m[4]),
  };
}

/**
 * Parses /proc/net/ip_vs: hex IPv4 addresses and ports decoded to dotted quads and numbers, IPv6 in
 * RFC 5952 form, FWM marks in decimal, and `persistent <jiffies> <netmask>` kept raw
 * (persistentJiffies, persistentNetmask) because HZ is not knowable from user space. The banner and
 * the two header lines are optional (an excerpt may lack them) but must come first and in order.
 * Throws ParseError on anything else, on a real server before any service, on a server listed twice
 * and on elided (`...`) output.
 */
export function parseProcIpVs(text: string): ProcIpVsTable {
  let version: string | null = null;
  let connectionTableSize: number | null = null;
  let phase: 'start' | 'banner' | 'title' | 'body' = 'start';
  let titleLine: NumberedLine | null = null;
  let firstLine: NumberedLine | null = null;
  let sawContent = false;
  const virtualServers: ProcIpVsVirtualServer[] = [];
  const serviceKeys = new Set<string>();
  let open: OpenService | null = null;

  // One line record, updated in place (no object per line); kept lines are copied.
  const line = { number: 0, text: '' };
  const tokens: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // A CR before the newline is dropped, so CRLF captures parse the same (as numberedLines does).
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    line.number += 1;
    // A service is open only in the body (after any title lines): a plain row needs no other check.
    if (open !== null) {
      const rs = plainRealServer(text, start, stop);
      if (rs !== null) {
        if (isRepeatedRealServer(open, rs)) {
          line.text = text.slice(start, stop);
          fail(line, 'this real server is listed twice under one virtual server');
        }
        open.realServers.push(rs);
        start = end + 1;
        continue;
      }
    }
    line.text = text.slice(start, stop);
    start = end + 1;
    firstLine ??= { number: line.number, text: line.text };
    splitBlanks(line.text, tokens);
    if (tokens.length === 0) continue;
    sawContent = true;
    const head = tokens[0] ?? '';

    if (phase === 'title') {
      if (tokens.join(' ') !== DEST_TITLE) fail(line, `expected the second header line "  ${DEST_TITLE}"`);
      phase = 'body';
      continue;
    }
    if (head === '->') {
      if (tokens[1] === 'RemoteAddress:Port')
        fail(line, `a second header line without "${SERVICE_TITLE}" before it`);
      if (open === null) {
        fail(
          line,
          'a real-server line before any virtual-server line (cut output?): cannot tell its service',
        );
      }
      const rs = parseRealServer(line, tokens);
      if (isRepeatedRealServer(open, rs))
        fail(line, 'this real server is listed twice under one virtual server');
      open.realServers.push(rs);
    } else if (head === 'FWM' || isProtocol(head)) {
      const { vs, realServers } = parseService(line, tokens);
      const key = endpointKey(vs.protocol, vs.address, vs.port);
      if (serviceKeys.has(key)) fail(line, 'this virtual server is listed twice (two reads concatenated?)');
      serviceKeys.add(key);
      virtualServers.push(vs);
      open = { realServers, keys: null };
      phase = 'body';
    } else if (head === 'IP' && BANNER.test(line.text.trim())) {
      if (phase !== 'start') fail(line, 'a banner line after the table started (two reads concatenated?)');
      const m = BANNER.exec(line.text.trim());
      version = m?.[1] ?? null;
      connectionTableSize = decimal(m?.[2] ?? '');
      phase = 'banner';
    } else if (head === 'Prot') {
      if (phase === 'body') fail(line, 'a header line after the table started (two reads concatenated?)');
      if (tokens.join(' ') !== SERVICE_TITLE) fail(line, `expected the header line "${SERVICE_TITLE}"`);
      titleLine = { number: line.number, text: line.text };
      phase = 'title';
    } else if (isElision(line.text.trim())) {
      fail(
        line,
        'an elision line: part of the table was left out, so it cannot be judged; capture the whole file',
      );
    } else {
      fail(
        line,
        'not a line of /proc/net/ip_vs (banner, header, virtual-server or "  -> " real-server line)',
      );
    }
  }

  if (phase === 'title' && titleLine !== null)
    fail(titleLine, 'the file ends after the first header line (cut output?)');
  if (!sawContent) {
    throw new ParseError(
      FORMAT,
      1,
      firstLine?.text ?? '',
      'empty input: /proc/net/ip_vs always starts with its banner and header lines',
    );
  }
  return { version, connectionTableSize, virtualServers };
}
