import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  aliveNetns,
  createNetns,
  createNetnsGroup,
  NETNS_IPSET_COMMAND,
  NetnsExecTransport,
  netnsArgv,
  netnsEnterFailure,
  netnsName,
  probeNetns,
  snapshotNetnsNode,
  withNetnsGroup,
} from './netns.ts';
import type { NodeTransport } from './node-snapshot.ts';
import { CommandError, type ExecResult, type Runner, type RunOptions } from './process.ts';

interface Call {
  readonly argv: readonly string[];
  readonly options: RunOptions;
}

/** A Runner that records calls and answers from `answer` (default: exit 0, no output). */
function fakeRunner(
  answer: (argv: readonly string[]) => ExecResult | Error = () => ({ stdout: '', stderr: '', exitCode: 0 }),
): {
  run: Runner;
  calls: Call[];
} {
  const calls: Call[] = [];
  const run: Runner = async (argv, options) => {
    calls.push({ argv, options });
    const r = answer(argv);
    if (r instanceof Error) throw r;
    return r;
  };
  return { run, calls };
}

const ok = (stdout = ''): ExecResult => ({ stdout, stderr: '', exitCode: 0 });

afterEach(() => {
  // Every test must leave the process registry empty, or the exit hook would try real deletes.
  expect(aliveNetns()).toEqual([]);
});

describe('netnsName', () => {
  it('is kipvs-<pid>-<random>-<node>', () => {
    expect(netnsName('kind-worker', 4242, 'a1b2c3')).toBe('kipvs-4242-a1b2c3-kind-worker');
  });
  it('replaces characters a file name under /run/netns must not have', () => {
    expect(netnsName('a/b c', 1, 'x')).toBe('kipvs-1-x-a_b_c');
    expect(netnsName('..', 1, 'x')).toBe('kipvs-1-x-_');
    expect(netnsName('', 1, 'x')).toBe('kipvs-1-x-node');
  });
  it('refuses a random part that could break the name', () => {
    expect(() => netnsName('n', 1, 'a-b')).toThrow(/random part/);
  });
});

describe('netnsEnterFailure', () => {
  it('recognises ip netns exec failing to enter the namespace', () => {
    const r = {
      stdout: '',
      stderr: 'Cannot open network namespace "kipvs-x": No such file or directory\n',
      exitCode: 255,
    };
    expect(netnsEnterFailure(r)).toMatch(/Cannot open network namespace/);
  });
  it('leaves the script’s own exit codes alone, 255 included', () => {
    expect(
      netnsEnterFailure({ stdout: '', stderr: 'Cannot open network namespace', exitCode: 1 }),
    ).toBeNull();
    expect(netnsEnterFailure({ stdout: '', stderr: 'boom', exitCode: 255 })).toBeNull();
  });
});

describe('NetnsExecTransport', () => {
  it('runs sh -c <script> under ip netns exec and returns any exit code', async () => {
    const f = fakeRunner(() => ({ stdout: 'out', stderr: 'err', exitCode: 3 }));
    const t = new NetnsExecTransport(f.run, 'kind-worker', 'kipvs-1-x-kind-worker');
    const r = await t.exec('echo hi', 1234);
    expect(r).toEqual({ stdout: 'out', stderr: 'err', exitCode: 3 });
    expect(f.calls[0]?.argv).toEqual(['ip', 'netns', 'exec', 'kipvs-1-x-kind-worker', 'sh', '-c', 'echo hi']);
    expect(f.calls[0]?.options.timeoutMs).toBe(1234);
    expect(f.calls[0]?.options.okExitCodes).toHaveLength(256);
    expect(t.node).toBe('kind-worker');
  });
  it('throws CommandError naming the namespace when it cannot be entered', async () => {
    const f = fakeRunner(() => ({
      stdout: '',
      stderr: 'Cannot open network namespace "n": No such file or directory',
      exitCode: 255,
    }));
    const t = new NetnsExecTransport(f.run, 'w', 'n');
    await expect(t.exec('true', 1000)).rejects.toThrow(CommandError);
    await expect(t.exec('true', 1000)).rejects.toThrow(/could not enter network namespace n/);
  });
});

