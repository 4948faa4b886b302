import { describe, expect, it } from 'vitest';
import { formatFixed, formatPct, mean, percentile, roundHalfEven, wilson95 } from '../../src/stats.js';

describe('wilson95', () => {
  it('matches known intervals', () => {
    const fourOfFive = wilson95(4, 5)!;
    expect(fourOfFive.low).toBeCloseTo(0.376, 3);
    expect(fourOfFive.high).toBeCloseTo(0.964, 3);
    const half = wilson95(5, 10)!;
    expect(half.low).toBeCloseTo(0.2366, 4);
    expect(half.high).toBeCloseTo(0.7634, 4);
  });

  it('stays inside [0, 1] at the edges', () => {
    const none = wilson95(0, 5)!;
    expect(none.low).toBeCloseTo(0, 10);
    expect(none.low).toBeGreaterThanOrEqual(0);
    expect(none.high).toBeCloseTo(0.4345, 4);
    const all = wilson95(5, 5)!;
    expect(all.high).toBeCloseTo(1, 10);
    expect(all.high).toBeLessThanOrEqual(1);
    expect(all.low).toBeCloseTo(0.5655, 4);
  });

  it('is null with no trial', () => {
    expect(wilson95(0, 0)).toBeNull();
  });
});

describe('mean and percentile', () => {
  it('mean', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBeNull();
  });

  it('percentile by nearest rank returns observed values', () => {
    const walls = [5, 1, 4, 2, 3];
    expect(percentile(walls, 50)).toBe(3);
    expect(percentile(walls, 95)).toBe(5);
    expect(percentile(walls, 0)).toBe(1);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
    expect(percentile([], 50)).toBeNull();
    expect(walls).toEqual([5, 1, 4, 2, 3]);
  });
});

describe('roundHalfEven and formatPct', () => {
  it('rounds ties to even despite binary noise', () => {
    expect(roundHalfEven(82.5)).toBe(82);
    expect(roundHalfEven(83.5)).toBe(84);
    expect(roundHalfEven(0.825, 2)).toBe(0.82);
    expect(roundHalfEven(0.835, 2)).toBe(0.84);
    expect(roundHalfEven(2.675, 2)).toBe(2.68);
    expect(roundHalfEven(83.45, 1)).toBe(83.4);
    expect(roundHalfEven(-2.5)).toBe(-2);
    expect(roundHalfEven(82.51)).toBe(83);
    expect(roundHalfEven(82.49)).toBe(82);
  });

  it('formats percentages half to even', () => {
    expect(formatPct(0.825)).toBe('82 %');
    expect(formatPct(0.815)).toBe('82 %');
    expect(formatPct(0.835)).toBe('84 %');
    expect(formatPct(0.875)).toBe('88 %');
    expect(formatPct(0.775)).toBe('78 %');
    expect(formatPct(0.025)).toBe('2 %');
    expect(formatPct(0.9)).toBe('90 %');
    expect(formatPct(1)).toBe('100 %');
    expect(formatPct(0)).toBe('0 %');
    expect(formatPct(null)).toBe('—');
  });

  it('formats fixed decimals with units', () => {
    expect(formatFixed(55, 1)).toBe('55.0');
    expect(formatFixed(83.45, 1)).toBe('83.4');
    expect(formatFixed(31.84, 1, ' GB')).toBe('31.8 GB');
    expect(formatFixed(null, 1, ' GB')).toBe('—');
    expect(formatFixed(undefined, 0)).toBe('—');
  });
});
