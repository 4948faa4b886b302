import type { RunRecord } from '../types.js';
import { wilson95 } from '../stats.js';

/** One (prompt, attempt) still to run. */
export interface Slot {
  promptId: string;
  attempt: number;
}

/** Graded verdicts so far for one prompt (lane_error attempts are not verdicts). */
export interface Tally {
  passes: number;
  graded: number;
  inFlight: number;
}

export function tallyOf(records: Iterable<RunRecord>): Tally {
  let passes = 0;
  let graded = 0;
  for (const r of records) {
    if (r.outcome === 'lane_error') continue;
    graded++;
    if (r.outcome === 'pass') passes++;
  }
  return { passes, graded, inFlight: 0 };
}

/** The 95 % Wilson interval of the verdicts so far lies entirely above or entirely below 50 %. */
export function intervalDecides(t: Pick<Tally, 'passes' | 'graded'>): boolean {
  const w = wilson95(t.passes, t.graded);
  return w !== null && (w.low > 0.5 || w.high < 0.5);
}

/**
 * True once the prompt's verdict is settled: its majority verdict at N can no longer change
 * (passes already exceed N/2, or passing every remaining attempt could not get them there: for
 * N=5, 3 passes or 3 failures), or its Wilson interval already decides it. At N=5 the majority
 * rule is the stricter one (the interval needs 4 of 4); at larger N the interval stops sooner
 * (N=20: 5 of 5 rather than 11).
 */
export function isDecided(t: Pick<Tally, 'passes' | 'graded'>, n: number): boolean {
  const remaining = n - t.graded;
  return t.passes > n / 2 || t.passes + remaining <= n / 2 || intervalDecides(t);
}

/** The fewest identical verdicts that can settle a prompt at N, by either rule. */
export function fewestToDecide(n: number): number {
  const majority = Math.floor(n / 2) + 1;
  for (let k = 1; k < majority; k++) if (intervalDecides({ passes: k, graded: k })) return k;
  return majority;
}

/**
 * Picks the next slot to start. Sequential order is prompt by prompt, attempt by attempt. With
 * `adaptive`, decided prompts get no more attempts, and a prompt whose verdicts plus in-flight
 * attempts could already decide it yields to undecided prompts, so parallel slots stay busy on
 * attempts that can still matter.
 */
export function pickNext(
  pending: Slot[],
  tallies: Map<string, Tally>,
  n: number,
  adaptive: boolean,
): Slot | undefined {
  if (!adaptive) return pending[0];
  const enough = fewestToDecide(n);
  let fallback: Slot | undefined;
  for (const slot of pending) {
    const t = tallies.get(slot.promptId) ?? { passes: 0, graded: 0, inFlight: 0 };
    if (isDecided(t, n)) continue;
    if (t.graded + t.inFlight < enough) return slot;
    fallback ??= slot;
  }
  return fallback;
}