describe('createNetns', () => {
  it('adds the namespace, runs argv inside it, deletes it once however often remove is called', async () => {
    const f = fakeRunner();
    const before = process.listenerCount('SIGTERM');
    const h = await createNetns('kind-worker', { run: f.run, pid: 7, random: 'abc' });
    expect(h.name).toBe('kipvs-7-abc-kind-worker');
    expect(aliveNetns()).toEqual(['kipvs-7-abc-kind-worker']);
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await h.run(['ipset', 'save'], { timeoutMs: 5 });
    await Promise.all([h.remove(), h.remove()]);
    await h.remove();
    expect(f.calls.map((c) => c.argv)).toEqual([
      netnsArgv.add('kipvs-7-abc-kind-worker'),
      ['ip', 'netns', 'exec', 'kipvs-7-abc-kind-worker', 'ipset', 'save'],
      netnsArgv.delete('kipvs-7-abc-kind-worker'),
    ]);
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(f.calls.every((c) => c.options.timeoutMs > 0)).toBe(true);
  });

  it('is removed by await using, also when the block throws', async () => {
    const f = fakeRunner();
    const body = async () => {
      await using h = await createNetns('n', { run: f.run, pid: 1, random: 'u' });
      expect(aliveNetns()).toEqual([h.name]);
      throw new Error('test body failed');
    };
    await expect(body()).rejects.toThrow('test body failed');
    expect(f.calls.at(-1)?.argv).toEqual(netnsArgv.delete('kipvs-1-u-n'));
  });

  it('does not record (so never deletes) a namespace whose add failed, e.g. because the name exists', async () => {
    const f = fakeRunner((argv) =>
      argv[2] === 'add' ? new Error('Cannot create namespace file: File exists') : ok(),
    );
    await expect(createNetns('n', { run: f.run, pid: 1, random: 'e' })).rejects.toThrow(/File exists/);
    expect(aliveNetns()).toEqual([]);
    expect(f.calls.map((c) => c.argv[2])).toEqual(['add']);
  });

  it('keeps a namespace whose delete failed on record, and a later remove tries again', async () => {
    let failDelete = true;
    const f = fakeRunner((argv) => (argv[2] === 'delete' && failDelete ? new Error('busy') : ok()));
    const h = await createNetns('n', { run: f.run, pid: 1, random: 'd' });
    await expect(h.remove()).rejects.toThrow('busy');
    expect(aliveNetns()).toEqual([h.name]);
    failDelete = false;
    await h.remove();
    expect(f.calls.filter((c) => c.argv[2] === 'delete')).toHaveLength(2);
  });
});

describe('createNetnsGroup', () => {
  it('makes one namespace per node with one shared random part', async () => {
    const f = fakeRunner();
    const g = await createNetnsGroup(['cp', 'w1'], { run: f.run, pid: 9 });
    const [a, b] = g.handles.map((h) => h.name);
    expect(a).toMatch(/^kipvs-9-[0-9a-f]{6}-cp$/);
    expect(b?.replace(/-w1$/, '-cp')).toBe(a);
    expect(g.of('w1').node).toBe('w1');
    expect(() => g.of('nope')).toThrow(/no namespace for node nope; the group has cp, w1/);
    await g.remove();
  });

  it('removes the namespaces already made when a later one cannot be created', async () => {
    const f = fakeRunner((argv) =>
      argv[2] === 'add' && String(argv[3]).endsWith('-w2') ? new Error('no space') : ok(),
    );
    await expect(createNetnsGroup(['cp', 'w1', 'w2', 'w3'], { run: f.run })).rejects.toThrow('no space');
    const verbs = f.calls.map(
      (c) => `${c.argv[2]} ${String(c.argv[3]).replace(/^kipvs-\d+-[0-9a-f]+-/, '')}`,
    );
    expect(verbs).toEqual(['add cp', 'add w1', 'add w2', 'delete cp', 'delete w1']);
  });

  it('withNetnsGroup removes every namespace when the body throws', async () => {
    const f = fakeRunner();
    await expect(
      withNetnsGroup(
        ['a', 'b'],
        async (g) => {
          expect(g.handles).toHaveLength(2);
          throw new Error('body');
        },
        { run: f.run },
      ),
    ).rejects.toThrow('body');
    expect(f.calls.filter((c) => c.argv[2] === 'delete')).toHaveLength(2);
  });

  it('attempts every delete when one fails, rethrows that failure, and a second remove finishes the job', async () => {
    let fail = true;
    const f = fakeRunner((argv) =>
      argv[2] === 'delete' && String(argv[3]).endsWith('-a') && fail ? new Error('delete a failed') : ok(),
    );
    const g = await createNetnsGroup(['a', 'b'], { run: f.run });
    await expect(g.remove()).rejects.toThrow('delete a failed');
    expect(f.calls.filter((c) => c.argv[2] === 'delete')).toHaveLength(2);
    expect(aliveNetns()).toEqual([g.of('a').name]);
    fail = false;
    await g.remove();
    // b was deleted once and is not deleted again; a is retried.
    expect(f.calls.filter((c) => c.argv[2] === 'delete').map((c) => String(c.argv[3]).slice(-2))).toEqual([
      '-a',
      '-b',
      '-a',
    ]);
  });
});

