import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../parse/errors.ts';
import { loadFixture, VERBATIM_MARKER } from '../parse/fixture-file.ts';
import {
  parseIpAddr,
  parseIpset,
  parseIptablesSave,
  parseIpvsadm,
  parseProcIpVs,
  parseSysctl,
} from '../parse/index.ts';
import { type CliParser, PARSERS, type ReadInput, runParseCli, toolOutput } from './parse.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** An input reader over a fixed set of named texts; anything else fails the way a missing file does. */
function inputs(files: Record<string, string>): ReadInput {
  return (source) => {
    const text = files[source];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${source}'`);
    return text;
  };
}

describe('runParseCli', () => {
  it('maps every documented format to the parser exported from helpers/parse', () => {
    expect(PARSERS).toEqual({
      ipvsadm: parseIpvsadm,
      'proc-ip-vs': parseProcIpVs,
      ipset: parseIpset,
      'iptables-save': parseIptablesSave,
      'ip-addr': parseIpAddr,
      sysctl: parseSysctl,
    });
  });

  it('prints the parsed JSON and exits 0', async () => {
    const r = await runParseCli(['sysctl', '-'], inputs({ '-': 'net.ipv4.conf.all.arp_ignore = 1\n' }));
    expect(r).toEqual({
      stdout: `${JSON.stringify({ values: { 'net.ipv4.conf.all.arp_ignore': '1' } }, null, 2)}\n`,
      stderr: '',
      exitCode: 0,
    });
  });

  it('reads a named file and passes it to the chosen parser', async () => {
    const body = loadFixture('ip-addr.tkng-kind-ip-link-kube-ipvs0.txt').body;
    const r = await runParseCli(['ip-addr', 'link.txt'], inputs({ 'link.txt': body }));
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      interfaces: [
        {
          name: 'kube-ipvs0',
          index: 7,
          type: 'dummy',
          state: 'DOWN',
          flags: ['BROADCAST', 'NOARP'],
          addresses: [],
        },
      ],
    });
  });

  it('dispatches by format name to the parser given for it', async () => {
    const seen: string[] = [];
    const fake =
      (name: string): CliParser =>
      (text) => {
        seen.push(`${name}:${text}`);
        return { name };
      };
    const parsers = { ipvsadm: fake('ipvsadm'), 'proc-ip-vs': fake('proc-ip-vs') };
    const r = await runParseCli(['proc-ip-vs', 'x'], inputs({ x: 'T' }), parsers);
    expect(JSON.parse(r.stdout)).toEqual({ name: 'proc-ip-vs' });
    expect(seen).toEqual(['proc-ip-vs:T']);
  });

  it('prints exactly `error: <line>: <reason>` on a ParseError and exits 2', async () => {
    const r = await runParseCli(
      ['sysctl', '-'],
      inputs({
        '-': 'a.b = 1\nsysctl: cannot stat /proc/sys/net/ipv4/vs/conntrack: No such file or directory\n',
      }),
    );
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: 2: sysctl reported an error instead of a value (does the key exist in this network namespace?)\n',
    );
  });

  it('passes `#` lines of raw input to the parser untouched when there is no capture marker', async () => {
    const r = await runParseCli(['sysctl', 'f'], inputs({ f: '# source: x\na.b = 1\n' }));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: 1: /);
  });

  it('refuses an unknown format, naming the formats that exist', async () => {
    for (const format of ['nft', 'toString', '__proto__']) {
      const r = await runParseCli([format, '-'], inputs({ '-': '' }));
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`unknown format ${JSON.stringify(format)}`);
      expect(r.stderr).toContain('ipvsadm, proc-ip-vs, ipset, iptables-save, ip-addr, sysctl');
    }
  });

  it('refuses a wrong number of arguments with the usage text', async () => {
    for (const argv of [[], ['sysctl'], ['sysctl', 'a', 'b']]) {
      const r = await runParseCli(argv, inputs({}));
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/usage: npm run --silent parse -- <format> <file\|->/);
    }
  });

  it('drops one leading `--` and answers --help on stdout', async () => {
    expect((await runParseCli(['--', 'sysctl', '-'], inputs({ '-': 'a = 1' }))).exitCode).toBe(0);
    const help = await runParseCli(['--help'], inputs({}));
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('one of: ipvsadm');
  });

  it('reports an unreadable file with its name and exit 2', async () => {
    const r = await runParseCli(['sysctl', '/no/such/file'], inputs({}));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('cannot read "/no/such/file": ENOENT');
    expect(r.stderr).toContain('usage:');
  });

  it('keeps a parser bug (not a ParseError) apart from bad input: exit 1', async () => {
    const broken: CliParser = () => {
      throw new TypeError('boom');
    };
    const r = await runParseCli(['x', '-'], inputs({ '-': '' }), { x: broken });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('internal error in the x parser');
    const bad: CliParser = () => {
      throw new ParseError('x', 7, 'l', 'why');
    };
    expect((await runParseCli(['x', '-'], inputs({ '-': '' }), { x: bad })).stderr).toBe('error: 7: why\n');
  });
});

describe('parse CLI process', () => {
  it('is wired to stdin, stdout, stderr and the exit code', async () => {
    const ok = await execa('npx', ['tsx', 'helpers/cli/parse.ts', 'sysctl', '-'], {
      cwd: repoRoot,
      input: 'net.ipv4.conf.all.arp_announce = 2\n',
      reject: false,
      timeout: 30_000,
    });
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ values: { 'net.ipv4.conf.all.arp_announce': '2' } });
    const bad = await execa('npx', ['tsx', 'helpers/cli/parse.ts', 'sysctl', '-'], {
      cwd: repoRoot,
      input: '2\n',
      reject: false,
      timeout: 30_000,
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^error: 1: expected `key = value`/);
  });
});

describe('capture files', () => {
  // Verbatim copies of shared/captures files (each cites its source in its own header).
  const captures = new URL('./__fixtures__/', import.meta.url);
  const read = (name: string) => () => readFileSync(new URL(name, captures), 'utf8');

  it.each([
    ['ipvsadm', '01_tkng-kind-ipvsadm-ln.txt'],
    ['ipset', '02_tkng-kind-ipset-kube-cluster-ip.txt'],
    ['ipset', '03_tkng-kind-ipset-kube-loop-back.txt'],
    ['ip-addr', '07_tkng-kind-ip-link-kube-ipvs0.txt'],
    ['ipset', '08_tkng-kind-ipset-kube-node-port-tcp.txt'],
    ['ipset', '17_kans-kind-ipvs-ipset-kube-cluster-ip.txt'],
  ])('reads the shared capture %s %s from below its marker line', async (format, file) => {
    const r = await runParseCli([format, file], read(file));
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
  });

  it('names the line of the capture file, not of the body, on a parse error', async () => {
    const text = `# source: test\n${VERBATIM_MARKER}\nName: KUBE-X\n...\n`;
    const r = await runParseCli(['ipset', 'f'], () => text);
    expect(r.stderr).toMatch(/^error: 4: /);
    expect(toolOutput(text)).toEqual({ body: 'Name: KUBE-X\n...\n', lineOffset: 2 });
  });
});
