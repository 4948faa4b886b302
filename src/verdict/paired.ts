// Paired comparison of two lanes on the same suite (issue 15, DESIGN §14): the difference in
// pass rate (mean over shared prompts of A's rate − B's rate, as core_pass_rate is a mean of
// per-prompt rates) with a 95 % interval that treats attempts as clustered within prompts.
//
// The standard error is the clustered one of Miller, "Adding Error Bars to Evals" (2024): the
// spread of the per-prompt differences, Σ(D_c − D̄)²/K². It is floored at the attempt noise alone
// (the binomial variance of each rate), because the spread across prompts can never be less than
// that in truth, and a lane that scores 3/5 on every prompt must not look exact. A difference that
// lives in one prompt that is the same on every attempt is then not separable (it could be that
// prompt), while three such prompts of eleven are. No resampling, so the verdict is exact and
// the same on every machine.
import { Z95 } from '../stats.js';
import type { LaneScorecard, PromptStats } from '../types.js';

export interface PairedPrompt {
  prompt_id: string;
  a: { pass: number; runs: number };
  b: { pass: number; runs: number };
}

/** What more attempts would do for a comparison that is not separable yet. */
export type MoreAttempts =
  | { kind: 'attempts'; per_prompt: number }
  /** the spread sits between prompts: more attempts per prompt would not shrink it, more prompts would */
  | { kind: 'prompts' }
  /** no difference measured */
  | { kind: 'level' };

export interface PairedDifference {
  /** Shared prompts compared (core prompts both lanes graded; every shared graded prompt when none is core). */
  prompts: PairedPrompt[];
  /** N of each lane's run (attempts planned per prompt). */
  n: { a: number; b: number };
  difference: number;
  se: number;
  low: number;
  high: number;
  separable: boolean;
  /** Null when separable. */
  more: MoreAttempts | null;
}

const EPSILON = 1e-12;

function gradedById(card: LaneScorecard): Map<string, PromptStats> {
  return new Map(card.prompts.filter((s) => s.skipped === undefined && s.runs > 0).map((s) => [s.prompt_id, s]));
}

/** The prompts both lanes graded, core ones only unless neither shares a core prompt; in A's order. */
export function sharedPrompts(a: LaneScorecard, b: LaneScorecard): PairedPrompt[] {
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

/**
 * More attempts per prompt shrink only the attempt-noise share of the variance (∝ 1/N); the
 * between-prompt share stays. Solve between + within·N/N' < (D̄/z)² for N'.
 */
function moreAttempts(difference: number, between: number, within: number, k: number, n: number): MoreAttempts {
  if (Math.abs(difference) < EPSILON) return { kind: 'level' };
  const target = (difference / Z95) ** 2;
  const betweenOnly = Math.max(0, between - within);
  if (k < 2 || within <= 0 || betweenOnly >= target) return { kind: 'prompts' };
  const needed = (n * within) / (target - betweenOnly);
  return { kind: 'attempts', per_prompt: Math.max(1, Math.ceil(needed - n)) };
}

/** A − B over their shared prompts, with its clustered 95 % interval and whether it separates them. */
export function pairedDifference(a: LaneScorecard, b: LaneScorecard): PairedDifference | null {
  const prompts = sharedPrompts(a, b);
  const k = prompts.length;
  if (k === 0) return null;
  const diffs = prompts.map((p) => p.a.pass / p.a.runs - p.b.pass / p.b.runs);
  const difference = diffs.reduce((s, d) => s + d, 0) / k;
  const between = diffs.reduce((s, d) => s + (d - difference) ** 2, 0) / (k * k);
  const within = prompts.reduce((s, p) => s + rateVariance(p.a.pass, p.a.runs) + rateVariance(p.b.pass, p.b.runs), 0) / (k * k);
  const se = Math.sqrt(Math.max(between, within));
  const low = Math.max(-1, difference - Z95 * se);
  const high = Math.min(1, difference + Z95 * se);
  // one prompt says nothing about prompts in general, however often it was attempted
  const separable = k >= 2 && (low > EPSILON || high < -EPSILON);
  const n = { a: a.reproducibility.n, b: b.reproducibility.n };
  return { prompts, n, difference, se, low, high, separable, more: separable ? null : moreAttempts(difference, between, within, k, Math.min(n.a, n.b)) };
}
