// --adaptive's second stopping rule (issue 15 item 5): a prompt stops once its 95 % Wilson
// interval lies clear of 50 %; at N=5 the majority rule stays the stricter one.
import { describe, expect, it } from 'vitest';
import { fewestToDecide, intervalDecides, isDecided, pickNext, type Slot, type Tally } from '../../src/run/schedule.js';
import { wilson95 } from '../../src/stats.js';

describe('the interval rule', () => {
  it('decides only when the Wilson interval is entirely above or below 0.5', () => {
    // 3/3: [0.44, 1] still straddles; 4/4: [0.51, 1] does not
    expect(wilson95(3, 3)!.low).toBeLessThan(0.5);
    expect(intervalDecides({ passes: 3, graded: 3 })).toBe(false);
    expect(intervalDecides({ passes: 4, graded: 4 })).toBe(true);
    expect(intervalDecides({ passes: 0, graded: 4 })).toBe(true);
    expect(intervalDecides({ passes: 7, graded: 10 })).toBe(false);
    expect(intervalDecides({ passes: 0, graded: 0 })).toBe(false);
  });

  it('keeps the majority rule at N=5 (3 identical verdicts) and stops sooner at larger N', () => {
    expect(fewestToDecide(5)).toBe(3);
    expect(isDecided({ passes: 3, graded: 3 }, 5)).toBe(true);
    expect(isDecided({ passes: 2, graded: 3 }, 5)).toBe(false);
    expect(fewestToDecide(20)).toBe(4);
    expect(isDecided({ passes: 4, graded: 4 }, 20)).toBe(true); // the majority rule would want 11
    expect(isDecided({ passes: 0, graded: 4 }, 20)).toBe(true);
    expect(isDecided({ passes: 3, graded: 4 }, 20)).toBe(false);
  });

  it('at N=20, a prompt whose in-flight attempts could settle it yields to an open one', () => {
    const pending: Slot[] = [
      { promptId: 'a', attempt: 5 },
      { promptId: 'b', attempt: 1 },
    ];
    const tallies = new Map<string, Tally>([
      ['a', { passes: 3, graded: 3, inFlight: 1 }],
      ['b', { passes: 0, graded: 0, inFlight: 0 }],
    ]);
    expect(pickNext(pending, tallies, 20, true)).toEqual({ promptId: 'b', attempt: 1 });
    tallies.set('a', { passes: 4, graded: 4, inFlight: 0 });
    expect(pickNext(pending.slice(0, 1), tallies, 20, true)).toBeUndefined();
  });
});
