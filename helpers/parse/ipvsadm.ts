import { ParseError } from './errors.ts';
import {
  BANNER,
  decimal,
  decimalPort,
  endpointKey,
  forwardOf,
  isElision,
  isForward,
  isProtocol,
  isRepeatedRealServer,
  normalizeIpv6,
  type OpenService,
  SCHEDULER,
  splitBlanks,
} from './ipvs-common.ts';
import type { NumberedLine } from './lines.ts';
import type { IpvsCounters, IpvsProtocol, IpvsRealServer, IpvsTable, IpvsVirtualServer } from './types.ts';

/*
 * `ipvsadm -Ln` in the layouts of ipvsadm 1.31 (ipvsadm.c list_all / list_service / print_title /
 * print_service_entry). The title line decides which columns the rows carry; without titles (a
 * grep'd excerpt) only the plain list is accepted, because the numeric column forms cannot be told
 * apart from their rows alone.
 */

const FORMAT = 'ipvsadm';

type ListForm = 'list' | NonNullable<IpvsTable['listForm']>;

/** Column words of the first title line after `Prot LocalAddress:Port`, per list form. */
const FORM_BY_TITLE: ReadonlyMap<string, ListForm> = new Map<string, ListForm>([
  ['Scheduler Flags', 'list'],
  ['Conns InPkts OutPkts InBytes OutBytes', 'stats'],
  ['CPS InPPS OutPPS InBPS OutBPS', 'rate'],
  ['Uthreshold Lthreshold ActiveConn InActConn', 'thresholds'],
  ['Weight PersistConn ActiveConn InActConn', 'persistent-conn'],
]);

const LIST_DEST_TITLE = 'Forward Weight ActiveConn InActConn';
const TUN_INFO_DEST_TITLE = 'Forward TunnelInfo Weight ActiveConn InActConn';

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const BRACKETED = /^\[([^\]]*)\]:(.*)$/;
const SCHED_FLAG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const PE_NAME = /^[a-z][a-z0-9_]*$/;
const LARGENUM = /^(\d{1,20})([KMGT]?)$/;
const SCALE: Readonly<Record<string, number>> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
const MAX_FWMARK = 0xffff_ffff;

const NAME_HINT =
  'ipvsadm without -n prints host and service names instead of numbers; capture `ipvsadm -Ln` (numeric)';
const COLUMNS_HINT =
  'the --stats/--rate/--thresholds/--persistent-conn rows can only be read with their title line; keep it';

/** Names of the five counters of `--stats` and of `--rate`, in column order. */
const STATS_KEYS = ['conns', 'inPkts', 'outPkts', 'inBytes', 'outBytes'] as const;
const RATE_KEYS = ['cps', 'inPps', 'outPps', 'inBps', 'outBps'] as const;

function fail(line: NumberedLine, reason: string): never {
  throw new ParseError(FORMAT, line.number, line.text, reason);
}

/** `10.0.0.1:443` or `[fd00::1]:443`, numeric only (ipvsadm's addrport_to_anyname with -n). */
function addressPort(line: NumberedLine, token: string, what: string): { address: string; port: number } {
  let addressText: string;
  let portText: string;
  let address: string | null;
  const bracketed = token.startsWith('[') ? BRACKETED.exec(token) : null;
  if (bracketed) {
    addressText = bracketed[1] ?? '';
    portText = bracketed[2] ?? '';
    address = normalizeIpv6(addressText);
  } else {
    const colon = token.lastIndexOf(':');
    if (colon < 0) fail(line, `expected the ${what} as address:port, got "${token}"`);
    addressText = token.slice(0, colon);
    portText = token.slice(colon + 1);
    address = IPV4.test(addressText) ? addressText : null;
  }
  if (address === null)
    fail(line, `"${addressText}" is not a numeric IPv4 or [IPv6] ${what} address; ${NAME_HINT}`);
  const port = decimalPort(portText);
  if (port === null) fail(line, `"${portText}" is not a numeric port (0-65535) of the ${what}; ${NAME_HINT}`);
  return { address, port };
}

/** A number as print_largenum prints it: `%9llu`, or truncated thousands with a K/M/G/T suffix. */
function largenum(line: NumberedLine, token: string, column: string): number {
  const m = LARGENUM.exec(token);
  if (!m)
    fail(line, `expected a counter for ${column} (digits with an optional K/M/G/T suffix), got "${token}"`);
  // The suffixed forms are truncated (value / 1000 etc.), so the expansion is a lower bound.
  return Number(m[1]) * (SCALE[m[2] ?? ''] ?? 1);
}

