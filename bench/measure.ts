import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * What both bench scripts measure against, in one place so their ratios stay comparable: split
 * the text into lines and do observable work per line (length and first character), or the JIT
 * could drop the loop or never read the lines. Returns a checksum for the caller's sink.
 */
export function baseline(text: string): number {
  const lines = text.split('\n');
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    n += line.length + (line.charCodeAt(0) | 0);
  }
  return n;
}

/**
 * A full collection before each timed run, so no run pays for the garbage its predecessor (or the
 * other side of the comparison) left behind. `npm run bench` cannot pass --expose-gc, so it is turned
 * on here; without it the runs are still interleaved and medians.
 */
export const collect: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') return () => void gc();
  } catch {
    // Fall through: no forced collection.
  }
  return () => undefined;
})();

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
