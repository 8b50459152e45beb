import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { chiSquaredDistributionTable } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { splitFixture } from '../parse/fixture-file.ts';
import {
  chiSquareSurvival,
  chiSquareUniform,
  histogramText,
  judgeSpread,
  type SpreadVerdict,
} from './spread.ts';

const B3 = ['echo-a', 'echo-b', 'echo-c'] as const;

/** mulberry32: a tiny seeded PRNG so the "random" sequences are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rand = prng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function cycle(backends: readonly string[], length: number, offset = 0): string[] {
  return Array.from({ length }, (_, i) => backends[(i + offset) % backends.length] ?? '');
}

function kindOf(v: SpreadVerdict): string {
  return v.kind === 'random' ? `random/${v.fit}` : v.kind === 'stuck' ? `stuck/${v.reason}` : v.kind;
}

// shared/captures/23: kube-proxy in iptables mode, 1000 curls to one ClusterIP -> 340/330/330 (`uniq -c` output).
const capture23 = (() => {
  const path = fileURLToPath(
    new URL('../model/__fixtures__/curl-1000-distribution.kans-iptables.txt', import.meta.url),
  );
  const { body } = splitFixture(readFileSync(path, 'utf8'), 'curl-1000-distribution.kans-iptables.txt');
  return body
    .trim()
    .split('\n')
    .map((l) => {
      const m = /^\s*(\d+) Hostname: (\S+)$/.exec(l);
      if (m === null) throw new Error(`unexpected line in capture 23: ${l}`);
      return { backend: m[2] ?? '', count: Number(m[1]) };
    });
})();

describe('judgeSpread on the iptables-mode capture (shared/captures/23)', () => {
  const backends = capture23.map((c) => c.backend);
  // The capture gives only counts; the order is reconstructed as a seeded shuffle of exactly those counts.
  const answers = shuffled(
    capture23.flatMap((c) => Array.from({ length: c.count }, () => c.backend)),
    23,
  );

  it('reads 340/330/330 from the capture', () => {
    expect(capture23).toEqual([
      { backend: 'webpod1', count: 340 },
      { backend: 'webpod3', count: 330 },
      { backend: 'webpod', count: 330 },
    ]);
  });

  it('is not round-robin but uniform random, with the statistic reported', () => {
    const v = judgeSpread(answers, backends);
    expect(kindOf(v)).toBe('random/uniform-random');
    if (v.kind !== 'random') throw new Error('unreachable');
    expect(v.chiSquare.statistic).toBeCloseTo(0.2, 10);
    expect(v.chiSquare.degreesOfFreedom).toBe(2);
    expect(v.chiSquare.pValue).toBeCloseTo(Math.exp(-0.1), 6);
    expect(v.chiSquare.criticalValue).toBe(9.21);
    expect(v.cycleBreak).not.toBeNull();
    expect(v.message).toMatch(
      /^not round-robin: the cycle breaks at request #\d+ .*chi-square 0.20, df 2, p 0.905/,
    );
    expect(v.histogram.map((b) => [b.backend, b.observed])).toEqual([
      ['webpod1', 340],
      ['webpod3', 330],
      ['webpod', 330],
    ]);
  });

  it('sorted or grouped answers with the same counts are not round-robin either', () => {
    expect(judgeSpread([...answers].sort(), backends).kind).toBe('random');
  });
});

describe('judgeSpread verdicts', () => {
  it.for([0, 1, 2])('an exact rr sequence starting at offset %i is round-robin', (offset) => {
    const v = judgeSpread(cycle(B3, 60, offset), B3);
    expect(v.kind).toBe('round-robin');
    if (v.kind === 'round-robin') expect(v.order).toEqual(cycle(B3, 3, offset));
    expect(v.message).toMatch(/^round-robin over 3 backends: 60 requests cycle .* \(counts 20\/20\/20\)\n/);
  });

  it('a partial last cycle is still round-robin (counts within 1)', () => {
    expect(judgeSpread(cycle(B3, 61, 2), B3).kind).toBe('round-robin');
  });

  it('any fixed order of the backends counts, not only the expected list order', () => {
    expect(judgeSpread(cycle(['echo-c', 'echo-a', 'echo-b'], 30), B3).kind).toBe('round-robin');
  });

  it('20/20/20 that does not cycle is not round-robin', () => {
    const answers = cycle(B3, 60);
    [answers[30], answers[31]] = [answers[31] ?? '', answers[30] ?? ''];
    const v = judgeSpread(answers, B3);
    expect(kindOf(v)).toBe('random/uniform-random');
    if (v.kind === 'random') {
      expect(v.histogram.map((b) => b.observed)).toEqual([20, 20, 20]);
      expect(v.cycleBreak).toEqual({ index: 30, expected: 'echo-a', observed: 'echo-b' });
    }
  });

  it('a repeat inside the first cycle breaks it', () => {
    const v = judgeSpread(['echo-a', 'echo-a', 'echo-b', 'echo-c', 'echo-b', 'echo-c'], B3);
    expect(v.kind === 'random' ? v.cycleBreak?.index : null).toBe(1);
  });

  it('one expected backend missing is stuck', () => {
    const v = judgeSpread(cycle(['echo-a', 'echo-b'], 60), B3);
    expect(kindOf(v)).toBe('stuck/missing-backends');
    if (v.kind === 'stuck') expect(v.missing).toEqual(['echo-c']);
    expect(v.message).toMatch(/^stuck: expected backends missing: echo-c\n/);
  });

  it('one backend answering everything is stuck', () => {
    const v = judgeSpread(
      Array.from({ length: 60 }, () => 'echo-b'),
      B3,
    );
    expect(kindOf(v)).toBe('stuck/single-backend');
    expect(v.message).toContain('only echo-b answered (60 of 60) while 3 backends should share the load');
  });

  it('an unexpected backend (stale real server) is stuck', () => {
    const answers = cycle(B3, 60);
    answers[10] = 'echo-old';
    const v = judgeSpread(answers, B3);
    expect(kindOf(v)).toBe('stuck/unexpected-backends');
    if (v.kind === 'stuck') expect([v.unexpected, v.missing]).toEqual([['echo-old'], []]);
  });

  it('no requests at all is stuck', () => {
    expect(kindOf(judgeSpread([], B3))).toBe('stuck/no-answers');
  });

  it('failed requests come first, with their positions', () => {
    const answers: (string | null)[] = cycle(B3, 60);
    answers[7] = null;
    answers[40] = null;
    const v = judgeSpread(answers, B3);
    expect(v.kind).toBe('failed-requests');
    if (v.kind === 'failed-requests') expect(v.failedIndexes).toEqual([7, 40]);
    expect(v.failed).toBe(2);
    expect(v.message).toMatch(/^2 of 60 requests failed \(first at request #7\)/);
    expect(v.histogram.at(-1)).toEqual({ backend: '(failed)', observed: 2, expected: 0, role: 'failed' });
  });

  it('a clearly skewed random spread is rejected at the stated significance', () => {
    const answers = shuffled(
      [...Array(40).fill('echo-a'), ...Array(10).fill('echo-b'), ...Array(10).fill('echo-c')],
      7,
    );
    const v = judgeSpread(answers, B3);
    expect(kindOf(v)).toBe('random/skewed');
    if (v.kind === 'random') {
      expect(v.chiSquare.statistic).toBeCloseTo(30, 10);
      expect(v.chiSquare.pValue).toBeLessThan(0.01);
    }
    expect(v.message).toContain('uniform rejected: skewed');
  });

  it('the significance changes the verdict near the border', () => {
    // 28/16/16 of 60: chi-square 4.8, p = exp(-2.4) = 0.091
    const answers = shuffled(
      [...Array(28).fill('echo-a'), ...Array(16).fill('echo-b'), ...Array(16).fill('echo-c')],
      3,
    );
    expect(kindOf(judgeSpread(answers, B3))).toBe('random/uniform-random');
    expect(kindOf(judgeSpread(answers, B3, { significance: 0.1 }))).toBe('random/skewed');
    // 0.2 is not tabulated: the closed-form p decides.
    const v = judgeSpread(answers, B3, { significance: 0.2 });
    expect(v.kind === 'random' ? [v.fit, v.chiSquare.criticalValue] : null).toEqual(['skewed', null]);
  });

  it('too few requests make the chi-square verdict inconclusive', () => {
    expect(kindOf(judgeSpread(['echo-a', 'echo-b', 'echo-b', 'echo-c', 'echo-a', 'echo-c'], B3))).toBe(
      'random/inconclusive',
    );
  });

  it('a single expected backend answering every request is a (trivial) cycle', () => {
    expect(judgeSpread(['only', 'only'], ['only']).kind).toBe('round-robin');
  });

  it('refuses bad arguments', () => {
    expect(() => judgeSpread(['a'], ['a', 'a'])).toThrow(/duplicates/);
    expect(() => judgeSpread(['a'], [])).toThrow(/empty/);
    expect(() => judgeSpread(['a'], ['a'], { significance: 1 })).toThrow(/significance/);
  });
});

describe('chi-square helpers', () => {
  it.for([1, 2, 3, 4, 5, 7, 10, 15, 30, 50, 100])(
    "the closed-form p agrees with simple-statistics' table at df %i",
    (df) => {
      const row = Object.entries(chiSquaredDistributionTable).find(([k]) => Number(k) === df)?.[1];
      for (const alpha of [0.1, 0.05, 0.01] as const) {
        const critical = row?.[alpha] ?? Number.NaN;
        // the table is rounded to 2 decimals, so compare loosely
        expect(Math.abs(chiSquareSurvival(critical, df) - alpha), `df ${df} alpha ${alpha}`).toBeLessThan(
          alpha * 0.1,
        );
      }
    },
  );

  it('handles the edges', () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(() => chiSquareSurvival(1, 0)).toThrow(/positive integer/);
    expect(() => chiSquareUniform([5])).toThrow(/2 categories/);
    expect(chiSquareUniform([10, 10]).statistic).toBe(0);
  });
});

describe('histogramText', () => {
  it('renders observed bars with the expected share marked', () => {
    const text = histogramText(judgeSpread(cycle(['a', 'b'], 3), ['a', 'b']).histogram, 10);
    expect(text).toBe(
      [
        'backend  observed  expected',
        'a               2       1.5  #######|##',
        'b               1       1.5  #####  |',
      ].join('\n'),
    );
    expect(histogramText([])).toBe('(no requests)');
  });

  it('labels unexpected backends', () => {
    expect(histogramText(judgeSpread(['a', 'x'], ['a']).histogram)).toContain('(unexpected)');
  });
});

describe('properties', () => {
  const backendsArb = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), {
    minLength: 2,
    maxLength: 6,
  });

  it('any rotation of a perfect cycle (full cycles plus a partial one) is round-robin', () => {
    fc.assert(
      fc.property(
        backendsArb,
        fc.nat(),
        fc.integer({ min: 1, max: 20 }),
        fc.nat(),
        (backends, start, cycles, extra) => {
          const length = backends.length * cycles + (extra % backends.length);
          const v = judgeSpread(cycle(backends, length, start % backends.length), backends);
          return v.kind === 'round-robin';
        },
      ),
    );
  });

  it('a sequence whose counts differ by more than 1 is never round-robin', () => {
    fc.assert(
      fc.property(
        backendsArb.chain((backends) =>
          fc.tuple(
            fc.constant(backends),
            fc.array(fc.constantFrom(...backends), { minLength: 1, maxLength: 200 }),
          ),
        ),
        ([backends, answers]) => {
          const counts = backends.map((b) => answers.filter((a) => a === b).length);
          fc.pre(Math.max(...counts) - Math.min(...counts) > 1);
          return judgeSpread(answers, backends).kind !== 'round-robin';
        },
      ),
    );
  });

  it('never throws on valid input and the histogram accounts for every request', () => {
    fc.assert(
      fc.property(
        backendsArb,
        fc.array(fc.option(fc.constantFrom('a', 'b', 'zz'), { nil: null }), { maxLength: 100 }),
        (backends, answers) => {
          const v = judgeSpread(answers, backends);
          return v.histogram.reduce((acc, b) => acc + b.observed, 0) === answers.length;
        },
      ),
    );
  });
});
