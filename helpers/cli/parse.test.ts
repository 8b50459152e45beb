import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../parse/errors.ts';
import { loadFixture } from '../parse/fixture-file.ts';
import {
  parseIpAddr,
  parseIpset,
  parseIptablesSave,
  parseIpvsadm,
  parseProcIpVs,
  parseSysctl,
} from '../parse/index.ts';
import { type CliParser, PARSERS, type ReadInput, runParseCli } from './parse.ts';

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

  it('does not strip a fixture header: the header line is what fails', async () => {
    const raw = '# source: x\n# ---- BEGIN VERBATIM OUTPUT (everything below this line) ----\na.b = 1\n';
    const r = await runParseCli(['sysctl', 'f'], inputs({ f: raw }));
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
