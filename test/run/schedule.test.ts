import { describe, expect, it } from 'vitest';
import { intervalDecides, isDecided, pickNext, type Slot, type Tally } from '../../src/run/schedule.js';

const slots = (id: string, from: number, n: number): Slot[] =>
  Array.from({ length: n - from + 1 }, (_, i) => ({ promptId: id, attempt: from + i }));

describe('isDecided (majority verdict at N can no longer change)', () => {
  it('N=5: decided after 3 passes or 3 failures, open otherwise', () => {
    expect(isDecided({ passes: 3, graded: 3 }, 5)).toBe(true);
    expect(isDecided({ passes: 0, graded: 3 }, 5)).toBe(true);
    expect(isDecided({ passes: 2, graded: 3 }, 5)).toBe(false);
    expect(isDecided({ passes: 1, graded: 3 }, 5)).toBe(false);
    expect(isDecided({ passes: 2, graded: 4 }, 5)).toBe(false);
    expect(isDecided({ passes: 3, graded: 4 }, 5)).toBe(true);
    expect(isDecided({ passes: 2, graded: 2 }, 5)).toBe(false);
  });

  it('every N: open exactly while both verdicts are still reachable and the interval straddles 50 %', () => {
    for (let n = 1; n <= 9; n++) {
      for (let graded = 0; graded <= n; graded++) {
        for (let passes = 0; passes <= graded; passes++) {
          const canPass = passes + (n - graded) > n / 2;
          const canFail = passes <= n / 2;
          expect(isDecided({ passes, graded }, n), `n=${n} graded=${graded} passes=${passes}`).toBe(!(canPass && canFail) || intervalDecides({ passes, graded }));
        }
      }
    }
  });
});

describe('pickNext', () => {
  const tallies = (entries: Record<string, Partial<Tally>>) =>
    new Map(Object.entries(entries).map(([k, v]) => [k, { passes: 0, graded: 0, inFlight: 0, ...v }]));

  it('without adaptive, takes slots in order even for decided prompts', () => {
    const pending = [...slots('a', 4, 5), ...slots('b', 1, 5)];
    expect(pickNext(pending, tallies({ a: { passes: 3, graded: 3 } }), 5, false)).toEqual({ promptId: 'a', attempt: 4 });
  });

  it('with adaptive, skips decided prompts and prefers prompts that in-flight attempts cannot decide', () => {
    const pending = [...slots('a', 4, 5), ...slots('b', 4, 5), ...slots('c', 1, 5)];
    const t = tallies({ a: { passes: 3, graded: 3 }, b: { passes: 2, graded: 2, inFlight: 1 }, c: {} });
    expect(pickNext(pending, t, 5, true)).toEqual({ promptId: 'c', attempt: 1 });
    // when only the busy prompt is left open, it still gets its next attempt
    expect(pickNext(slots('b', 4, 5), t, 5, true)).toEqual({ promptId: 'b', attempt: 4 });
    expect(pickNext(slots('a', 4, 5), t, 5, true)).toBeUndefined();
  });
});
