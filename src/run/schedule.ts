import type { AttemptRecord } from '../types.js';

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

export function tallyOf(records: Iterable<AttemptRecord>): Tally {
  let passes = 0;
  let graded = 0;
  for (const r of records) {
    if (r.outcome === 'lane_error') continue;
    graded++;
    if (r.outcome === 'pass') passes++;
  }
  return { passes, graded, inFlight: 0 };
}

/**
 * True once the majority verdict at N can no longer change: passes already exceed N/2, or even
 * passing every remaining attempt could not get them there (for N=5: 3 passes or 3 failures).
 */
export function isDecided(t: Pick<Tally, 'passes' | 'graded'>, n: number): boolean {
  const remaining = n - t.graded;
  return t.passes > n / 2 || t.passes + remaining <= n / 2;
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
  const majority = Math.floor(n / 2) + 1;
  let fallback: Slot | undefined;
  for (const slot of pending) {
    const t = tallies.get(slot.promptId) ?? { passes: 0, graded: 0, inFlight: 0 };
    if (isDecided(t, n)) continue;
    if (t.graded + t.inFlight < majority) return slot;
    fallback ??= slot;
  }
  return fallback;
}