function counters(
  line: NumberedLine,
  tokens: readonly string[],
  from: number,
  form: 'stats' | 'rate',
): IpvsCounters {
  const keys = form === 'stats' ? STATS_KEYS : RATE_KEYS;
  if (tokens.length !== from + keys.length) {
    fail(line, `expected ${keys.length} --${form} counters after the address, got ${tokens.length - from}`);
  }
  const out: Partial<Record<(typeof keys)[number], number>> = {};
  for (let k = 0; k < keys.length; k += 1) {
    const key = keys[k] as (typeof keys)[number];
    out[key] = largenum(line, tokens[from + k] ?? '', key);
  }
  return out;
}

function count(line: NumberedLine, token: string | undefined, column: string): number {
  const n = decimal(token ?? '');
  if (n === null) fail(line, `expected a whole number for ${column}, got "${token ?? ''}"`);
  return n;
}

/** What follows the scheduler in the plain list: `(sched flags) persistent N mask M pe NAME ops`. */
function serviceFlags(
  line: NumberedLine,
  tokens: readonly string[],
  from: number,
): { persistent: number | null; flags: string[] } {
  let persistent: number | null = null;
  const flags: string[] = [];
  let j = from;
  const schedFlags = tokens[j];
  if (schedFlags?.startsWith('(')) {
    if (!schedFlags.endsWith(')') || schedFlags.length < 3) {
      fail(line, `scheduler flags must be "(name,name)", got "${schedFlags}"`);
    }
    for (const name of schedFlags.slice(1, -1).split(',')) {
      if (!SCHED_FLAG.test(name)) fail(line, `"${name}" is not a scheduler flag name`);
      flags.push(name);
    }
    j += 1;
  }
  for (; j < tokens.length; j += 1) {
    const word = tokens[j] ?? '';
    const value = tokens[j + 1];
    if (word === 'persistent') {
      if (persistent !== null) fail(line, '"persistent" is printed twice');
      persistent = count(line, value, 'the persistence timeout (seconds)');
      j += 1;
    } else if (word === 'mask') {
      // IPv4 services print a dotted netmask, IPv6 ones a prefix length.
      const plen = decimal(value ?? '');
      if (!(value !== undefined && (IPV4.test(value) || (plen !== null && plen <= 128)))) {
        fail(line, `"mask" needs a dotted netmask or a prefix length, got "${value ?? ''}"`);
      }
      flags.push(`mask ${value}`);
      j += 1;
    } else if (word === 'pe') {
      if (value === undefined || !PE_NAME.test(value)) {
        fail(line, `"pe" needs a persistence engine name, got "${value ?? ''}"`);
      }
      flags.push(`pe ${value}`);
      j += 1;
    } else if (word === 'ops') {
      if (flags.includes('ops')) fail(line, '"ops" is printed twice');
      flags.push('ops');
    } else {
      fail(
        line,
        `unknown service flag "${word}" (known: (scheduler flags), persistent N, mask M, pe NAME, ops)`,
      );
    }
  }
  return { persistent, flags };
}

function parseService(
  line: NumberedLine,
  tokens: readonly string[],
  form: ListForm,
): { vs: IpvsVirtualServer; realServers: IpvsRealServer[] } {
  const head = tokens[0] ?? '';
  let protocol: IpvsProtocol | 'FWM';
  let address: string;
  let port: number;
  let family: 'inet' | 'inet6' | null = null;
  let next: number;
  if (head === 'FWM') {
    const mark = decimal(tokens[1] ?? '');
    if (mark === null || mark === 0 || mark > MAX_FWMARK) {
      fail(line, `expected a firewall mark (1-4294967295) after FWM, got "${tokens[1] ?? ''}"`);
    }
    protocol = 'FWM';
    address = String(mark);
    port = 0;
    // print_service_entry appends " IPv6" to the mark of an IPv6 fwmark service.
    family = tokens[2] === 'IPv6' ? 'inet6' : 'inet';
    next = family === 'inet6' ? 3 : 2;
  } else if (isProtocol(head)) {
    protocol = head;
    ({ address, port } = addressPort(line, tokens[1] ?? '', 'virtual server'));
    next = 2;
  } else {
    return fail(line, `unknown protocol "${head}"`);
  }

  const realServers: IpvsRealServer[] = [];
  // Literals instead of object spread (several times slower); the key order is the one JSON shows.
  if (form === 'stats' || form === 'rate') {
    // These forms print counters instead of the scheduler and flags (placeholders: see parseIpvsadm).
    const stats = counters(line, tokens, next, form);
    const flags: string[] = [];
    const vs: IpvsVirtualServer =
      family === null
        ? { protocol, address, port, scheduler: '', persistent: null, flags, realServers, stats }
        : { protocol, address, port, scheduler: '', persistent: null, flags, realServers, family, stats };
    return { vs, realServers };
  }
  const scheduler = tokens[next];
  if (scheduler === undefined) fail(line, 'the virtual-server line has no scheduler after the address');
  if (!SCHEDULER.test(scheduler)) {
    fail(line, `expected a scheduler name after the address, got "${scheduler}"; ${COLUMNS_HINT}`);
  }
  const { persistent, flags } = serviceFlags(line, tokens, next + 1);
  const vs: IpvsVirtualServer =
    family === null
      ? { protocol, address, port, scheduler, persistent, flags, realServers }
      : { protocol, address, port, scheduler, persistent, flags, realServers, family };
  return { vs, realServers };
}

