// Paired comparison of two lanes on the same suite (issue 15, DESIGN §14): the difference in
// pass rate (mean over shared prompts of A's rate − B's rate, as core_pass_rate is a mean of
// per-prompt rates) with a 95 % interval that treats attempts as clustered within prompts.
//
// Method (issue 21, honest at small N): suites have ~10–15 prompts, so this is a small-sample
// test over K prompts (the clusters). The standard error is the cluster-robust one with the CR1
// correction, Σ(D_c − D̄)²/(K(K−1)) (Miller, "Adding Error Bars to Evals", times K/(K−1)), and
// the interval uses Student's t with K−1 degrees of freedom, not z: with z at K=11 equal lanes
// came out "separable" 9 % of the time instead of 5 % (bench/calibration.ts shows the rate).
// It is floored at the attempt noise alone, taken on Agresti–Caffo adjusted rates (c+1)/(n+2),
// because the spread across prompts can never be less than that in truth and a lane that scores
// 0/5 or 5/5 everywhere must not look exact: no interval has zero width. No resampling, so the
// verdict is exact and the same on every machine.
//
// Task scorecards pair the same way (issue 20): their tasks are the items, every one core.
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { Z95 } from '../stats.js';
import { isTaskCard, type AnyScorecard } from './scorecard-files.js';

export interface PairedPrompt {
  prompt_id: string;
  a: { pass: number; runs: number };
  b: { pass: number; runs: number };
}

/** What more attempts would do for a comparison that is not separable yet (solved at 80 % power). */
export type MoreAttempts =
  | { kind: 'attempts'; per_prompt: number }
  /** the spread sits between prompts: more attempts per prompt would not shrink it, more prompts would */
  | { kind: 'prompts' }
  /** N=1: one attempt per prompt says nothing about attempt noise, so no N can be solved for */
  | { kind: 'unmeasured' }
  /** no difference measured */
  | { kind: 'level' };

export interface PairedDifference {
  /** Shared prompts compared (core prompts both lanes graded; every shared graded prompt when none is core). */
  prompts: PairedPrompt[];
  /** What the items are called in words: prompts, or tasks for task scorecards. */
  unit: 'prompts' | 'tasks';
  /** N of each lane's run (attempts planned per prompt). */
  n: { a: number; b: number };
  difference: number;
  se: number;
  /** The quantile the interval used: t(K−1) at 0.975 (z with one prompt, which is never separable). */
  quantile: number;
  low: number;
  high: number;
  separable: boolean;
  /** Null when separable. */
  more: MoreAttempts | null;
}

const EPSILON = 1e-12;
/** Power at which "about M more attempts would tell" is solved. */
export const POWER = 0.8;

/** One item (prompt or task) of a scorecard, as the paired verdict sees it. */
interface PairedItem {
  prompt_id: string;
  core: boolean;
  runs: number;
  pass_count: number;
  skipped?: string;
}

/** A scorecard's items: its prompts, or its tasks (all core). */
export function itemsOf(card: AnyScorecard): PairedItem[] {
  return isTaskCard(card) ? card.tasks.map((t) => ({ ...t, prompt_id: t.task_id, core: true })) : card.prompts;
}

/** N of the run behind a scorecard (attempts planned per item). */
export const runN = (card: AnyScorecard): number => (isTaskCard(card) ? card.n : card.reproducibility.n);

function gradedById(card: AnyScorecard): Map<string, PairedItem> {
  return new Map(itemsOf(card).filter((s) => s.skipped === undefined && s.runs > 0).map((s) => [s.prompt_id, s]));
}

/** The items both scorecards graded, core ones only unless neither shares a core item; in A's order. */
export function sharedPrompts(a: AnyScorecard, b: AnyScorecard): PairedPrompt[] {
  const ofB = gradedById(b);
  const shared = [...gradedById(a).values()].filter((s) => ofB.has(s.prompt_id));
  const core = shared.filter((s) => s.core && ofB.get(s.prompt_id)!.core);
  return (core.length > 0 ? core : shared).map((s) => {
    const other = ofB.get(s.prompt_id)!;
    return { prompt_id: s.prompt_id, a: { pass: s.pass_count, runs: s.runs }, b: { pass: other.pass_count, runs: other.runs } };
  });
}

