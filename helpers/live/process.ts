import { execa } from 'execa';

/** What one finished command printed and how it exited. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** How to run one command. */
export interface RunOptions {
  /** Hard deadline: the process is killed (SIGTERM, then SIGKILL) and CommandError thrown. */
  readonly timeoutMs: number;
  /** Exit codes that count as success (default `[0]`); any other throws CommandError. */
  readonly okExitCodes?: readonly number[];
  /** Text written to stdin; without it stdin is closed so nothing can wait on a terminal. */
  readonly input?: string;
  /** Extra environment on top of the parent's. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs one argv (no shell on the host) and returns its output; the one way the live shell runs commands. */
export type Runner = (argv: readonly string[], options: RunOptions) => Promise<ExecResult>;

/** Counts the live run's execs and API calls for the bundle's `counters`. */
export class CallCounter {
  execs = 0;
  apiCalls = 0;
  /** A plain copy for the bundle. */
  snapshot(): { execs: number; apiCalls: number } {
    return { execs: this.execs, apiCalls: this.apiCalls };
  }
}

const TAIL_LINES = 15;
const TAIL_CHARS = 2_000;

/** The last lines of a command's stderr, short enough for an error message. */
export function tail(text: string, lines = TAIL_LINES, chars = TAIL_CHARS): string {
  const trimmed = text.replace(/\s+$/, '');
  const kept = trimmed.split('\n').slice(-lines).join('\n');
  return kept.length > chars ? `…${kept.slice(-chars)}` : kept;
}

/** Quotes one word for a POSIX shell (used for messages and for scripts handed to `sh -c`). */
export function shQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** argv as a copy-pasteable command line. */
export function renderArgv(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ');
}

/** A command that failed to start, exited with an unexpected code, or hit its deadline. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    /** null when the process never exited by itself (not started, killed on timeout or by a signal). */
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    /** Set when the deadline killed the process. */
    readonly timedOutAfterMs: number | null,
    reason: string,
  ) {
    const stderrTail = tail(stderr);
    super(`${renderArgv(argv)}: ${reason}${stderrTail === '' ? '' : `\nstderr (tail):\n${stderrTail}`}`);
  }
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return String(v);
}

/**
 * The execa-backed Runner; every call counts as one exec on `counter`. `baseEnv` is laid over the
 * parent's environment for every call (tests point PATH at fake executables with it).
 */
export function execaRunner(counter?: CallCounter, baseEnv?: Readonly<Record<string, string>>): Runner {
  return async (argv, options) => {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('execaRunner: empty argv');
    if (counter) counter.execs++;
    const result = await execa(file, args, {
      timeout: options.timeoutMs,
      forceKillAfterDelay: 2_000,
      reject: false,
      stripFinalNewline: false,
      ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
      ...(options.env === undefined && baseEnv === undefined ? {} : { env: { ...baseEnv, ...options.env } }),
    });
    const stdout = str(result.stdout);
    const stderr = str(result.stderr);
    if (result.timedOut) {
      throw new CommandError(
        argv,
        null,
        stdout,
        stderr,
        options.timeoutMs,
        `no answer within ${options.timeoutMs} ms (killed)`,
      );
    }
    if (result.exitCode === undefined) {
      const why =
        result.code === 'ENOENT'
          ? `${file} not found on PATH`
          : result.signal
            ? `killed by ${result.signal}`
            : (result.shortMessage ?? 'did not run');
      throw new CommandError(argv, null, stdout, stderr, null, why);
    }
    const ok = options.okExitCodes ?? [0];
    if (!ok.includes(result.exitCode)) {
      throw new CommandError(argv, result.exitCode, stdout, stderr, null, `exit code ${result.exitCode}`);
    }
    return { stdout, stderr, exitCode: result.exitCode };
  };
}
