import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { EventBus } from '../events.js';
import type { LaneManager, ReadyLane } from '../lanes/manager.js';
import { TelemetrySampler } from '../telemetry/sampler.js';
import type { Sampling, Suite } from '../types.js';
import type { RunControl } from './control.js';
import { Journal } from './journal.js';
import { readQueueOrder } from './queue-order.js';
import type { RunPlan } from './plan.js';
import { promptCell } from './prompt-cell.js';
import { runItems, type ItemSource, type ItemRunResult } from './runner.js';

/** What a cell's end is told: its lane, its slots' outcome, and the lane's telemetry so far. */
export interface CellEnd {
  laneId: string;
  lane: ReadyLane | undefined;
  outcome: ItemRunResult;
  sampler: TelemetrySampler;
  parallel: number;
  startedAt: string;
  /** The lane's last cell: the lane is done after it. */
  last: boolean;
}

/**
 * One cell of a lane's work: a prompt suite, or a task suite under one harness. A lane starts once
 * for all its cells (and only when one of them talks to it).
 */
export interface Cell {
  source: ItemSource;
  /** Whether it talks to the lane (an oracle or null harness does not). */
  needsLane: boolean;
  /** The suite's own sampling, under the lane's and the plan's. */
  sampling: Sampling;
  /** After its slots: probe (prompt suites), scorecard, summary. */
  finish(end: CellEnd): Promise<void>;
}

export interface QueueOptions {
  plan: RunPlan;
  /** The cells of every lane; absent: the prompt suite `suite` as one cell. */
  cells?: readonly Cell[];
  suite?: Suite;
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

/** Starts the lane when a cell needs it; a lane that fails to start is said once and skipped. */
async function startLane(opts: QueueOptions, laneId: string, cells: readonly Cell[]): Promise<{ lane: ReadyLane | undefined } | { failed: string }> {
  if (!cells.some((c) => c.needsLane)) return { lane: undefined };
  try {
    return { lane: await opts.manager.start(laneId) };
  } catch (err) {
    const reason = (err as Error).message;
    // one event says it (the cockpit logs lane states; status keeps it as the last error)
    opts.bus.emit({ type: 'lane.state', lane: laneId, state: 'error', detail: reason });
    return { failed: reason };
  }
}

/** Every cell on one started lane, with telemetry; why it did not finish, if it did not. */
async function runLane(opts: QueueOptions, journal: Journal, cells: readonly Cell[], laneId: string, lane: ReadyLane | undefined): Promise<string | undefined> {
  const { plan, manager } = opts;
  const sampler = new TelemetrySampler({ bus: opts.bus, intervalMs: opts.telemetryIntervalMs ?? 500, jsonlPath: join(opts.runDir, 'telemetry.jsonl'), metricsUrl: lane?.metricsUrl, idleBaselineGb: lane?.idleBaselineGb });
  sampler.start();
  const parallel = plan.parallel ?? lane?.slots ?? 1;
  const runnable = (c: Cell) => c.source.items.filter((p) => p.skipped === undefined).length * plan.n;
  const laneTotal = cells.length > 1 ? cells.reduce((s, c) => s + runnable(c), 0) : undefined;
  const health = { isUp: () => manager.isUp(laneId), restart: () => manager.restart(laneId), stoppedByUser: () => manager.stoppedByUser(laneId) };
  try {
    for (const [i, cell] of cells.entries()) {
      const startedAt = new Date().toISOString();
      const outcome = await runItems({
        runId: plan.runId, runDir: opts.runDir, journal, source: cell.source, laneId, lane: cell.needsLane ? lane : undefined,
        n: plan.n, parallel, adaptive: plan.adaptive, sampling: { ...cell.sampling, ...lane?.sampling, ...plan.sampling },
        bus: opts.bus, control: opts.control, ...(cell.needsLane && lane && { health }), ...(laneTotal !== undefined && { laneTotal }),
      });
      await cell.finish({ laneId, lane, outcome, sampler, parallel, startedAt, last: i === cells.length - 1 });
      const unfinished = outcome.paused ?? outcome.stopped;
      if (unfinished) return unfinished;
    }
    return undefined;
  } finally {
    await sampler.stop();
  }
}

/**
 * The overnight loop: for each lane of the plan, start it (the manager stops whatever else is
 * resident), run its cells with telemetry, write their scorecards and the combined summary, stop
 * it when the queue moves on. A lane that fails to start is recorded and skipped.
 */
export async function runQueue(opts: QueueOptions): Promise<QueueResult> {
  const { plan, bus, manager } = opts;
  const cells = opts.cells ?? [promptCell({ plan, suite: opts.suite!, runDir: opts.runDir, resultsDir: opts.resultsDir, bus })];
  const journal = new Journal(join(opts.runDir, 'journal.jsonl'), { onWarning: (message) => bus.emit({ type: 'log', level: 'warn', message }) });
  const result: QueueResult = { failures: [], unfinished: [] };
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
      const start = await startLane(opts, laneId, cells);
      if ('failed' in start) {
        result.failures.push({ lane: laneId, reason: start.failed });
        continue;
      }
      const unfinished = await runLane(opts, journal, cells, laneId, start.lane);
      if (unfinished) result.unfinished.push({ lane: laneId, reason: unfinished });
      else await markLaneFinished(opts.runDir, (finished = [...finished, laneId]));
      const last = (await readQueueOrder(opts.runDir, plan.lanes)).every((id) => started.has(id));
      if (start.lane && (!last || plan.stopAfter)) await manager.stop(laneId);
    }
  } finally {
    journal.close();
  }
  return result;
}
