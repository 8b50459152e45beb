import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_SECTIONS } from '../bundle/types.ts';
import { crictlExecScript } from './crictl.ts';
import {
  IPSET_COMMAND,
  ipsetSave,
  type NodeTransport,
  SCRIPT_SECTIONS,
  snapshotNode,
  snapshotScript,
  splitSnapshotOutput,
} from './node-snapshot.ts';
import type { ExecResult } from './process.ts';

// A fake node: a PATH holding only the real utilities the script needs plus fake tools, so the
// real script text runs under the real sh with known outputs.
let bin: string;

function fake(name: string, body: string): void {
  const p = join(bin, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
}

function runOnFakeNode(script: string): ExecResult {
  try {
    const stdout = execFileSync('/bin/sh', ['-c', script], { env: { PATH: bin }, encoding: 'utf8' });
    return { stdout, stderr: '', exitCode: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; status: number };
    return { stdout: err.stdout, stderr: err.stderr, exitCode: err.status };
  }
}

beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'fake-node-'));
  for (const tool of ['sh', 'mktemp', 'cat', 'rm', 'basename', 'tr', 'head', 'uname', 'printf']) {
    const real = execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    if (real.startsWith('/')) symlinkSync(real, join(bin, tool));
  }
  // iptables-save prints a table without a trailing newline, to prove stdout is kept verbatim.
  fake('iptables-save', "printf '*nat\\n:KUBE-SERVICES - [0:0]\\nCOMMIT'");
  // ip6tables-save is missing on purpose.
  fake('ip', 'echo "[{\\"ifname\\":\\"kube-ipvs0\\",\\"args\\":\\"$*\\"}]"');
  fake('sysctl', 'for k; do [ "$k" = -e ] && continue; echo "$k = 1"; done');
  fake(
    'curl',
    'case "$*" in *proxyMode*) printf ipvs;; *) echo "curl: (7) Failed to connect" >&2; exit 7;; esac',
  );
});

afterAll(() => {
  rmSync(bin, { recursive: true, force: true });
});

describe('snapshotScript on a fake node', () => {
  it('captures every section with its status, verbatim', () => {
    const token = 'feedc0de';
    const sections = splitSnapshotOutput(runOnFakeNode(snapshotScript(token)), token);
    expect(Object.keys(sections)).toEqual(SCRIPT_SECTIONS);
    expect(sections['iptables-save']).toEqual({
      status: 'ok',
      command: 'iptables-save',
      text: '*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT',
    });
    expect(sections['ip6tables-save']).toEqual({
      status: 'absent',
      command: 'ip6tables-save',
      reason: 'exit 127: ip6tables-save: command not found',
    });
    expect(sections['ip-addr']).toEqual({
      status: 'ok',
      command: 'ip -d -j addr show',
      text: '[{"ifname":"kube-ipvs0","args":"-d -j addr show"}]\n',
    });
    expect(sections['proxy-mode']).toMatchObject({ status: 'ok', text: 'ipvs' });
    expect(sections.metrics).toMatchObject({
      status: 'absent',
      reason: 'exit 7: curl: (7) Failed to connect',
    });
    expect(sections.kernel).toMatchObject({ status: 'ok' });
  });

  it('reads the fixed sysctls and arp_* of all, default and every interface', () => {
    const token = 'abc';
    const s = splitSnapshotOutput(runOnFakeNode(snapshotScript(token, ['sysctl'])), token, ['sysctl']).sysctl;
    expect(s.status).toBe('ok');
    const text = s.status === 'ok' ? s.text : '';
    for (const key of [
      'net.ipv4.ip_forward',
      'net.ipv4.vs.conntrack',
      'net.ipv4.vs.conn_reuse_mode',
      'net.ipv4.vs.expire_nodest_conn',
      'net.ipv4.vs.expire_quiescent_template',
      'net.ipv4.conf.all.arp_ignore',
      'net.ipv4.conf.all.arp_announce',
      'net.ipv4.conf.default.arp_ignore',
      'net.ipv4.conf.lo.arp_announce',
    ]) {
      expect(text).toContain(`${key} = 1\n`);
    }
  });

  it('makes a missing file an absent section with the reason', () => {
    const token = 't';
    const script = snapshotScript(token, ['proc-ip-vs']).replace(
      'cat /proc/net/ip_vs',
      'cat /nonexistent/ip_vs',
    );
    const s = splitSnapshotOutput(runOnFakeNode(script), token, ['proc-ip-vs'])['proc-ip-vs'];
    expect(s).toMatchObject({
      status: 'absent',
      reason: expect.stringMatching(/^exit 1: cat: .*\/nonexistent\/ip_vs/),
    });
  });
});

