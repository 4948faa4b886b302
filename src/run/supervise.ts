import { rmSync } from 'node:fs';
import { attachRateMeter } from '../telemetry/rate.js';
import { createEventLog } from './event-log.js';
import { runQueue, type QueueOptions, type QueueResult } from './queue.js';
import { scratchRoot } from './scratch-root.js';
import { createStatusWriter, type RunState } from './status-file.js';

export interface SupervisedResult extends QueueResult {
  state: RunState;
}

export interface SuperviseOptions extends QueueOptions {
  /** Runs after the queue, while status.json still follows the lanes (stopping them shows there). */
  wrapUp?: () => Promise<void>;
}

/** How a queue ended: stopped with work left for --resume, or done. */
function endState(result: QueueResult, stopped: boolean): RunState {
  return stopped || result.failures.length > 0 || result.unfinished.length > 0 ? 'stopped' : 'done';
}

/**
 * Runs a planned queue the way every front end does (the headless command, a detached runner,
 * the cockpit): with runs/<id>/status.json and events.jsonl kept current, so `brainbench status`
 * and an attaching cockpit can follow it, and the final state written when it ends. A process
 * that exits while a stop is under way (the cockpit's quit, a second Ctrl-C) leaves `stopped`.
 */
export async function superviseQueue(opts: SuperviseOptions): Promise<SupervisedResult> {
  const runId = opts.plan.runId;
  const status = createStatusWriter(opts.runDir, runId, opts.plan.lanes);
  const eventLog = createEventLog(opts.runDir);
  const unsubscribe = [opts.bus.on(status.listener), opts.bus.on(eventLog)];
  // the one live decode rate, as lane.rate events every listener above sees
  const stopRate = attachRateMeter(opts.bus);
  const onExit = () => {
    // leaving mid-run (a second Ctrl-C, the cockpit's quit): the attempts' scratch copies, in RAM, go too
    try {
      rmSync(scratchRoot(opts.runDir, runId), { recursive: true, force: true });
    } catch {
      // best effort: a resume replaces each copy anyway
    }
    if (!opts.control?.stopped) return;
    // nothing asynchronous runs any more: both files are written at once
    eventLog({ type: 'run.state', runId, state: 'stopped' });
    status.writeNow('stopped');
  };
  process.on('exit', onExit);
  let state: RunState = 'stopped';
  let failure: string | undefined;
  try {
    const result = await runQueue({
      ...opts,
      onLaneStart: (lane, order) => {
        status.setQueue(order);
        status.setLane(lane);
        opts.onLaneStart?.(lane, order);
      },
    });
    state = endState(result, !!opts.control?.stopped);
    return { ...result, state };
  } catch (err) {
    // the journal holds every finished attempt: the run stopped, and --resume carries it on
    failure = (err as Error).message;
    throw err;
  } finally {
    await opts.wrapUp?.().catch((err: unknown) => opts.bus.emit({ type: 'log', level: 'error', message: `stopping lanes: ${(err as Error).message}` }));
    process.off('exit', onExit);
    // one event ends the run in status.json and events.jsonl alike (and for every other listener)
    stopRate();
    opts.bus.emit({ type: 'run.state', runId, state, ...(failure !== undefined ? { reason: failure } : {}) });
    unsubscribe.forEach((off) => off());
    await status.flush();
  }
}
