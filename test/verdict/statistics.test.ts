import { describe, expect, it } from 'vitest';
import { formatInterval, passAtK, passHatK, wilson95 } from '../../src/stats.js';
import { categoryStats, laneStatistics } from '../../src/verdict/lane-stats.js';
import { stat } from './cards.js';

describe('pass^k and pass@k', () => {
  it('match hand-computed small cases', () => {
    // 3 of 5 passed, k = 2: C(3,2)/C(5,2) = 3/10; 1 − C(2,2)/C(5,2) = 9/10
    expect(passHatK(3, 5, 2)).toBeCloseTo(0.3, 12);
    expect(passAtK(3, 5, 2)).toBeCloseTo(0.9, 12);
    // 4 of 5, k = 5: all five pass only if every one did; at least one always does
    expect(passHatK(4, 5, 5)).toBe(0);
    expect(passAtK(4, 5, 5)).toBe(1);
    // 2 of 6, k = 3: C(2,3) = 0; 1 − C(4,3)/C(6,3) = 1 − 4/20
    expect(passHatK(2, 6, 3)).toBe(0);
    expect(passAtK(2, 6, 3)).toBeCloseTo(0.8, 12);
  });

  it('at k = 1 both are the pass rate', () => {
    expect(passHatK(3, 5, 1)).toBeCloseTo(0.6, 12);
    expect(passAtK(3, 5, 1)).toBeCloseTo(0.6, 12);
  });

  it('handles 0/n, n/n and n = 1', () => {
    expect(passHatK(0, 5, 5)).toBe(0);
    expect(passAtK(0, 5, 5)).toBe(0);
    expect(passHatK(5, 5, 5)).toBe(1);
    expect(passAtK(5, 5, 5)).toBe(1);
    expect(passHatK(1, 1, 1)).toBe(1);
    expect(passAtK(0, 1, 1)).toBe(0);
  });

  it('is null with fewer attempts than k', () => {
    expect(passHatK(2, 2, 5)).toBeNull();
    expect(passAtK(2, 2, 5)).toBeNull();
    expect(passHatK(0, 0, 1)).toBeNull();
  });
});

describe('Wilson interval against reference values', () => {
  it('matches R binom::binom.wilson / statsmodels proportion_confint(method="wilson")', () => {
    const eight = wilson95(8, 10)!;
    expect(eight.low).toBeCloseTo(0.4902, 4);
    expect(eight.high).toBeCloseTo(0.9433, 4);
    const one = wilson95(1, 1)!;
    expect(one.low).toBeCloseTo(0.2065, 4);
    expect(one.high).toBeCloseTo(1, 10);
    expect(formatInterval(wilson95(0, 1))).toBe('[0, 79]');
    expect(formatInterval(wilson95(4, 5))).toBe('[38, 96]');
    expect(formatInterval(null)).toBe('');
  });
});

describe('lane statistics', () => {
  const prompts = [
    stat('p1', 5, 5, { category: 'grounding' }),
    stat('p2', 3, 5, { category: 'chain' }),
    stat('p3', 0, 5, { category: 'chain' }),
    stat('p4', 2, 2, { category: 'honesty' }), // decided early: fewer than k attempts
    stat('p5', 1, 5, { category: 'vibe', core: false }),
    stat('p6', 0, 0, { category: 'shell', skipped: 'needs shell' }),
  ];
  const s = laneStatistics(prompts, 5);

  it('pools core attempts with their Wilson interval', () => {
    expect([s.pass_count, s.runs]).toEqual([10, 17]);
    expect(s.pass_rate).toBeCloseTo(10 / 17, 12);
    expect(s.wilson95).toEqual(wilson95(10, 17));
  });

  it('averages pass^k and pass@k over the core prompts with at least k attempts', () => {
    expect(s.k).toBe(5);
    expect(s.k_prompts).toBe(3);
    // p1: 1, 1; p2 (3/5): C(3,5)=0 → 0, 1; p3: 0, 0
    expect(s.pass_hat_k).toBeCloseTo(1 / 3, 12);
    expect(s.pass_at_k).toBeCloseTo(2 / 3, 12);
  });

  it('counts verdict agreement in prompts, all-pass apart from all-fail', () => {
    expect([s.all_pass, s.all_fail, s.split]).toEqual([2, 1, 1]);
    const failing = laneStatistics([stat('a', 0, 5), stat('b', 0, 5)], 5);
    expect([failing.all_pass, failing.all_fail, failing.split]).toEqual([0, 2, 0]);
  });

  it('pools every prompt that ran per category, core or not, skipped ones left out', () => {
    const rows = categoryStats(prompts);
    expect(rows.map((c) => c.category)).toEqual(['grounding', 'chain', 'honesty', 'vibe']);
    const chain = rows.find((c) => c.category === 'chain')!;
    expect([chain.prompts, chain.pass_count, chain.runs]).toEqual([2, 3, 10]);
    expect(chain.wilson95).toEqual(wilson95(3, 10));
  });
});
