// How sure a lane's figures are (issue 15, DESIGN §14): pooled pass rate with its Wilson
// interval, pass^k / pass@k, verdict agreement counted in prompts, and the per-category table.
// Pure, and computed from PromptStats alone, so scorecards written before issue 15 get it too.
import { formatPct, mean, passAtK, passHatK, wilson95 } from '../stats.js';
import type { CategoryStats, LaneScorecard, LaneStatistics, PromptStats, WilsonInterval } from '../types.js';
import { tCritical } from './paired.js';

/** Prompts that ran and have at least one graded attempt. */
function graded(prompts: readonly PromptStats[]): PromptStats[] {
  return prompts.filter((s) => s.skipped === undefined && s.runs > 0);
}

function sum(values: number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

/** pass^k and pass@k of one prompt at k (null with fewer than k graded attempts). */
export function promptPassK(stats: Pick<PromptStats, 'pass_count' | 'runs'>, k: number): { pass_hat_k: number | null; pass_at_k: number | null } {
  return { pass_hat_k: passHatK(stats.pass_count, stats.runs, k), pass_at_k: passAtK(stats.pass_count, stats.runs, k) };
}

/** One row per category, in first-seen order: attempts pooled over the category's prompts that ran. */
export function categoryStats(prompts: readonly PromptStats[]): CategoryStats[] {
  const ran = graded(prompts);
  const categories = [...new Set(ran.map((s) => s.category))];
  return categories.map((category) => {
    const own = ran.filter((s) => s.category === category);
    const passes = sum(own.map((s) => s.pass_count));
    const runs = sum(own.map((s) => s.runs));
    return { category, prompts: own.length, pass_count: passes, runs, pass_rate: passes / runs, wilson95: wilson95(passes, runs) };
  });
}

/** The lane's statistics at k (the run's N unless a k is stated). */
export function laneStatistics(prompts: readonly PromptStats[], k: number): LaneStatistics {
  const core = graded(prompts).filter((s) => s.core);
  const passes = sum(core.map((s) => s.pass_count));
  const runs = sum(core.map((s) => s.runs));
  const atK = core.filter((s) => s.runs >= k).map((s) => promptPassK(s, k));
  return {
    pass_count: passes,
    runs,
    pass_rate: runs === 0 ? null : passes / runs,
    wilson95: wilson95(passes, runs),
    k,
    pass_hat_k: mean(atK.map((x) => x.pass_hat_k!)),
    pass_at_k: mean(atK.map((x) => x.pass_at_k!)),
    k_prompts: atK.length,
    all_pass: core.filter((s) => s.pass_count === s.runs).length,
    all_fail: core.filter((s) => s.pass_count === 0).length,
    split: core.filter((s) => s.pass_count > 0 && s.pass_count < s.runs).length,
    categories: categoryStats(prompts),
  };
}

/**
 * 95 % interval of a pooled pass rate Σc/Σn that respects clustering by prompt (issue 21): the
 * cluster-robust (CR1) variance of the ratio, K/(K−1)·Σ(c_i − p̂·n_i)²/(Σn)², with t(K−1) — the
 * plain Wilson interval treats attempts as independent and came out 1.3–2.2× too narrow. Never
 * narrower than Wilson, so it has width even when every attempt agrees.
 */
export function clusteredInterval95(prompts: ReadonlyArray<Pick<PromptStats, 'pass_count' | 'runs'>>): WilsonInterval | null {
  const passes = sum(prompts.map((s) => s.pass_count));
  const runs = sum(prompts.map((s) => s.runs));
  const plain = wilson95(passes, runs);
  const k = prompts.length;
  if (plain === null || k < 2) return plain;
  const rate = passes / runs;
  const variance = (k / (k - 1)) * sum(prompts.map((s) => (s.pass_count - rate * s.runs) ** 2)) / (runs * runs);
  const half = tCritical(k) * Math.sqrt(variance);
  return { low: Math.max(0, Math.min(plain.low, rate - half)), high: Math.min(1, Math.max(plain.high, rate + half)) };
}

/** What surfaces print of a lane: its statistics plus the clustered interval and how many core prompts ran. */
export type ShownStatistics = LaneStatistics & { clustered95: WilsonInterval | null; core_prompts: number };

/** A scorecard's statistics at k (its own N unless stated), computed afresh (old scorecards do not carry them). */
export function statisticsOf(card: LaneScorecard, k = card.reproducibility.n): ShownStatistics {
  const core = graded(card.prompts).filter((s) => s.core);
  return { ...laneStatistics(card.prompts, k), clustered95: clusteredInterval95(core), core_prompts: core.length };
}

/** One k for pass^k across lanes (issue 21): the stated one, else the smallest N among them, so columns compare like with like. */
export function sharedK(cards: readonly LaneScorecard[], k?: number): number {
  return k ?? Math.min(...cards.map((c) => c.reproducibility.n));
}

/** `92 %` with its coverage where some core prompts have fewer than k graded attempts: `92 % (9 of 11 prompts)`. */
export function passHatKCell(s: ShownStatistics): string {
  const coverage = s.k_prompts < s.core_prompts ? ` (${s.k_prompts} of ${s.core_prompts} prompts)` : '';
  return `${formatPct(s.pass_hat_k)}${coverage}`;
}