describe('snapshotNetnsNode', () => {
  /** Answers the snapshot script with every section it asks for, and `ipset save` with a fixed text. */
  function fakeNode(): { transport: NodeTransport; scripts: string[] } {
    const scripts: string[] = [];
    const transport: NodeTransport = {
      node: 'kind-worker',
      async exec(script) {
        scripts.push(script);
        if (script === 'ipset save') return ok('create KUBE-CLUSTER-IP hash:ip,port family inet\n');
        const m = /^M=(\S+)$/m.exec(script)?.[1] ?? 'none';
        const names = [...script.matchAll(/^sec (\S+) /gm)].map((x) => x[1]);
        const out = names
          .map((n) =>
            n === 'proc-ip-vs'
              ? `${m}:begin:${n}\n\n${m}:stderr:${n}\ncat: /proc/net/ip_vs: No such file or directory\n\n${m}:end:${n}:1\n`
              : `${m}:begin:${n}\n${n} text\n\n${m}:stderr:${n}\n\n${m}:end:${n}:0\n`,
          )
          .join('');
        return ok(out);
      },
    };
    return { transport, scripts };
  }

  it('takes the scripted sections from the one snapshot script and ipset-save from a plain ipset save (no crictl)', async () => {
    const { transport, scripts } = fakeNode();
    const snap = await snapshotNetnsNode(transport, 1000);
    expect(scripts).toHaveLength(2);
    expect(scripts.some((s) => s.includes('crictl'))).toBe(false);
    expect(snap.sections['ipset-save']).toEqual({
      status: 'ok',
      command: NETNS_IPSET_COMMAND,
      text: 'create KUBE-CLUSTER-IP hash:ip,port family inet\n',
    });
    expect(snap.sections['iptables-save']).toMatchObject({ status: 'ok', text: 'iptables-save text\n' });
    expect(snap.sections['proc-ip-vs']).toMatchObject({
      status: 'absent',
      reason: expect.stringMatching(/exit 1: cat: \/proc\/net\/ip_vs/),
    });
    expect(Object.keys(snap.sections).sort()).toEqual([
      'ip-addr',
      'ip6tables-save',
      'ipset-save',
      'iptables-save',
      'kernel',
      'metrics',
      'proc-ip-vs',
      'proxy-mode',
      'sysctl',
    ]);
  });

  it('records ipset-save absent with the exit code and stderr when ipset fails', async () => {
    const transport: NodeTransport = {
      node: 'n',
      async exec(script) {
        return script === 'ipset save'
          ? { stdout: '', stderr: 'ipset: command not found\n', exitCode: 127 }
          : ok('');
      },
    };
    const snap = await snapshotNetnsNode(transport, 1000);
    expect(snap.sections['ipset-save']).toEqual({
      status: 'absent',
      command: 'ipset save',
      reason: 'exit 127: ipset: command not found',
    });
  });
});

describe('probeNetns', () => {
  it('says "not root" without touching namespaces when the uid is not 0', async () => {
    const spy = vi.spyOn(process, 'getuid').mockReturnValue(1000);
    try {
      const f = fakeRunner();
      expect(await probeNetns(f.run)).toEqual({
        ok: false,
        reason: expect.stringMatching(/^not root \(uid 1000\)/),
      });
      expect(f.calls).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('reports a namespace that cannot be created with the tool’s message, and leaves nothing behind', async () => {
    const spy = vi.spyOn(process, 'getuid').mockReturnValue(0);
    try {
      const f = fakeRunner((argv) =>
        argv[2] === 'add'
          ? new Error('mount --make-shared /run/netns failed: Operation not permitted')
          : ok(),
      );
      expect(await probeNetns(f.run)).toEqual({
        ok: false,
        reason:
          'cannot create or enter a network namespace: mount --make-shared /run/netns failed: Operation not permitted',
      });
    } finally {
      spy.mockRestore();
    }
  });

  it('creates, enters and removes one probe namespace when all works', async () => {
    const spy = vi.spyOn(process, 'getuid').mockReturnValue(0);
    try {
      const f = fakeRunner();
      expect(await probeNetns(f.run)).toEqual({ ok: true });
      expect(f.calls.map((c) => c.argv.slice(0, 3).join(' '))).toEqual([
        'ip netns add',
        'ip netns exec',
        'ip netns delete',
      ]);
    } finally {
      spy.mockRestore();
    }
  });
});
