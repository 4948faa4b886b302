// The attached cockpit names the run's state as `brainbench status` does: a runner that ended the
// run (stopped with its error, or done) is not "died" once its process exits; one that vanished
// without a word (kill -9) died.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { AttachController } from '../../src/cockpit/attach-controller.js';
import { runState } from '../../src/cockpit/runView.js';
import { EventBus } from '../../src/events.js';
import { eventLogPath } from '../../src/run/event-log.js';
import { runStateOf, statusPath } from '../../src/run/status-file.js';
import type { EngineEvent, RunState } from '../../src/types.js';
import { tempDir } from '../helpers/tmp.js';
import { prompts, runStart, storeWithLanes } from './fixtures.js';

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

/**
 * Attaches a cockpit store to a run folder whose runner, now gone, wrote `events` (and status.json
 * with `state`, when given), reads it once and waits until the cockpit has settled the run's state.
 */
async function attachTo(events: EngineEvent[], state?: RunState) {
  const runDir = tempDir('bb-attach-');
  const pid = deadPid();
  writeFileSync(eventLogPath(runDir), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  if (state) writeFileSync(statusPath(runDir), JSON.stringify({ runId: 'r1', pid, state, queue: ['x'], lane: 'x', laneState: 'ready', done: 0, total: 10, passes: 0, etaS: null, lanesDone: [], lastError: null, startedAt: '', updatedAt: '' }));
  const store = storeWithLanes();
  const bus = new EventBus();
  bus.on(store.getState().apply);
  const attach = new AttachController(runDir, pid, runDir, bus, (reason) => store.getState().markDied(reason));
  attach.start();
  await attach.quit();
  await vi.waitFor(() => expect(store.getState().run?.final).not.toBeNull());
  return { store, pid };
}

describe('attached to a run whose process is gone', () => {
  it('a run that failed with its journal intact is stopped, its error shown in full with how to go on', async () => {
    const reason = 'ENOSPC: no space left on device, write';
    const { store, pid } = await attachTo([runStart(prompts(2)), { type: 'run.state', runId: 'r1', state: 'stopped', reason }]);
    expect(runState(store.getState().run)).toBe(runStateOf({ state: 'stopped', pid }));
    expect(runState(store.getState().run)).toBe('stopped');
    expect(store.getState().lastError!.message).toBe(`run r1 stopped: ${reason}; brainbench run --resume r1 carries it on`);
  });

  it('a runner killed with -9 (status.json still says running) died, as status says of it', async () => {
    const { store, pid } = await attachTo([runStart(prompts(2))], 'running');
    expect(runState(store.getState().run)).toBe('died');
    expect(runStateOf({ state: 'running', pid })).toBe('died');
    expect(store.getState().lastError!.message).toContain(`its process (pid ${pid}) is gone without ending it`);
  });

  it('a runner that exited while stopping (status.json says stopped) is stopped, whatever its event log holds', async () => {
    const { store, pid } = await attachTo([runStart(prompts(2))], 'stopped');
    expect(runState(store.getState().run)).toBe(runStateOf({ state: 'stopped', pid }));
    expect(runState(store.getState().run)).toBe('stopped');
  });
});
