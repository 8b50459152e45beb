import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ipvsModuleWarning, MODPROBE_COMMAND, type ModuleFacts } from '../live/preflight.ts';
import { execaRunner } from '../live/process.ts';
import { main } from './run-conformance.ts';

const ALL_LOADED: ModuleFacts = {
  procModules:
    'ip_vs_sh 12288 0 - Live 0x0\nip_vs_wrr 12288 0 - Live 0x0\nip_vs_rr 12288 0 - Live 0x0\nip_vs 221184 6 ip_vs_sh,ip_vs_wrr,ip_vs_rr, Live 0x0\nnf_conntrack 196608 5 ip_vs, Live 0x0\n',
  sysModule: () => false,
  builtin: null,
  dep: null,
};

let bin: string;
beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), 'fake-path-'));
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

function fake(name: string, body: string): void {
  writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

async function runCli(env: Record<string, string>, modules: ModuleFacts = ALL_LOADED) {
  const out: string[] = [];
  const vitestCalls: (readonly string[])[] = [];
  const code = await main({
    env: { PATH: bin, ...env },
    args: ['-t', 'strictARP'],
    run: execaRunner(undefined, { PATH: bin }),
    modules,
    out: (l) => out.push(l),
    vitest: async (a) => {
      vitestCalls.push(a);
      return 0;
    },
  });
  return { code, out: out.join('\n'), vitestCalls };
}

const DAEMON_DOWN =
  'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1';

describe('npm test preflight (fake executables on PATH)', () => {
  it('stops with exit 1 when docker is missing, naming Docker and kind', async () => {
    const r = await runCli({});
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^error: Docker CLI not found: .*docker not found on PATH\. Install Docker/);
    expect(r.out).toContain('KIND_IPVS_BUNDLE=path/to/bundle.json npm test');
    expect(r.out).toContain('Also missing: kind is not on PATH (install kind v0.24.0');
    expect(r.vitestCalls).toEqual([]);
  });

  it('says the daemon is not reachable when docker info fails', async () => {
    fake('docker', DAEMON_DOWN);
    fake('kind', 'echo "kind v0.24.0 go1.22.6 linux/amd64"');
    const r = await runCli({});
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^error: Docker daemon not reachable \(Cannot connect to the Docker daemon at unix:\/\/\/var\/run\/docker\.sock/,
    );
    expect(r.out).toContain('start it');
    expect(r.out).not.toContain('Also missing');
  });

  it('stops when kind is missing', async () => {
    fake('docker', 'echo 27.3.1');
    const r = await runCli({});
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^error: kind not found on PATH\. install kind v0\.24\.0: go install sigs\.k8s\.io\/kind@v0\.24\.0/,
    );
  });

  it('stops on a kind version that kind/versions.json does not pair', async () => {
    fake('docker', 'echo 27.3.1');
    fake('kind', 'echo "kind v0.19.0 go1.20.4 linux/amd64"');
    const r = await runCli({});
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^error: kind v0\.19\.0 is not supported: kind\/versions\.json pairs node images with v0\.24\.0, /,
    );
    expect(r.vitestCalls).toEqual([]);
  });

  it('accepts an unpaired kind with an explicit node image, with a warning', async () => {
    fake('docker', 'echo 27.3.1');
    fake('kind', 'echo "kind v0.19.0 go1.20.4 linux/amd64"');
    const r = await runCli({ KIND_IPVS_NODE_IMAGE: 'kindest/node:v1.27.3' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('warning: kind v0.19.0 is not in kind/versions.json');
  });

  it('starts the conformance project when everything is there, warning about unloaded IPVS modules', async () => {
    fake('docker', 'echo 27.3.1');
    fake('kind', 'echo "kind v0.24.0 go1.22.6 linux/amd64"');
    const r = await runCli(
      {},
      { procModules: 'ext4 1 0 - Live 0x0\n', sysModule: () => false, builtin: null, dep: null },
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `warning: IPVS kernel modules not loaded: ip_vs, ip_vs_rr, ip_vs_wrr, ip_vs_sh, nf_conntrack. kube-proxy in IPVS mode needs them; load them with: ${MODPROBE_COMMAND}`,
    );
    expect(r.out).toContain('preflight ok: docker 27.3.1, kind v0.24.0');
    expect(r.vitestCalls).toEqual([['run', '--project', 'conformance', '-t', 'strictARP']]);
  });

  it('replays a bundle without any preflight', async () => {
    const bundle = join(bin, 'b.json');
    writeFileSync(
      bundle,
      readFileSync(new URL('../../baseline/bundle-v0.24.0.json', import.meta.url), 'utf8'),
    );
    const r = await runCli({ KIND_IPVS_BUNDLE: bundle });
    expect(r.code).toBe(0);
    expect(r.vitestCalls).toEqual([['run', '--project', 'conformance', '-t', 'strictARP']]);
    expect(r.out).toBe(`replaying ${bundle} (no cluster is used)`);
  });

  it('refuses a missing replay file, a bundle of an unknown format version and bad configuration', async () => {
    expect((await runCli({ KIND_IPVS_BUNDLE: join(bin, 'nope.json') })).out).toMatch(/no such file/);
    const old = join(bin, 'old.json');
    writeFileSync(old, '{"formatVersion": 0}');
    const refused = await runCli({ KIND_IPVS_BUNDLE: old });
    expect([refused.code, refused.vitestCalls]).toEqual([1, []]);
    expect(refused.out).toMatch(/^error: KIND_IPVS_BUNDLE: .*old\.json: unknown bundle format version 0/);
    const bad = await runCli({ KIND_IPVS_REUSE: 'yes' });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^error: KIND_IPVS_REUSE="yes" is not a switch/);
  });
});

describe('ipvsModuleWarning', () => {
  it('is quiet when all modules are loaded or built in', () => {
    expect(ipvsModuleWarning(ALL_LOADED)).toBeNull();
    expect(
      ipvsModuleWarning({
        procModules:
          'ip_vs 1 0 - Live 0x0\nip_vs_rr 1 0 - Live 0x0\nip_vs_wrr 1 0 - Live 0x0\nip_vs_sh 1 0 - Live 0x0\n',
        sysModule: () => false,
        builtin: 'kernel/net/netfilter/nf_conntrack.ko\n',
        dep: null,
      }),
    ).toBeNull();
  });

  it('names modules that are not even loadable', () => {
    const w = ipvsModuleWarning({
      procModules: '',
      sysModule: () => false,
      builtin: null,
      dep: 'kernel/net/netfilter/ipvs/ip_vs.ko.zst: kernel/net/netfilter/nf_conntrack.ko.zst\nkernel/net/netfilter/nf_conntrack.ko.zst:\n',
    });
    expect(w).toContain('not found in modules.dep either: ip_vs_rr, ip_vs_wrr, ip_vs_sh');
  });

  it('says when it cannot check at all', () => {
    expect(
      ipvsModuleWarning({ procModules: null, sysModule: () => false, builtin: null, dep: null }),
    ).toMatch(/^cannot read \/proc\/modules/);
  });
});

describe('the real CLI process', () => {
  it('exits 1 fast naming Docker when docker is not on PATH', () => {
    symlinkSync(process.execPath, join(bin, 'node'));
    const started = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'helpers/cli/run-conformance.ts'], {
      env: { PATH: bin, HOME: bin },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: Docker CLI not found/);
    expect(r.stderr).toMatch(/kind is not on PATH/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
