import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CallCounter, CommandError, execaRunner, renderArgv, shQuote, tail } from './process.ts';

describe('execaRunner', () => {
  it('returns stdout, stderr and the exit code, and counts the exec', async () => {
    const counter = new CallCounter();
    const run = execaRunner(counter);
    const r = await run(['sh', '-c', 'printf out; printf err >&2'], { timeoutMs: 5_000 });
    expect(r).toEqual({ stdout: 'out', stderr: 'err', exitCode: 0 });
    expect(counter.snapshot()).toEqual({ execs: 1, apiCalls: 0 });
  });

  it('throws CommandError naming argv, exit code and stderr tail on an unexpected exit code', async () => {
    const run = execaRunner();
    const err = await run(['sh', '-c', 'echo boom >&2; exit 3'], { timeoutMs: 5_000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CommandError);
    const ce = err as CommandError;
    expect(ce.exitCode).toBe(3);
    expect(ce.timedOutAfterMs).toBeNull();
    expect(ce.message).toBe("sh -c 'echo boom >&2; exit 3': exit code 3\nstderr (tail):\nboom");
  });

  it('accepts listed exit codes', async () => {
    const r = await execaRunner()(['sh', '-c', 'exit 1'], { timeoutMs: 5_000, okExitCodes: [0, 1] });
    expect(r.exitCode).toBe(1);
  });

  it('kills a command at its deadline and says so', async () => {
    const started = Date.now();
    const err = await execaRunner()(['sleep', '10'], { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).timedOutAfterMs).toBe(200);
    expect((err as CommandError).message).toMatch(/^sleep 10: no answer within 200 ms \(killed\)/);
  });

  it('names a missing executable', async () => {
    const err = await execaRunner()(['no-such-binary-kind-ipvs'], { timeoutMs: 1_000 }).catch(
      (e: unknown) => e,
    );
    expect((err as CommandError).message).toMatch(/no-such-binary-kind-ipvs not found on PATH/);
  });

  it('feeds input on stdin', async () => {
    const r = await execaRunner()(['cat'], { timeoutMs: 5_000, input: 'hello' });
    expect(r.stdout).toBe('hello');
  });
});

describe('shQuote', () => {
  it.each(['plain', "it's", 'a b', '', '$(echo no)', 'x\ny', "''", '\\'])(
    'round-trips %j through sh',
    (word) => {
      const out = execFileSync('sh', ['-c', `printf %s ${shQuote(word)}`], { encoding: 'utf8' });
      expect(out).toBe(word);
    },
  );

  it('renders argv for messages', () => {
    expect(renderArgv(['kind', 'create', 'cluster', '--name', 'a b'])).toBe(
      "kind create cluster --name 'a b'",
    );
  });
});

describe('tail', () => {
  it('keeps the last lines and caps the length', () => {
    const text = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    expect(tail(text).split('\n')).toHaveLength(15);
    expect(tail(text).endsWith('line 29')).toBe(true);
    expect(tail('x'.repeat(5000)).length).toBe(2001);
  });
});
