// What lets a cockpit attach to a task run (`brainbench run --suite tasks-v1 --harness pi --detach`,
// then `brainbench`): the run's events in runs/<id>/events.jsonl — each (lane, harness) cell
// announces itself as a run.start naming its harness, rows the tasks (runner.ts) — and status.json,
// as superviseQueue keeps them for prompt runs; and the attached cockpit's pause and resume
// (SIGUSR1, SIGUSR2: without a handler SIGUSR2 would end the process). One run.state ends it all.
import type { EventBus } from '../events.js';
import type { RunControl } from '../run/control.js';
import { createEventLog } from '../run/event-log.js';
import { createStatusWriter } from '../run/status-file.js';
import type { RunState } from '../types.js';

export interface WatchedTaskRun {
  /** Declares how the run ended (done or stopped, with the error that stopped it) and writes it out. */
  end(state: Extract<RunState, 'done' | 'stopped'>, reason?: string): Promise<void>;
}

export function watchTaskRun(bus: EventBus, runDir: string, runId: string, lanes: string[], control: RunControl): WatchedTaskRun {
  const status = createStatusWriter(runDir, runId, lanes);
  let lane = lanes[0] ?? '';
  const unsubscribe = [
    bus.on(status.listener),
    bus.on(createEventLog(runDir)),
    bus.on((e) => {
      if (e.type === 'run.start') lane = e.lane;
    }),
  ];
  // a pause lets the trials in flight finish and starts no new ones (runner.ts awaits control.gate())
  const onPause = () => {
    control.pause('paused from the cockpit');
    bus.emit({ type: 'run.paused', lane, reason: 'paused from the cockpit', user: true });
  };
  const onResume = () => {
    control.resume();
    bus.emit({ type: 'run.resumed', lane });
  };
  process.on('SIGUSR1', onPause);
  process.on('SIGUSR2', onResume);
  return {
    async end(state, reason) {
      process.off('SIGUSR1', onPause);
      process.off('SIGUSR2', onResume);
      bus.emit({ type: 'run.state', runId, state, ...(reason !== undefined && { reason }) });
      unsubscribe.forEach((off) => off());
      await status.flush();
    },
  };
}
