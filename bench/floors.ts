/**
 * Lower bounds for the parser benchmark (`npx tsx bench/floors.ts`; not part of `npm run bench`): for
 * each parser whose result is object-heavy, the time of the split baseline plus building the
 * smallest result of the same shape from the same text (no validation at all), next to the parser.
 * A parser cannot beat its floor, so a floor over 10x the baseline says the target is out of reach
 * for that result shape, not for the parser. Same text, full GC before each run, medians.
 */
import { performance } from 'node:perf_hooks';
import { parseIptablesSave, parseIpvsadm, parseProcIpVs, parseSysctl } from '../helpers/parse/index.ts';
import { dottedQuad } from '../helpers/parse/ipvs-common.ts';
import { iptablesSave, ipvsadmLn, procIpVs, sysctlLines } from './generate.ts';
import { baseline, collect } from './measure.ts';

let sink = 0;

/** ipvsadm: one 6-field real-server object per line with its address sliced out. */
function ipvsadmFloor(text: string): unknown {
  const out: object[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    out.push({
      address: l.slice(5, 15),
      port: 8080,
      forward: 'Masq',
      weight: l.length,
      activeConns: 0,
      inactiveConns: 0,
    });
  }
  return out;
}

/** /proc/net/ip_vs: the same, with the dotted quad built from a number (the file prints hex). */
function procFloor(text: string): unknown {
  const out: object[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    out.push({
      address: dottedQuad(0x0a0a0000 + i),
      port: 8080,
      forward: 'Masq',
      weight: l.length,
      activeConns: 0,
      inactiveConns: 0,
    });
  }
  return out;
}

/** iptables-save: one rule object per line with its argv from the native split, and the chains record. */
function iptablesFloor(text: string): unknown {
  const chains: Record<string, { rules: object[] }> = {};
  const lines = text.split('\n');
  let rules: object[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.startsWith(':')) {
      rules = [];
      chains[l.slice(1, l.indexOf(' '))] = { rules };
    } else {
      rules.push({
        text: l,
        chain: 'x',
        target: null,
        jump: null,
        comment: null,
        counters: null,
        args: l.split(' '),
      });
    }
  }
  return chains;
}

/** sysctl: the `values` record with one key per line and no duplicate check. */
function sysctlFloor(text: string): unknown {
  const values: Record<string, string> = {};
  for (const l of text.split('\n')) {
    const eq = l.indexOf(' =');
    if (eq > 0) values[l.slice(0, eq)] = l.slice(eq + 3);
  }
  return values;
}

function medianMs(fn: () => unknown, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    collect();
    const t0 = performance.now();
    sink += fn() === undefined ? 0 : 1;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? 0;
}

const CASES: readonly [string, (scale: number) => string, (t: string) => unknown, (t: string) => unknown][] =
  [
    ['ipvsadm', (s) => ipvsadmLn(10_000 * s, 10).text, ipvsadmFloor, parseIpvsadm],
    ['proc-ip-vs', (s) => procIpVs(10_000 * s, 10).text, procFloor, parseProcIpVs],
    ['iptables-save', (s) => iptablesSave(100_000 * s).text, iptablesFloor, parseIptablesSave],
    ['sysctl', (s) => sysctlLines(20_000 * s).text, sysctlFloor, parseSysctl],
  ];

console.log('times in ms (x = multiple of the baseline on the same text); floor = split + minimal result');
for (const [name, generate, floor, parse] of CASES) {
  const cells: string[] = [name.padEnd(14)];
  for (const scale of [1, 10]) {
    const text = generate(scale);
    baseline(text);
    floor(text);
    parse(text);
    const runs = scale === 1 ? 5 : 3;
    const base = medianMs(() => baseline(text), runs);
    const f = medianMs(() => floor(text), runs);
    const p = medianMs(() => parse(text), runs);
    cells.push(
      `${scale}x: base ${base.toFixed(1)}, floor ${f.toFixed(1)} (${(f / base).toFixed(1)}x), parser ${p.toFixed(1)} (${(p / base).toFixed(1)}x)`,
    );
  }
  console.log(cells.join(' | '));
}
console.log(`(checksum ${sink % 1000})`);
