// What makes a scorecard reproducible (DESIGN §6), built the same way by a running queue and by
// `brainbench report --from-journals`.
import { arch, hostname, type as osType } from 'node:os';
import { brainbenchVersion } from '../paths.js';
import type { LaneScorecard, Sampling, Suite } from '../types.js';
import type { RunPlan } from './plan.js';

export function machine(): string {
  return `${hostname()} (${osType()} ${arch()})`;
}

export interface LaneRunFacts {
  /** The lane's own sampling from lanes.yaml, when known. */
  laneSampling?: Sampling;
  laneCommand: string;
  parallel: number;
  startedAt: string;
  endedAt: string;
}

export function reproducibilityOf(plan: RunPlan, suite: Suite, facts: LaneRunFacts): LaneScorecard['reproducibility'] {
  return {
    suite: suite.name,
    suite_hash: suite.hash,
    fixture_hash: suite.fixtureHash,
    n: plan.n,
    parallel: facts.parallel,
    adaptive: plan.adaptive,
    sampling: { ...suite.sampling, ...facts.laneSampling, ...plan.sampling },
    lane_command: facts.laneCommand,
    brainbench_version: brainbenchVersion,
    started_at: facts.startedAt,
    ended_at: facts.endedAt,
    machine: machine(),
    run_id: plan.runId,
  };
}