function parseRealServer(line: NumberedLine, tokens: readonly string[], form: ListForm): IpvsRealServer {
  const { address, port } = addressPort(line, tokens[1] ?? '', 'real server');
  const expected = form === 'stats' || form === 'rate' ? 7 : 6;
  if (tokens.length !== expected) {
    fail(
      line,
      `a ${form === 'list' ? 'plain -Ln' : `--${form}`} real-server line has ${expected - 2} columns after the address, this one ${tokens.length - 2}` +
        (form === 'list' ? `; ${COLUMNS_HINT}` : ''),
    );
  }
  switch (form) {
    case 'list': {
      const forward = tokens[2] ?? '';
      if (!isForward(forward)) {
        fail(
          line,
          `unknown forward method "${forward}" (expected Masq, Local, Route or Tunnel); ${COLUMNS_HINT}`,
        );
      }
      return {
        address,
        port,
        forward,
        weight: count(line, tokens[3], 'Weight'),
        activeConns: count(line, tokens[4], 'ActiveConn'),
        inactiveConns: count(line, tokens[5], 'InActConn'),
      };
    }
    case 'stats':
    case 'rate':
      return {
        address,
        port,
        forward: 'Masq',
        weight: 0,
        activeConns: 0,
        inactiveConns: 0,
        stats: counters(line, tokens, 2, form),
      };
    case 'thresholds':
      return {
        address,
        port,
        forward: 'Masq',
        weight: 0,
        upperThreshold: count(line, tokens[2], 'Uthreshold'),
        lowerThreshold: count(line, tokens[3], 'Lthreshold'),
        activeConns: count(line, tokens[4], 'ActiveConn'),
        inactiveConns: count(line, tokens[5], 'InActConn'),
      };
    case 'persistent-conn':
      return {
        address,
        port,
        forward: 'Masq',
        weight: count(line, tokens[2], 'Weight'),
        persistentConns: count(line, tokens[3], 'PersistConn'),
        activeConns: count(line, tokens[4], 'ActiveConn'),
        inactiveConns: count(line, tokens[5], 'InActConn'),
      };
  }
}

/**
 * The plain-list real-server row as ipvsadm prints it (`"  -> %-28s %-7s %-6d %-10u %-10u"`, IPv4):
 * one sticky regex checks the whole row in native code, cheaper than a JS pass over its padding.
 */
const PLAIN_ROW =
  / {2}-> (\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5}) +(Masq|Local|Route|Tunnel) +(\d{1,15}) +(\d{1,15}) +(\d{1,15}) */y;

/**
 * A plain-list IPv4 real-server row read straight from `text[from..to)`, or null for anything else,
 * which then takes the token path. It builds exactly what parseRealServer would (the same six tokens
 * pass the same checks; up to 15 digits a count is always exact): 9 in 10 lines of a table are such rows.
 */
function plainRealServer(text: string, from: number, to: number): IpvsRealServer | null {
  PLAIN_ROW.lastIndex = from;
  const m = PLAIN_ROW.exec(text);
  if (m === null || PLAIN_ROW.lastIndex !== to) return null;
  const address = m[1] as string;
  const port = Number(m[2]);
  const forward = forwardOf(m[3] as string);
  if (!IPV4.test(address) || port > 65535 || forward === null) return null;
  return {
    address,
    port,
    forward,
    weight: Number(m[4]),
    activeConns: Number(m[5]),
    inactiveConns: Number(m[6]),
  };
}

/**
 * Parses `ipvsadm -Ln` output: with or without the banner and title lines, the `-t/-u/--sctp-service
 * addr:port` single-service form, and the `--stats`, `--rate` (K/M/G/T counters expanded),
 * `--thresholds` and `--persistent-conn` column forms. IPv6 addresses come back in RFC 5952 form.
 *
 * The column forms do not print every plain-list column; the table then has `listForm` set and the
 * missing fields hold placeholders: scheduler `''`, persistent null, flags `[]`, forward `'Masq'`,
 * and weight/activeConns/inactiveConns 0 where the form lacks them.
 *
 * Throws ParseError on anything else: host or service names (no `-n`), elided (`...`) or cut
 * output, a real server before any virtual server, a server listed twice, `ipvsadm -S` rules.
 */
