import { describe, expect, it } from 'vitest';
import { fisherExact } from '../../src/verdict/fisher.js';
import { pairedDifference } from '../../src/verdict/paired.js';
import { verdictLine } from '../../src/verdict/words.js';
import { laneCard, stat } from './cards.js';

const all = (k: number, pass: number) => Array.from({ length: k }, () => pass);

// t quantiles (R: qt(0.975, 9) = 2.262157, qt(0.975, 10) = 2.228139, qt(0.8, 9) = 0.8834039)
const T9 = 2.262157;
const T10 = 2.228139;
/** Agresti–Caffo: the variance of (c+1)/(n+2) over n+2 attempts. */
const adj = (c: number, n: number) => (((c + 1) / (n + 2)) * (1 - (c + 1) / (n + 2))) / (n + 2);

describe('paired difference of two lanes', () => {
  it('separates clearly different lanes, with an interval of real width where every prompt agrees', () => {
    const result = pairedDifference(laneCard('strong', all(10, 5)), laneCard('weak', all(10, 1)))!;
    expect(result.difference).toBeCloseTo(0.8, 12);
    // D is 0.8 on every prompt: between = 0, so the floor on adjusted rates sets the SE
    const se = Math.sqrt((10 * (adj(5, 5) + adj(1, 5))) / 100);
    expect(result.se).toBeCloseTo(se, 12);
    expect(result.quantile).toBeCloseTo(T9, 5);
    expect(result.low).toBeCloseTo(0.8 - T9 * se, 5);
    expect(result.separable).toBe(true);
    expect(result.more).toBeNull();
    expect(verdictLine('strong', 'weak', result)).toBe('strong ahead of weak by 80 points [65, 95] — separable at N=5 over K=10 prompts');
  });

  it('never gives a zero-width interval: 0/5 against 0/5 on eleven prompts', () => {
    const result = pairedDifference(laneCard('a', all(11, 0)), laneCard('b', all(11, 0)))!;
    // floor = 11 · 2 · adj(0, 5) / 11² = 2 · (6/343) / 11; half-width t(10) · sqrt(floor) = 0.126
    const half = T10 * Math.sqrt((2 * adj(0, 5)) / 11);
    expect(result.high).toBeCloseTo(half, 5);
    expect(result.low).toBeCloseTo(-half, 5);
    expect(verdictLine('a', 'b', result)).toBe('a and b level: 0 points [-13, 13] — not separable at N=5 over K=11 prompts; no difference seen');
  });

  it('calls identical lanes level, not separable', () => {
    const passes = [5, 4, 3, 5, 0, 2, 5, 5];
    const result = pairedDifference(laneCard('a', passes), laneCard('b', passes))!;
    expect(result.difference).toBe(0);
    expect(result.separable).toBe(false);
    expect(result.more).toEqual({ kind: 'level' });
    expect(verdictLine('a', 'b', result)).toMatch(/^a and b level: 0 points \[-\d+, \d+\] — not separable at N=5 over K=8 prompts; no difference seen$/);
  });

  it('does not separate lanes that differ by one deterministic prompt of eleven; more prompts would tell, not more attempts', () => {
    const result = pairedDifference(laneCard('strong', all(11, 5)), laneCard('confab', [...all(3, 5), 0, ...all(7, 5)]))!;
    // D = 1 on one prompt: D̄ = 1/11; CR1: SE² = Σ(D−D̄)²/(K(K−1)) = (10/11)/110
    expect(result.difference).toBeCloseTo(1 / 11, 12);
    expect(result.se).toBeCloseTo(Math.sqrt(10 / 11 / 110), 12);
    expect(result.separable).toBe(false);
    expect(result.more).toEqual({ kind: 'prompts' });
    expect(verdictLine('strong', 'confab', result)).toBe(
      'strong ahead of confab by 9 points [-11, 29] — not separable at N=5 over K=11 prompts; the gap sits in a few prompts, not in attempt noise: more attempts per prompt would not tell, more prompts would',
    );
  });

  it('does not separate three deterministic prompts of eleven (z said it did), and does separate five', () => {
    const weak = [5, 0, 5, 5, 5, 5, 0, 5, 5, 0, 5];
    const result = pairedDifference(laneCard('strong', all(11, 5)), laneCard('weak', weak))!;
    // D̄ = 3/11; Σ(D−D̄)² = 24/11; CR1 SE = sqrt(24/11/110); t(10): [3/11 ∓ 2.228·SE] = [-4, 59]
    const se = Math.sqrt(24 / 11 / 110);
    expect(result.se).toBeCloseTo(se, 12);
    expect(result.low).toBeCloseTo(3 / 11 - T10 * se, 5);
    expect(result.high).toBeCloseTo(3 / 11 + T10 * se, 5);
    expect(result.separable).toBe(false);
    expect(verdictLine('strong', 'weak', result)).toMatch(/^strong ahead of weak by 27 points \[-4, 59\] — not separable at N=5 over K=11 prompts;/);
    const five = pairedDifference(laneCard('strong', all(11, 5)), laneCard('weak', [0, 0, 5, 0, 5, 5, 0, 5, 5, 0, 5]))!;
    // D̄ = 5/11; Σ(D−D̄)² = 30/11; low = 5/11 − 2.228·sqrt(30/11/110) = 0.104
    expect(five.low).toBeCloseTo(5 / 11 - T10 * Math.sqrt(30 / 11 / 110), 5);
    expect(five.separable).toBe(true);
  });

  it('floors the interval at attempt noise, and says how many more attempts would tell at 80 % power', () => {
    // 3/5 against 2/5 on each of 6 prompts: the spread across prompts is 0, the attempt noise is not.
    // floor = 6 · 2 · adj(3, 5) / 6² = (24/343)/6; SE 0.108; t(5) = 2.570582: 0.2 − 0.278 < 0
    const result = pairedDifference(laneCard('a', all(6, 3)), laneCard('b', all(6, 2)))!;
    expect(result.se).toBeCloseTo(Math.sqrt(24 / 343 / 6), 12);
    expect(result.separable).toBe(false);
    // 80 % power on the unbiased attempt noise 6 · 2 · 0.06 / 36 = 0.02:
    // N' = 5 · 0.02 / (0.2/(2.570582 + 0.9195438))² = 30.5 → 26 more attempts per prompt
    expect(result.more).toEqual({ kind: 'attempts', per_prompt: 26 });
    expect(verdictLine('a', 'b', result)).toMatch(/— not separable at N=5 over K=6 prompts; about 26 more attempts per prompt would tell at 80 % power, if the gap holds$/);
    // and it is attempts that were missing: the same rates at N=30 (18/30 against 12/30) separate
    const more = pairedDifference(laneCard('a', all(6, 18), 30), laneCard('b', all(6, 12), 30))!;
    expect(more.separable).toBe(true);
  });

  it('at N=1 says attempt noise is unmeasured instead of solving for N', () => {
    const result = pairedDifference(laneCard('a', [1, 1, 0, 1, 1, 0, 1, 1], 1), laneCard('b', [1, 0, 0, 1, 0, 0, 1, 1], 1))!;
    expect(result.separable).toBe(false);
    expect(result.more).toEqual({ kind: 'unmeasured' });
    expect(verdictLine('a', 'b', result)).toContain('at N=1 attempt noise is unmeasured');
  });

  it('names the leader first when B is ahead, with the interval flipped', () => {
    const result = pairedDifference(laneCard('a', all(10, 1)), laneCard('b', all(10, 5)))!;
    expect(result.difference).toBeLessThan(0);
    expect(verdictLine('a', 'b', result)).toMatch(/^b ahead of a by 80 points \[(\d+), (\d+)\] — separable/);
  });

  it('compares only core prompts both lanes graded, and says when there is none', () => {
    const a = laneCard('a', [5, 5]);
    const b = laneCard('b', [0, 5]);
    b.prompts[0] = stat('p1', 0, 0, { skipped: 'needs shell' });
    expect(pairedDifference(a, b)!.prompts.map((p) => p.prompt_id)).toEqual(['p2']);
    const c = laneCard('c', [5]);
    c.prompts[0]!.prompt_id = 'other';
    expect(pairedDifference(a, c)).toBeNull();
    expect(verdictLine('a', 'c', null)).toBe('a and c share no graded prompt: nothing to compare');
  });

  it('never separates on one shared prompt', () => {
    const result = pairedDifference(laneCard('a', [5]), laneCard('b', [0]))!;
    expect(result.separable).toBe(false);
    expect(verdictLine('a', 'b', result)).toContain('one shared prompt cannot separate lanes');
  });
});

describe("Fisher's exact test", () => {
  it('matches hand-computed two-sided p-values', () => {
    // 5/5 vs 0/5: the two most extreme tables, 2/C(10,5)
    expect(fisherExact(5, 5, 0, 5)).toBeCloseTo(2 / 252, 12);
    // 5/5 vs 2/5: R fisher.test(matrix(c(5,0,2,3),2))$p.value = 0.1667
    expect(fisherExact(5, 5, 2, 5)).toBeCloseTo(0.1667, 4);
    // R: fisher.test(matrix(c(3,1,1,3),2))$p.value = 0.4857
    expect(fisherExact(3, 4, 1, 4)).toBeCloseTo(0.4857, 4);
    expect(fisherExact(4, 5, 4, 5)).toBeCloseTo(1, 12);
    expect(fisherExact(0, 5, 0, 5)).toBe(1);
    expect(fisherExact(1, 1, 0, 0)).toBe(1);
  });
});
