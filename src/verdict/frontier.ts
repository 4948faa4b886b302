// The quality × speed × memory frontier's points, shared by the HTML report and the cockpit's
// leaderboard (kept apart from charts.ts so the cockpit does not load Vega).
import type { LaneScorecard } from '../types.js';
import type { TaskScorecard } from '../tasks/types.js';

export interface FrontierPoint {
  lane: string;
  pass_rate: number;
  tok_s: number;
  peak_gb: number | null;
  pareto: boolean;
}

/** a is at least as good as b everywhere and better somewhere (memory only when both have it). */
function dominates(a: FrontierPoint, b: FrontierPoint): boolean {
  const memory = a.peak_gb !== null && b.peak_gb !== null;
  const noWorse = a.pass_rate >= b.pass_rate && a.tok_s >= b.tok_s && (!memory || a.peak_gb! <= b.peak_gb!);
  const better = a.pass_rate > b.pass_rate || a.tok_s > b.tok_s || (memory && a.peak_gb! < b.peak_gb!);
  return noWorse && better;
}

/**
 * One point per lane with a core pass rate and a tok/s, marked Pareto when no other lane
 * dominates it on pass rate (higher), tok/s (higher) and peak memory (lower).
 */
export function frontierPoints(cards: readonly LaneScorecard[]): FrontierPoint[] {
  const points = cards
    .filter((c) => c.core_pass_rate !== null && c.tokens_per_sec !== null)
    .map((c) => ({ lane: c.lane, pass_rate: c.core_pass_rate!, tok_s: c.tokens_per_sec!, peak_gb: c.telemetry?.unified_used_gb_max ?? null, pareto: false }));
  return markPareto(points);
}

function markPareto(points: FrontierPoint[]): FrontierPoint[] {
  return points.map((p) => ({ ...p, pareto: !points.some((q) => q !== p && dominates(q, p)) }));
}

/**
 * The task frontier: one point per (lane, harness) task scorecard with a pass rate and a decode
 * rate (what the builtin loop or the recording proxy measured); task cards record no memory peak.
 */
export function taskFrontierPoints(cards: readonly TaskScorecard[]): FrontierPoint[] {
  const points = cards
    .filter((c) => c.pass_rate !== null && typeof c.decode_tok_s_mean === 'number')
    .map((c) => ({ lane: c.key, pass_rate: c.pass_rate!, tok_s: c.decode_tok_s_mean!, peak_gb: null, pareto: false }));
  return markPareto(points);
}
