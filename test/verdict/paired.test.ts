import { describe, expect, it } from 'vitest';
import { fisherExact } from '../../src/verdict/fisher.js';
import { pairedDifference } from '../../src/verdict/paired.js';
import { verdictLine } from '../../src/verdict/words.js';
import { laneCard, stat } from './cards.js';

const all = (k: number, pass: number) => Array.from({ length: k }, () => pass);

describe('paired difference of two lanes', () => {
  it('separates clearly different lanes', () => {
    const result = pairedDifference(laneCard('strong', all(10, 5)), laneCard('weak', all(10, 1)))!;
    expect(result.difference).toBeCloseTo(0.8, 12);
    expect(result.separable).toBe(true);
    expect(result.low).toBeGreaterThan(0.5);
    expect(result.more).toBeNull();
    expect(verdictLine('strong', 'weak', result)).toMatch(/^strong ahead of weak by 80 points \[\d+, \d+\] — separable at N=5$/);
  });

  it('calls identical lanes level, not separable', () => {
    const passes = [5, 4, 3, 5, 0, 2, 5, 5];
    const result = pairedDifference(laneCard('a', passes), laneCard('b', passes))!;
    expect(result.difference).toBe(0);
    expect(result.separable).toBe(false);
    expect(result.more).toEqual({ kind: 'level' });
    expect(verdictLine('a', 'b', result)).toMatch(/^a and b level: 0 points \[-\d+, \d+\] — not separable at N=5; no difference seen$/);
  });

  it('does not separate lanes that differ by one deterministic prompt of eleven; more prompts would tell, not more attempts', () => {
    const result = pairedDifference(laneCard('strong', all(11, 5)), laneCard('confab', [...all(3, 5), 0, ...all(7, 5)]))!;
    // D = 1 on one prompt: D̄ = 1/11, SE = sqrt(Σ(D−D̄)²)/11 = sqrt(10/11)/11
    expect(result.difference).toBeCloseTo(1 / 11, 12);
    expect(result.se).toBeCloseTo(Math.sqrt(10 / 11) / 11, 12);
    expect(result.separable).toBe(false);
    expect(result.more).toEqual({ kind: 'prompts' });
    expect(verdictLine('strong', 'confab', result)).toBe(
      'strong ahead of confab by 9 points [-8, 26] — not separable at N=5; the gap sits in a few prompts, not in attempt noise: more attempts per prompt would not tell, more prompts would',
    );
  });

  it('separates lanes that differ by three deterministic prompts of eleven (hand-computed interval)', () => {
    const weak = [5, 0, 5, 5, 5, 5, 0, 5, 5, 0, 5];
    const result = pairedDifference(laneCard('strong', all(11, 5)), laneCard('weak', weak))!;
    // D̄ = 3/11; Σ(D−D̄)² = 3·(8/11)² + 8·(3/11)² = 24/11; SE = sqrt(24/11)/11
    const se = Math.sqrt(24 / 11) / 11;
    expect(result.se).toBeCloseTo(se, 12);
    expect(result.low).toBeCloseTo(3 / 11 - 1.959964 * se, 9);
    expect(result.high).toBeCloseTo(3 / 11 + 1.959964 * se, 9);
    expect(result.separable).toBe(true);
    expect(verdictLine('strong', 'weak', result)).toBe('strong ahead of weak by 27 points [1, 54] — separable at N=5');
  });

  it('floors the interval at attempt noise, and says how many more attempts would tell', () => {
    // 3/5 against 2/5 on every prompt: the spread across prompts is 0, the attempt noise is not.
    // within = 10 · (3·2/(25·4) + 2·3/(25·4)) / 10² = 0.012; SE = sqrt(0.012)
    const result = pairedDifference(laneCard('a', all(10, 3)), laneCard('b', all(10, 2)))!;
    expect(result.se).toBeCloseTo(Math.sqrt(0.012), 12);
    expect(result.separable).toBe(false);
    // N' = 5 · 0.012 / (0.2/1.959964)² = 5.76 → 1 more attempt per prompt
    expect(result.more).toEqual({ kind: 'attempts', per_prompt: 1 });
    expect(verdictLine('a', 'b', result)).toMatch(/— not separable at N=5; about 1 more attempt per prompt would tell, if the gap holds$/);
    // and it is attempts that were missing: the same rates at N=10 (6/10 against 4/10) separate
    const more = pairedDifference(laneCard('a', all(10, 6), 10), laneCard('b', all(10, 4), 10))!;
    expect(more.separable).toBe(true);
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
