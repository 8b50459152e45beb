/**
 * Namespace lifecycle of helpers/live/netns.ts on the real kernel: namespaces are always removed
 * (await using, try/finally, process exit, SIGTERM/SIGINT), and one it did not create is never
 * adopted or deleted.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  aliveNetns,
  createNetns,
  netnsArgv,
  netnsName,
  probeNetns,
  withNetnsGroup,
} from '../../helpers/live/netns.ts';

const availability = await probeNetns();
const skipReason = availability.ok ? null : availability.reason;
const skipped = (title: string): string =>
  skipReason === null ? title : `${title} [skipped: ${skipReason}]`;

const CHILD = fileURLToPath(new URL('./hold-netns.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function listNetns(): Promise<string[]> {
  const r = await execa('ip', ['netns', 'list'], { timeout: 10_000 });
  // `ip netns list` prints `name` or `name (id: N)`.
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((l) => l !== '');
}

/** Runs hold-netns.ts in `mode`, returns the namespace name it printed and the finished child. */
async function child(mode: 'signal' | 'exit', signal?: NodeJS.Signals) {
  const p = execa(process.execPath, ['--import', 'tsx', CHILD, mode], {
    cwd: ROOT,
    timeout: 40_000,
    reject: false,
  });
  const name = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`hold-netns.ts printed no namespace name within 30 s (stdout: ${out})`)),
      30_000,
    );
    p.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^(kipvs-\S+)\n/m.exec(out)?.[1];
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    p.catch(reject);
  });
  // Only the child we started, by its own pid (execa's kill targets p.pid).
  if (signal !== undefined) {
    expect(await listNetns()).toContain(name);
    p.kill(signal);
  }
  return { name, result: await p };
}

describe.skipIf(skipReason !== null)(skipped('network namespace lifecycle'), () => {
  it('await using removes the namespace when the block ends, also by an exception', async () => {
    let name = '';
    const body = async () => {
      await using ns = await createNetns('using');
      name = ns.name;
      expect(await listNetns()).toContain(name);
      expect(name).toMatch(new RegExp(`^kipvs-${process.pid}-[0-9a-f]{6}-using$`));
      throw new Error('body failed');
    };
    await expect(body()).rejects.toThrow('body failed');
    expect(await listNetns()).not.toContain(name);
    expect(aliveNetns()).toEqual([]);
  });

  it('withNetnsGroup removes every namespace of the group when the body throws', async () => {
    let names: string[] = [];
    await expect(
      withNetnsGroup(['a', 'b', 'c'], async (g) => {
        names = g.handles.map((h) => h.name);
        throw new Error('body failed');
      }),
    ).rejects.toThrow('body failed');
    expect(names).toHaveLength(3);
    const left = await listNetns();
    expect(names.filter((n) => left.includes(n))).toEqual([]);
  });

  it('never adopts or deletes a namespace it did not create, even one with the very name it would choose', async () => {
    const random = randomBytes(3).toString('hex');
    const foreign = netnsName('foreign', process.pid, random);
    await execa('ip', netnsArgv.add(foreign).slice(1), { timeout: 10_000 });
    try {
      await expect(createNetns('foreign', { random })).rejects.toThrow(/File exists/);
      expect(aliveNetns()).not.toContain(foreign);
      expect(await listNetns()).toContain(foreign);
    } finally {
      await execa('ip', netnsArgv.delete(foreign).slice(1), { timeout: 10_000 });
    }
  });

  it('a process that exits without removing its namespace still removes it (exit hook)', async () => {
    const { name, result } = await child('exit');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await listNetns()).not.toContain(name);
  });

  it('SIGTERM removes the namespace and the process still dies of SIGTERM', async () => {
    const { name, result } = await child('signal', 'SIGTERM');
    expect(result.signal, result.stderr).toBe('SIGTERM');
    expect(await listNetns()).not.toContain(name);
  });

  it('SIGINT removes the namespace and the process still dies of SIGINT', async () => {
    const { name, result } = await child('signal', 'SIGINT');
    expect(result.signal, result.stderr).toBe('SIGINT');
    expect(await listNetns()).not.toContain(name);
  });
});