export function parseIpvsadm(text: string): IpvsTable {
  let version: string | null = null;
  let connectionTableSize: number | null = null;
  let form: ListForm = 'list';
  let phase: 'start' | 'banner' | 'title' | 'body' = 'start';
  let titleLine: NumberedLine | null = null;
  let firstLine: NumberedLine | null = null;
  let sawContent = false;
  const virtualServers: IpvsVirtualServer[] = [];
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
    if (open !== null && form === 'list') {
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
    // Blank lines carry nothing (ipvsadm prints none; pasted captures sometimes have them).
    if (tokens.length === 0) continue;
    sawContent = true;
    const head = tokens[0] ?? '';

    if (phase === 'title') {
      if (head !== '->' || tokens[1] !== 'RemoteAddress:Port') {
        fail(line, 'expected the second title line "  -> RemoteAddress:Port ..." after the first one');
      }
      const columns = tokens.slice(2).join(' ');
      if (columns === TUN_INFO_DEST_TITLE) {
        fail(line, 'the --tun-info list form is not supported; capture plain `ipvsadm -Ln`');
      }
      const expected = form === 'list' ? LIST_DEST_TITLE : '';
      if (columns !== expected) {
        fail(line, `the second title line should end in "${expected}" for this list form, not "${columns}"`);
      }
      phase = 'body';
      continue;
    }

    if (head === '->') {
      if (tokens[1] === 'RemoteAddress:Port') {
        fail(line, 'a second title line without the first ("Prot LocalAddress:Port ...") before it');
      }
      if (open === null) {
        fail(
          line,
          'a real-server line before any virtual-server line (cut output?): cannot tell its service',
        );
      }
      const rs = parseRealServer(line, tokens, form);
      if (isRepeatedRealServer(open, rs))
        fail(line, 'this real server is listed twice under one virtual server');
      open.realServers.push(rs);
    } else if (head === 'FWM' || isProtocol(head)) {
      const { vs, realServers } = parseService(line, tokens, form);
      const key = endpointKey(vs.protocol, vs.address, vs.port, vs.family);
      if (serviceKeys.has(key)) fail(line, 'this virtual server is listed twice (two outputs concatenated?)');
      serviceKeys.add(key);
      virtualServers.push(vs);
      // realServers is the array inside vs: the rows that follow append to it in place.
      open = { realServers, keys: null };
      phase = 'body';
    } else if (head === 'IP' && BANNER.test(line.text.trim())) {
      if (phase !== 'start') fail(line, 'a banner line after the table started (two outputs concatenated?)');
      const m = BANNER.exec(line.text.trim());
      version = m?.[1] ?? null;
      connectionTableSize = decimal(m?.[2] ?? '');
      phase = 'banner';
    } else if (head === 'Prot') {
      if (phase === 'body') fail(line, 'a title line after the table started (two outputs concatenated?)');
      const columns = tokens.slice(2).join(' ');
      const titleForm = tokens[1] === 'LocalAddress:Port' ? FORM_BY_TITLE.get(columns) : undefined;
      if (titleForm === undefined) {
        fail(
          line,
          `unknown title line; known columns after "Prot LocalAddress:Port": ${[...FORM_BY_TITLE.keys()].join(' | ')}`,
        );
      }
      form = titleForm;
      titleLine = { number: line.number, text: line.text };
      phase = 'title';
    } else if (isElision(line.text.trim())) {
      fail(
        line,
        'an elision line: part of the table was left out, so it cannot be judged; capture the whole output',
      );
    } else if (head === '-A' || head === '-a') {
      fail(line, '`ipvsadm -S` (save) rules are not supported; capture `ipvsadm -Ln`');
    } else {
      fail(line, 'not a line of `ipvsadm -Ln` (banner, title, virtual-server or "  -> " real-server line)');
    }
  }

  if (phase === 'title' && titleLine !== null) {
    fail(titleLine, 'the output ends after the first title line (cut output?)');
  }
  if (!sawContent) {
    throw new ParseError(
      FORMAT,
      1,
      firstLine?.text ?? '',
      'empty input: `ipvsadm -Ln` always prints at least its banner or title lines',
    );
  }
  return {
    version,
    connectionTableSize,
    ...(form === 'list' ? {} : { listForm: form }),
    virtualServers,
  };
}
