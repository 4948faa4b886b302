// A run's final state is the same in status.json (`brainbench status`) and events.jsonl (what an
// attached cockpit replays): a run that ended with an error but whose journal is intact is
// `stopped` with the error as its last error; only a process that vanished without a word is
// `died` (runStateOf).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderStatus } from '../../src/commands/status.js';
import { EventBus } from '../../src/events.js';
import { RunControl } from '../../src/run/control.js';
import { eventLogPath } from '../../src/run/event-log.js';
import { readStatus, runStateOf, type RunStatus } from '../../src/run/status-file.js';
import { superviseQueue } from '../../src/run/supervise.js';
import { createRun, openSession } from '../../src/run/session.js';
import type { EngineEvent, RunState } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';

const savedStateDir = process.env.BRAINBENCH_STATE_DIR;
afterEach(() => {
  if (savedStateDir === undefined) delete process.env.BRAINBENCH_STATE_DIR;
  else process.env.BRAINBENCH_STATE_DIR = savedStateDir;
});

const events = (runDir: string) =>
  readFileSync(eventLogPath(runDir), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EngineEvent);

/** A supervised demo-lane run (N=1); `sabotage` may break the session before it runs. */
async function supervisedRun(sabotage: (session: Awaited<ReturnType<typeof openSession>>) => void = () => undefined) {
  const home = tempDir('bb-final-');
  process.env.BRAINBENCH_STATE_DIR = join(home, 'state');
  const lanesFile = join(home, 'lanes.yaml');
  writeFileSync(lanesFile, 'version: 1\nlanes:\n  - id: demo\n    kind: demo\n    brain: strong\n    tok_per_sec: 4000\n');
  const results = join(home, 'results');
  const plan = await createRun(
    { lanes: ['demo'], lanesFile, suite: 'brain-v1', n: 1, parallel: 2, adaptive: false, enable: [], turnBudget: 12, timeoutS: 60, sampling: {}, demo: {}, stopAfter: true },
    results,
  );
  const bus = new EventBus();
  const session = await openSession(results, plan.runId, bus);
  const stopAll = session.manager.stopAll.bind(session.manager);
  sabotage(session);
  let error: Error | null = null;
  try {
    await superviseQueue({ ...session, resultsDir: results, bus, control: new RunControl() });
  } catch (err) {
    error = err as Error;
  } finally {
    await stopAll();
  }
  return { runDir: session.runDir, results, error };
}

describe('the final state of a run', () => {
  it('an error that ends the run: stopped, with the error as last error, in status.json and events.jsonl alike', async () => {
    const { runDir, results, error } = await supervisedRun((session) => {
      session.manager.stop = () => Promise.reject(new Error('stopping the lane failed: boom'));
    });
    expect(error?.message).toBe('stopping the lane failed: boom');
    const status = (await readStatus(runDir))!;
    expect({ state: status.state, lastError: status.lastError }).toEqual({ state: 'stopped', lastError: 'stopping the lane failed: boom' });
    expect(events(runDir).at(-1)).toEqual({ type: 'run.state', runId: status.runId, state: 'stopped', reason: 'stopping the lane failed: boom' });
    // the process that wrote it is gone once it ends: still stopped, never died
    expect(runStateOf(status, false)).toBe('stopped');
    expect(renderStatus(status, results)).toMatch(/^run \S+ {2}stopped /);
    expect(renderStatus(status, results)).toContain('last error  stopping the lane failed: boom');
  });

  it('a finished run: done in both, and no reason', async () => {
    const { runDir, error } = await supervisedRun();
    expect(error).toBeNull();
    const status = (await readStatus(runDir))!;
    expect(status.state).toBe('done');
    expect(events(runDir).at(-1)).toEqual({ type: 'run.state', runId: status.runId, state: 'done' });
  });
});

describe('runStateOf', () => {
  const status = (state: RunState): Pick<RunStatus, 'state' | 'pid'> => ({ state, pid: 2 ** 22 + 7 });
  it.each([
    ['running', true, 'running'],
    ['paused', true, 'paused'],
    ['running', false, 'died'],
    ['paused', false, 'died'],
    ['stopped', false, 'stopped'],
    ['done', false, 'done'],
    ['stopped', true, 'stopped'],
  ] as const)('%s with its process %s alive reads %s', (state, alive, shown) => {
    expect(runStateOf(status(state), alive)).toBe(shown);
  });

  it('asks the system about the pid by default', () => {
    expect(runStateOf({ state: 'running', pid: process.pid })).toBe('running');
    expect(runStateOf(status('running'))).toBe('died'); // no such pid
  });
});
