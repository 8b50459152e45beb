import { performance } from 'node:perf_hooks';
import { ipAddrText, ipAddrJson, sysctlLines } from '../bench/generate.ts';
import { parseIpAddr } from '../helpers/parse/ip-addr.ts';
import { parseSysctl } from '../helpers/parse/sysctl.ts';
for (const [name, g, p] of [['text', ipAddrText(100000), parseIpAddr], ['json', ipAddrJson(100000), parseIpAddr], ['sysctl', sysctlLines(1000000), parseSysctl]] as const) {
  p(g.text);
  const t0 = performance.now(); for (let i = 0; i < 3; i++) p(g.text); const t = (performance.now() - t0) / 3;
  const b0 = performance.now(); for (let i = 0; i < 3; i++) { let n = 0; for (const l of g.text.split('\n')) n += l.length; } const b = (performance.now() - b0) / 3;
  console.log(name, (g.text.length / 1e6).toFixed(1), 'MB', t.toFixed(1), 'ms', b.toFixed(1), 'ms base', (t / b).toFixed(1));
}
