import { performance } from 'node:perf_hooks';
import { ipvsadmLn } from './generate.ts';
const g = ipvsadmLn(10000, 10);
let sink = 0;
const base = (t: string) => { let n = 0; for (const l of t.split('\n')) n += l.length; sink += n; };
base(g.text);
for (let k = 0; k < 3; k++) { const t0 = performance.now(); base(g.text); console.log('same', (performance.now() - t0).toFixed(1)); }
for (let k = 0; k < 3; k++) { const c = Buffer.from(g.text).toString(); const t0 = performance.now(); base(c); console.log('fresh', (performance.now() - t0).toFixed(1)); }