describe('splitSnapshotOutput', () => {
  const M = '@@kind-ipvs-tok';
  it('keeps output that itself looks like a marker of another token', () => {
    const stdout = `${M}:begin:kernel\n@@kind-ipvs-other:end:kernel:0\n\n${M}:stderr:kernel\n\n${M}:end:kernel:0\n`;
    expect(splitSnapshotOutput({ stdout, stderr: '', exitCode: 0 }, 'tok', ['kernel']).kernel).toEqual({
      status: 'ok',
      command: 'uname -r',
      text: '@@kind-ipvs-other:end:kernel:0\n',
    });
  });

  it('marks a section cut short as absent, naming the transport failure', () => {
    const stdout = `${M}:begin:kernel\n6.8.0\n`;
    const s = splitSnapshotOutput(
      { stdout, stderr: 'Error response from daemon: No such container: n1', exitCode: 1 },
      'tok',
      ['kernel'],
    ).kernel;
    expect(s).toEqual({
      status: 'absent',
      command: 'uname -r',
      reason:
        "no complete 'kernel' section in the node script output (exec exit 1: Error response from daemon: No such container: n1)",
    });
  });
});

describe('ipset save and the full node snapshot', () => {
  function transport(reply: (script: string) => ExecResult): NodeTransport & { scripts: string[] } {
    const scripts: string[] = [];
    return {
      node: 'w1',
      scripts,
      exec: async (script) => {
        scripts.push(script);
        return reply(script);
      },
    };
  }

  it('runs ipset save in the kube-proxy container found by its CRI labels', async () => {
    const t = transport(() => ({ stdout: 'create KUBE-CLUSTER-IP hash:ip,port\n', stderr: '', exitCode: 0 }));
    expect(await ipsetSave(t)).toEqual({
      status: 'ok',
      command: IPSET_COMMAND,
      text: 'create KUBE-CLUSTER-IP hash:ip,port\n',
    });
    expect(t.scripts[0]).toContain(
      '--label io.kubernetes.pod.namespace=kube-system --label io.kubernetes.container.name=kube-proxy',
    );
    expect(t.scripts[0]).toContain('crictl exec "$id" ipset save');
  });

  it('says when there is no kube-proxy container', async () => {
    const t = transport(() => ({
      stdout: '',
      stderr: 'no running container kube-system/kube-proxy on this node (crictl ps found none)\n',
      exitCode: 125,
    }));
    expect(await ipsetSave(t)).toMatchObject({
      status: 'absent',
      reason: expect.stringMatching(/^no running container/),
    });
  });

  it('takes two execs per node and fills every NODE_SECTIONS entry', async () => {
    const t = transport((script) =>
      script.startsWith('id=$(crictl') ? { stdout: 'x', stderr: '', exitCode: 0 } : runOnFakeNode(script),
    );
    const snap = await snapshotNode(t);
    expect(t.scripts).toHaveLength(2);
    expect(snap.node).toBe('w1');
    expect(Object.keys(snap.sections).sort()).toEqual([...NODE_SECTIONS].sort());
    expect(snap.sections['ipset-save']).toMatchObject({ status: 'ok', text: 'x' });
  });
});

describe('crictlExecScript', () => {
  it('runs the command in the selected container and fails clearly when there is none', () => {
    fake('crictl', 'if [ "$1" = ps ]; then echo "ps $*" >&2; exit 0; fi; echo "exec $*"');
    fake('timeout', 'shift; exec "$@"');
    const script = crictlExecScript(
      { namespace: 'ns', pod: 'client-w1', container: 'client' },
      ['sh', '-c', "echo 'hi'"],
      30,
    );
    const r = runOnFakeNode(script);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toContain(
      'ps ps -q --state running --label io.kubernetes.pod.namespace=ns --label io.kubernetes.pod.name=client-w1',
    );
    expect(r.stderr).toContain('no running container ns/client-w1/client on this node');
    fake('crictl', 'if [ "$1" = ps ]; then echo abc123; exit 0; fi; shift; echo "exec in $1:"; shift; "$@"');
    expect(runOnFakeNode(script)).toEqual({ stdout: 'exec in abc123:\nhi\n', stderr: '', exitCode: 0 });
  });
});