/** Unbiased variance of a pass rate from n attempts with c passes: s²/n, s² = c(n−c)/(n(n−1)). */
function rateVariance(c: number, n: number): number {
  return n < 2 ? 0 : (c * (n - c)) / (n * n * (n - 1));
}

/** Variance of a pass rate on the Agresti–Caffo adjusted rate (c+1)/(n+2): never 0, even at 0/n or n/n. */
export function adjustedVariance(c: number, n: number): number {
  const p = (c + 1) / (n + 2);
  return (p * (1 - p)) / (n + 2);
}

/**
 * The attempt-noise floor of Var(D̄): Σ adjusted variances of both rates over K². Adjusted, not
 * the unbiased c(n−c)/(n²(n−1)): that one is 0 at 0/n and n/n, and as a floor mid-range it made
 * the verdict needlessly timid (1–2 % false positives, a third less power at N=3; bench/calibration.ts).
 */
export function noiseFloor(prompts: readonly PairedPrompt[]): number {
  const k = prompts.length;
  return prompts.reduce((s, p) => s + adjustedVariance(p.a.pass, p.a.runs) + adjustedVariance(p.b.pass, p.b.runs), 0) / (k * k);
}

/** t(K−1) at 1 − α/2, or z where K−1 < 1 (a single prompt, which is never separable anyway). */
export function tCritical(k: number, level = 0.975): number {
  return k >= 2 ? tQuantile(level, k - 1) : Z95;
}

/**
 * More attempts per prompt shrink only the attempt-noise share of the variance (∝ 1/N); the
 * between-prompt share stays. At 80 % power the gap must stand (t₀.₉₇₅ + t₀.₈₀)·SE' clear of 0,
 * so solve between + within·N/N' ≤ (D̄/(t₀.₉₇₅ + t₀.₈₀))² for N'.
 */
function moreAttempts(difference: number, between: number, within: number, k: number, n: number): MoreAttempts {
  if (Math.abs(difference) < EPSILON) return { kind: 'level' };
  if (k < 2) return { kind: 'prompts' };
  if (n < 2) return { kind: 'unmeasured' };
  const target = (difference / (tCritical(k) + tCritical(k, POWER))) ** 2;
  const betweenOnly = Math.max(0, between - within);
  if (within <= 0 || betweenOnly >= target) return { kind: 'prompts' };
  const needed = (n * within) / (target - betweenOnly);
  return { kind: 'attempts', per_prompt: Math.max(1, Math.ceil(needed - n)) };
}

/** A − B over their shared prompts, with its small-sample 95 % interval and whether it separates them. */
export function pairedDifference(a: AnyScorecard, b: AnyScorecard): PairedDifference | null {
  const prompts = sharedPrompts(a, b);
  const k = prompts.length;
  if (k === 0) return null;
  const diffs = prompts.map((p) => p.a.pass / p.a.runs - p.b.pass / p.b.runs);
  const difference = diffs.reduce((s, d) => s + d, 0) / k;
  // CR1: the clustered variance of the mean times K/(K−1)
  const between = k < 2 ? 0 : diffs.reduce((s, d) => s + (d - difference) ** 2, 0) / (k * (k - 1));
  const within = prompts.reduce((s, p) => s + rateVariance(p.a.pass, p.a.runs) + rateVariance(p.b.pass, p.b.runs), 0) / (k * k);
  const se = Math.sqrt(Math.max(between, noiseFloor(prompts)));
  const quantile = tCritical(k);
  const low = Math.max(-1, difference - quantile * se);
  const high = Math.min(1, difference + quantile * se);
  // one prompt says nothing about prompts in general, however often it was attempted
  const separable = k >= 2 && (low > EPSILON || high < -EPSILON);
  const n = { a: runN(a), b: runN(b) };
  const unit = isTaskCard(a) ? 'tasks' : 'prompts';
  const more = separable ? null : moreAttempts(difference, between, within, k, Math.min(n.a, n.b));
  return { prompts, unit, n, difference, se, quantile, low, high, separable, more };
}
