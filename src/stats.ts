// Small statistics and number formatting for scorecards and summary.md (DESIGN §6).
import binomcoef from '@stdlib/math-base-special-binomcoef';
import type { WilsonInterval } from './types.js';

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959964;

/** 95 % Wilson score interval for `passes` successes out of `n`; null when there is no trial. */
export function wilson95(passes: number, n: number): WilsonInterval | null {
  if (n <= 0) return null;
  const p = passes / n;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/**
 * The p-th percentile (0–100) by the nearest-rank method: the smallest value such that at
 * least p % of the values are ≤ it. Always one of the observed values; null for no values.
 */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/**
 * Rounds to `digits` decimals, ties to even (0.825 → 0.82 at 2 digits), on the value the
 * decimal literal meant: binary noise (0.825 * 100 = 82.49999999999999) is removed by taking
 * 15 significant digits before looking for the tie.
 */
export function roundHalfEven(x: number, digits = 0): number {
  if (!Number.isFinite(x)) return x;
  const factor = 10 ** digits;
  const scaled = Number((x * factor).toPrecision(15));
  const floor = Math.floor(scaled);
  const fraction = scaled - floor;
  const EPSILON = 1e-9;
  let rounded: number;
  if (Math.abs(fraction - 0.5) < EPSILON) rounded = floor % 2 === 0 ? floor : floor + 1;
  else rounded = Math.round(scaled);
  return rounded / factor;
}

/** A rate in 0..1 as a whole percentage, half to even: 0.825 → "82 %"; null → "—". */
export function formatPct(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  return `${roundHalfEven(rate * 100, 0)} %`;
}

/** A number with a fixed count of decimals, half to even, plus a unit; null → "—". */
export function formatFixed(x: number | null | undefined, digits: number, unit = ''): string {
  if (x === null || x === undefined) return '—';
  return `${roundHalfEven(x, digits).toFixed(digits)}${unit}`;
}

/**
 * pass^k: the chance that k attempts drawn without replacement from the n made all pass,
 * C(c,k)/C(n,k) (τ-bench's consistency metric). Null when fewer than k attempts were made.
 */
export function passHatK(passes: number, n: number, k: number): number | null {
  if (k < 1 || n < k) return null;
  return binomcoef(passes, k) / binomcoef(n, k);
}

/**
 * pass@k, the unbiased estimator (Chen et al. 2021): the chance that at least one of k attempts
 * drawn from the n made passes, 1 − C(n−c,k)/C(n,k). Null when fewer than k attempts were made.
 */
export function passAtK(passes: number, n: number, k: number): number | null {
  if (k < 1 || n < k) return null;
  return 1 - binomcoef(n - passes, k) / binomcoef(n, k);
}

/**
 * An interval in whole percentage points, half to even: `[38, 96]`; null → "". One that would
 * round to zero width (0/800 → [0, 0.5]) is rounded outward instead (`[0, 1]`): no printed
 * interval may claim exactness (issue 21).
 */
export function formatInterval(interval: WilsonInterval | null | undefined): string {
  if (!interval) return '';
  const [low, high] = [roundHalfEven(interval.low * 100, 0), roundHalfEven(interval.high * 100, 0)];
  if (low === high && interval.high > interval.low) return `[${Math.floor(interval.low * 100)}, ${Math.ceil(interval.high * 100)}]`;
  return `[${low}, ${high}]`;
}
