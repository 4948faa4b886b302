// The provenance block every scorecard carries (DESIGN §15), from what the queue knows at the end
// of a cell: the lane's command, sampling and engine, the run's settings and when it ran.
import type { LaneScorecard } from '../types.js';
import { laneProvenance, reproducibilityOf, type SuiteFacts } from '../verdict/reproducibility.js';
import type { RunPlan } from './plan.js';
import type { CellEnd } from './queue.js';

export async function cellProvenance(plan: RunPlan, suite: SuiteFacts, end: CellEnd): Promise<LaneScorecard['reproducibility']> {
  return reproducibilityOf(plan, suite, {
    laneSampling: end.lane?.sampling,
    laneCommand: end.lane?.command ?? '',
    parallel: end.parallel,
    ...(end.lane && (await laneProvenance(end.lane))),
    startedAt: end.startedAt,
    endedAt: new Date().toISOString(),
  });
}
