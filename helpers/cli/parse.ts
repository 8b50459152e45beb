import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERBATIM_MARKER } from '../parse/fixture-file.ts';
import {
  ParseError,
  parseIpAddr,
  parseIpset,
  parseIptablesSave,
  parseIpvsadm,
  parseProcIpVs,
  parseSysctl,
} from '../parse/index.ts';

/** What one run of the parse CLI prints and how it exits (kept apart from the process so it is unit-testable). */
export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Reads the named input; `-` means standard input. Throws when it cannot be read. */
export type ReadInput = (source: string) => string | Promise<string>;

/** A parser as the CLI calls it: raw tool output in, a JSON-serialisable shape out, ParseError on bad input. */
export type CliParser = (text: string) => unknown;

/** The CLI's format names (DESIGN.md section 4) and the parser behind each. */
export const PARSERS: Readonly<Record<string, CliParser>> = {
  ipvsadm: parseIpvsadm,
  'proc-ip-vs': parseProcIpVs,
  ipset: parseIpset,
  'iptables-save': parseIptablesSave,
  'ip-addr': parseIpAddr,
  sysctl: parseSysctl,
};

/** The usage text, naming every format (printed on bad arguments and for --help). */
export function usage(parsers: Readonly<Record<string, CliParser>> = PARSERS): string {
  return [
    'usage: npm run --silent parse -- <format> <file|->',
    `  <format>  one of: ${Object.keys(parsers).join(', ')}`,
    '  <file>    raw tool output; - reads standard input. A capture file (source header, then the line',
    `            "${VERBATIM_MARKER}") is read from below that line; error line numbers stay the file's.`,
    'Prints the parsed result as JSON on stdout. Exit 0 when it parsed; exit 2 when the input does not parse',
    '(stderr: "error: <line number>: <reason>") or the arguments are wrong; exit 1 on an internal error.',
  ].join('\n');
}

function usageError(message: string, parsers: Readonly<Record<string, CliParser>>): CliResult {
  return { stdout: '', stderr: `parse: ${message}\n${usage(parsers)}\n`, exitCode: 2 };
}

/**
 * The tool output inside `text`: all of it, or, for a capture file (shared/captures, fixtures), what
 * follows the marker line, with the number of lines above it so errors can name the file's line.
 */
export function toolOutput(text: string): { readonly body: string; readonly lineOffset: number } {
  const marker = text.startsWith(`${VERBATIM_MARKER}\n`) ? 0 : text.indexOf(`\n${VERBATIM_MARKER}\n`);
  if (marker < 0) return { body: text, lineOffset: 0 };
  const end = text.indexOf('\n', marker === 0 ? 0 : marker + 1) + 1;
  return { body: text.slice(end), lineOffset: text.slice(0, end).split('\n').length - 1 };
}

/**
 * Runs the parse CLI on `argv` (the arguments after the script name). Raw tool output goes to the parser
 * untouched; a capture file's header is skipped (see {@link toolOutput}).
 */
export async function runParseCli(
  argv: readonly string[],
  readInput: ReadInput,
  parsers: Readonly<Record<string, CliParser>> = PARSERS,
): Promise<CliResult> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  if (args.length === 1 && (args[0] === '-h' || args[0] === '--help')) {
    return { stdout: `${usage(parsers)}\n`, stderr: '', exitCode: 0 };
  }
  if (args.length !== 2) {
    return usageError(`expected 2 arguments (format and file), got ${args.length}`, parsers);
  }
  const [format = '', source = ''] = args;
  const parser = Object.hasOwn(parsers, format) ? parsers[format] : undefined;
  if (parser === undefined) return usageError(`unknown format ${JSON.stringify(format)}`, parsers);
  let text: string;
  try {
    text = await readInput(source);
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message : String(e);
    return usageError(
      `cannot read ${source === '-' ? 'standard input' : JSON.stringify(source)}: ${why}`,
      parsers,
    );
  }
  const { body, lineOffset } = toolOutput(text);
  try {
    return { stdout: `${JSON.stringify(parser(body), null, 2)}\n`, stderr: '', exitCode: 0 };
  } catch (e: unknown) {
    if (e instanceof ParseError)
      return { stdout: '', stderr: `error: ${e.line + lineOffset}: ${e.reason}\n`, exitCode: 2 };
    // Anything else is a bug in a parser, not bad input: keep it apart from exit 2 so scripts can tell.
    const why = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return {
      stdout: '',
      stderr: `parse: internal error in the ${format} parser (please report): ${why}\n`,
      exitCode: 1,
    };
  }
}

/** Reads a file, or all of standard input for `-`. */
export async function readInputFromProcess(source: string): Promise<string> {
  if (source !== '-') return readFile(source, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && resolve(invokedPath) === fileURLToPath(import.meta.url)) {
  const result = await runParseCli(process.argv.slice(2), readInputFromProcess);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}
