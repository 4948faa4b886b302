// A prompt suite as a lane's one cell of the queue: its source, then at its end the throughput
// probe, the lane scorecard with provenance, the summary and run.end.
import type { EventBus } from '../events.js';
import { probeThroughput } from '../telemetry/probe.js';
import { isAttempt, type ProbeResult, type Suite } from '../types.js';
import { laneScorecard } from '../verdict/scorecard.js';
import { loadScorecards, publishScorecard } from '../verdict/scorecard-files.js';
import { writeSummary } from '../verdict/summary.js';
import { cellProvenance } from './cell-provenance.js';
import type { RunPlan } from './plan.js';
import { promptSource } from './prompt-source.js';
import type { Cell, CellEnd } from './queue.js';

export interface PromptCellOptions {
  plan: RunPlan;
  suite: Suite;
  runDir: string;
  resultsDir: string;
  bus: EventBus;
}

/** The probe runs only after a whole suite (a paused or stopped one gets none), with GPU slowdowns noted. */
async function probeAfter(end: CellEnd, bus: EventBus): Promise<ProbeResult | null> {
  const { lane, outcome, sampler } = end;
  if (!lane || outcome.paused || outcome.stopped) return null;
  const throttledDuring = sampler.watchThrottle();
  let probe = await probeThroughput({ baseURL: lane.baseURL, model: lane.model, ...(lane.apiKey ? { apiKey: lane.apiKey } : {}) });
  const throttled = throttledDuring();
  if (throttled.length > 0) probe = { ...probe, throttled };
  bus.emit({ type: 'probe', lane: end.laneId, result: probe });
  return probe;
}

export function promptCell(opts: PromptCellOptions): Cell {
  const { plan, suite, bus } = opts;
  return {
    source: promptSource({ suite, runDir: opts.runDir, enabled: new Set(plan.enabled), turnBudget: plan.turnBudget, timeoutS: plan.timeoutS, hide: [plan.lanesFile, opts.resultsDir] }),
    needsLane: true,
    sampling: suite.sampling,
    async finish(end) {
      const probe = await probeAfter(end, bus);
      await end.sampler.stop();
      const card = laneScorecard({
        lane: end.laneId,
        simulated: end.lane?.simulated ?? false,
        prompts: suite.prompts,
        records: end.outcome.records.filter(isAttempt),
        skipped: end.outcome.skipped,
        probe,
        telemetry: end.sampler.rollup(),
        decidedEarly: end.outcome.decidedEarly,
        reproducibility: await cellProvenance(plan, suite, end),
      });
      // a partial scorecard (stopped, paused) never replaces the lane's complete one
      const scorecardPath = await publishScorecard(opts.resultsDir, opts.runDir, card);
      const summaryPath = await writeSummary(opts.resultsDir, await loadScorecards(opts.resultsDir));
      bus.emit({ type: 'run.end', runId: plan.runId, lane: end.laneId, scorecard: card, scorecardPath, summaryPath });
    },
  };
}
