// Slots, not records (DESIGN §14): a slot is one (item, attempt) of a run; what counts is its latest
// record, so a journal line written twice (a crash between write and fsync, a resume) never makes
// 6 runs at N=5. Completeness is earned: a slot is done only when its latest record is graded; a
// lane_error — retried and still failing or not — leaves the scorecard partial, with the count.
import type { ScorecardCompleteness } from '../types.js';

interface SlotRecord {
  prompt_id: string;
  attempt: number;
  outcome: string;
}

/** The latest record of each (item, attempt), in journal order of first appearance. */
export function latestPerSlot<R extends SlotRecord>(records: readonly R[]): R[] {
  const bySlot = new Map<string, R>();
  for (const r of records) bySlot.set(`${r.prompt_id}\u0000${r.attempt}`, r);
  return [...bySlot.values()];
}

/** lane_error is the lane's fault, not the model's: no grade. */
export const isGraded = (r: SlotRecord): boolean => r.outcome !== 'lane_error';

export interface PlannedItem {
  id: string;
  /** Core items (every task; prompts marked core): one with no graded slot makes the lane degraded. */
  core: boolean;
}

/**
 * Graded slots against planned slots for the items that ran (not skipped). An item that adaptive
 * stopping decided early plans only what it graded. Slots whose latest record is a lane_error are
 * counted apart; a core item whose slots all ended in lane errors makes the scorecard degraded.
 */
export function slotCompleteness(
  ran: readonly PlannedItem[],
  records: readonly SlotRecord[],
  n: number,
  decidedEarly: ReadonlySet<string> = new Set(),
): ScorecardCompleteness {
  const latest = new Map(latestPerSlot(records).map((r) => [`${r.prompt_id}\u0000${r.attempt}`, r]));
  let done = 0;
  let planned = 0;
  let laneErrors = 0;
  let degraded = false;
  for (const item of ran) {
    let graded = 0;
    let errors = 0;
    for (let attempt = 1; attempt <= n; attempt++) {
      const r = latest.get(`${item.id}\u0000${attempt}`);
      if (r && isGraded(r)) graded++;
      else if (r) errors++;
    }
    done += graded;
    laneErrors += errors;
    planned += decidedEarly.has(item.id) ? graded : n;
    // lane errors ate every slot of a core item (a stopped run that never reached it is just partial)
    if (item.core && graded === 0 && errors > 0) degraded = true;
  }
  return { attempts_done: done, attempts_planned: planned, complete: done === planned, lane_errors: laneErrors, degraded };
}
