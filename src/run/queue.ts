import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { EventBus } from '../events.js';
import type { LaneManager, ReadyLane } from '../lanes/manager.js';
import { probeThroughput } from '../telemetry/probe.js';
import { TelemetrySampler } from '../telemetry/sampler.js';
import type { LaneScorecard, ProbeResult, Suite } from '../types.js';
import type { RunControl } from './control.js';
import { Journal } from './journal.js';
import { readQueueOrder } from './queue-order.js';
import type { RunPlan } from './plan.js';
import { runSuite } from './runner.js';
import { laneScorecard } from '../verdict/scorecard.js';
import { laneProvenance, reproducibilityOf } from '../verdict/reproducibility.js';
import { loadScorecards, publishScorecard } from '../verdict/scorecard-files.js';
import { writeSummary } from '../verdict/summary.js';

export interface QueueOptions {
  plan: RunPlan;
  suite: Suite;
  runDir: string;
  resultsDir: string;
  manager: LaneManager;
  bus: EventBus;
  control?: RunControl;
  /** Telemetry tick (ms); 500 = the 2 Hz of DESIGN §7. */
  telemetryIntervalMs?: number;
  /** Told which lane starts now and the queue's current order (it may have been reordered). */
  onLaneStart?: (lane: string, order: string[]) => void;
}

export interface LaneFailure {
  lane: string;
  reason: string;
}

export interface QueueResult {
  cards: LaneScorecard[];
  failures: LaneFailure[];
  /** Lanes whose suite did not finish (crashed twice, or the run was stopped). */
  unfinished: LaneFailure[];
}

/** Lanes whose suite, probe and scorecard are complete in this run (a resume skips them). */
async function readFinishedLanes(runDir: string): Promise<string[]> {
  try {
    return JSON.parse(await readFile(join(runDir, 'finished.json'), 'utf8')) as string[];
  } catch {
    return [];
  }
}

async function markLaneFinished(runDir: string, lanes: string[]): Promise<void> {
  await writeFileAtomic(join(runDir, 'finished.json'), `${JSON.stringify(lanes)}\n`);
}

/**
 * The overnight loop: for each lane of the plan, start it (the manager stops whatever else is
 * resident), run the suite with telemetry, probe throughput, write its scorecard and the combined
 * summary, stop it when the queue moves on. A lane that fails to start is recorded and skipped.
 */
export async function runQueue(opts: QueueOptions): Promise<QueueResult> {
  const { plan, suite, bus, manager } = opts;
  const journal = new Journal(join(opts.runDir, 'journal.jsonl'), { onWarning: (message) => bus.emit({ type: 'log', level: 'warn', message }) });
  const enabled = new Set(plan.enabled);
  const result: QueueResult = { cards: [], failures: [], unfinished: [] };
  let finished = await readFinishedLanes(opts.runDir);
  const started = new Set<string>();
  try {
    for (;;) {
      if (opts.control?.stopped) break;
      const order = await readQueueOrder(opts.runDir, plan.lanes);
      const laneId = order.find((id) => !started.has(id));
      if (!laneId) break;
      started.add(laneId);
      opts.onLaneStart?.(laneId, order);
      if (finished.includes(laneId)) {
        bus.emit({ type: 'log', level: 'info', message: `lane ${laneId} already finished in run ${plan.runId}; skipping it` });
        continue;
      }
      let lane: ReadyLane;
      try {
        lane = await manager.start(laneId);
      } catch (err) {
        const reason = (err as Error).message;
        result.failures.push({ lane: laneId, reason });
        // one event says it (the cockpit logs lane states; status keeps it as the last error)
        bus.emit({ type: 'lane.state', lane: laneId, state: 'error', detail: reason });
        continue;
      }
      const sampler = new TelemetrySampler({
        bus,
        intervalMs: opts.telemetryIntervalMs ?? 500,
        jsonlPath: join(opts.runDir, 'telemetry.jsonl'),
        metricsUrl: lane.metricsUrl,
      });
      sampler.start();
      const startedAt = new Date().toISOString();
      const parallel = plan.parallel ?? lane.slots ?? 1;
      let outcome;
      try {
        outcome = await runSuite({
          runId: plan.runId,
          runDir: opts.runDir,
          journal,
          lane,
          suite,
          n: plan.n,
          parallel,
          adaptive: plan.adaptive,
          enabled,
          turnBudget: plan.turnBudget,
          timeoutS: plan.timeoutS,
          sampling: { ...suite.sampling, ...lane.sampling, ...plan.sampling },
          hide: [plan.lanesFile, opts.resultsDir],
          bus,
          control: opts.control,
          health: { isUp: () => manager.isUp(laneId), restart: () => manager.restart(laneId), stoppedByUser: () => manager.stoppedByUser(laneId) },
        });
      } catch (err) {
        await sampler.stop();
        throw err;
      }
      let probe: ProbeResult | null = null;
      if (!outcome.paused && !outcome.stopped) {
        const throttledDuring = sampler.watchThrottle();
        probe = await probeThroughput({ baseURL: lane.baseURL, model: lane.model, ...(lane.apiKey ? { apiKey: lane.apiKey } : {}) });
        const throttled = throttledDuring();
        if (throttled.length > 0) probe = { ...probe, throttled };
        bus.emit({ type: 'probe', lane: laneId, result: probe });
      }
      await sampler.stop();
      const card = laneScorecard({
        lane: laneId,
        simulated: lane.simulated,
        prompts: suite.prompts,
        records: outcome.records,
        skipped: outcome.skipped,
        probe,
        telemetry: sampler.rollup(),
        decidedEarly: outcome.decidedEarly,
        reproducibility: reproducibilityOf(plan, suite, {
          laneSampling: lane.sampling,
          laneCommand: lane.command,
          parallel,
          ...(await laneProvenance(lane)),
          startedAt,
          endedAt: new Date().toISOString(),
        }),
      });
      // a partial scorecard (stopped, paused) never replaces the lane's complete one
      const scorecardPath = await publishScorecard(opts.resultsDir, opts.runDir, card);
      const summaryPath = await writeSummary(opts.resultsDir, await loadScorecards(opts.resultsDir));
      result.cards.push(card);
      const unfinished = outcome.paused ?? outcome.stopped;
      if (unfinished) result.unfinished.push({ lane: laneId, reason: unfinished });
      else await markLaneFinished(opts.runDir, (finished = [...finished, laneId]));
      bus.emit({ type: 'run.end', runId: plan.runId, lane: laneId, scorecard: card, scorecardPath, summaryPath });
      const last = (await readQueueOrder(opts.runDir, plan.lanes)).every((id) => started.has(id));
      if (!last || plan.stopAfter) await manager.stop(laneId);
    }
  } finally {
    journal.close();
  }
  return result;
}
