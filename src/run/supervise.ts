import { createEventLog } from './event-log.js';
import { runQueue, type QueueOptions, type QueueResult } from './queue.js';
import { createStatusWriter, type RunStatus } from './status-file.js';

export interface SupervisedResult extends QueueResult {
  state: RunStatus['state'];
}

/**
 * Runs a planned queue the way every front end does (the headless command, a detached runner,
 * the cockpit): with runs/<id>/status.json and events.jsonl kept current, so `brainbench status`
 * and an attaching cockpit can follow it, and the final state written when it ends.
 */
export async function superviseQueue(opts: QueueOptions): Promise<SupervisedResult> {
  const status = createStatusWriter(opts.runDir, opts.plan.runId, opts.plan.lanes);
  const unsubscribe = [opts.bus.on(status.listener), opts.bus.on(createEventLog(opts.runDir))];
  try {
    const result = await runQueue({
      ...opts,
      onLaneStart: (lane, order) => {
        status.setQueue(order);
        opts.onLaneStart?.(lane, order);
      },
    });
    const failed = result.failures.length > 0 || result.unfinished.length > 0;
    const state = opts.control?.stopped ? 'stopped' : failed ? 'failed' : 'finished';
    status.setState(state);
    return { ...result, state };
  } catch (err) {
    status.setState('failed');
    throw err;
  } finally {
    unsubscribe.forEach((off) => off());
    await status.flush();
  }
}
