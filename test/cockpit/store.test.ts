import { describe, expect, it } from 'vitest';
import { etaSeconds } from '../../src/cockpit/runView.js';
import { PROBE_ETA_S } from '../../src/telemetry/probe.js';
import { LOG_RING, TELEMETRY_RING } from '../../src/store.js';
import { LANES, prompts, record, runStart, sample, scorecard, storeWithLanes } from './fixtures.js';

describe('cockpit store reducer', () => {
  it('run.start builds the grid, marks skipped prompts and counts resumed records', () => {
    const store = storeWithLanes();
    const list = prompts(3);
    list[2] = { ...list[2]!, skipped: 'needs shell' };
    const done = [record(list[0]!.id, 1, 'pass', 10), record(list[0]!.id, 3, 'wrong_answer', 20), record(list[1]!.id, 2, 'lane_error', 1)];
    store.getState().apply(runStart(list, { done }));
    const run = store.getState().run!;
    expect(run.cells[0]!.map((c) => c.status)).toEqual(['pass', 'pending', 'wrong_answer', 'pending', 'pending']);
    expect(run.cells[1]![1]!.status).toBe('lane_error');
    expect(run.cells[2]).toEqual([]);
    // lane errors are retried: not done, not in the stats
    expect(run.done).toBe(2);
    expect(run.total).toBe(10);
    expect(run.stats[0]).toEqual({ runs: 2, passCount: 1, agreement: 0.5, p50: 10 });
    expect(run.stats[1]!.runs).toBe(0);
    expect(run.cells[0]![0]!.record).toBe(done[0]);
  });

  it('attempt.start / end move a cell through its states, keep the counters and log the outcome with its reason', () => {
    const store = storeWithLanes();
    const list = prompts(2);
    store.getState().apply(runStart(list));
    const id = list[1]!.id;
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: id, attempt: 2, at: '' });
    expect(store.getState().run!.cells[1]![1]!.status).toBe('running');
    expect(store.getState().run!.running).toBe(1);

    const r = { ...record(id, 2, 'runaway', 30), error: 'turn budget 12 reached' };
    store.getState().apply({ type: 'attempt.end', record: r });
    const run = store.getState().run!;
    expect(run.cells[1]![1]).toEqual({ status: 'runaway', record: r });
    expect(run.running).toBe(0);
    expect(run.done).toBe(1);
    expect(run.stats[1]).toEqual({ runs: 1, passCount: 0, agreement: 1, p50: 30 });
    expect(store.getState().logs.at(-1)!.message).toBe(`${id} #2 ∞ runaway 30 s: turn budget 12 reached`);
  });

  it('copies only the changed row', () => {
    const store = storeWithLanes();
    store.getState().apply(runStart(prompts(3)));
    const before = store.getState().run!;
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: before.prompts[1]!.id, attempt: 1, at: '' });
    const after = store.getState().run!;
    expect(after.cells).not.toBe(before.cells);
    expect(after.cells[0]).toBe(before.cells[0]);
    expect(after.cells[2]).toBe(before.cells[2]);
    expect(after.cells[1]).not.toBe(before.cells[1]);
    // a progress tick changes the cell but not the row's stats
    store.getState().apply({ type: 'attempt.progress', lane: 'x', promptId: before.prompts[1]!.id, attempt: 1, completionTokens: 1, tokPerSec: 9 });
    expect(store.getState().run!.stats).toBe(after.stats);
  });

  it('a retried lane_error slot counts once when it finally passes', () => {
    const store = storeWithLanes();
    const list = prompts(1);
    store.getState().apply(runStart(list, { n: 1 }));
    const id = list[0]!.id;
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: id, attempt: 1, at: '' });
    store.getState().apply({ type: 'attempt.end', record: record(id, 1, 'lane_error', 1) });
    expect(store.getState().run!.done).toBe(0);
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: id, attempt: 1, at: '' });
    store.getState().apply({ type: 'attempt.end', record: record(id, 1, 'pass', 8) });
    expect(store.getState().run!.done).toBe(1);
    expect(store.getState().run!.stats[0]!.passCount).toBe(1);
  });

  it('ETA is mean graded wall × remaining ÷ parallel, plus the probe that ends a prompt suite', () => {
    const store = storeWithLanes();
    const list = prompts(2);
    store.getState().apply(runStart(list, { n: 5, parallel: 2, done: [record(list[0]!.id, 1, 'pass', 10), record(list[0]!.id, 2, 'pass', 30)] }));
    // mean 20 s × 8 remaining ÷ 2, then the probe
    expect(etaSeconds(store.getState().run!)).toBe(80 + PROBE_ETA_S);
  });

  it('lane.state updates the lane and follows the resident lane', () => {
    const store = storeWithLanes();
    expect(store.getState().resident).toBe(LANES[0]!.id);
    store.getState().apply({ type: 'lane.state', lane: LANES[0]!.id, state: 'stopping' });
    store.getState().apply({ type: 'lane.state', lane: LANES[0]!.id, state: 'stopped' });
    expect(store.getState().resident).toBeNull();
    store.getState().apply({ type: 'lane.state', lane: 'demo', state: 'starting' });
    expect(store.getState().resident).toBe('demo');
    store.getState().apply({ type: 'lane.state', lane: 'demo', state: 'ready', port: 18080 });
    const demo = store.getState().lanes.find((l) => l.id === 'demo')!;
    expect(demo).toMatchObject({ state: 'ready', port: 18080 });
    store.getState().apply({ type: 'lane.state', lane: 'demo', state: 'crashed', detail: 'crash 1' });
    expect(store.getState().resident).toBe('demo');
    expect(store.getState().lanes.find((l) => l.id === 'demo')!.detail).toBe('crash 1');
    expect(store.getState().logs.at(-1)).toMatchObject({ level: 'warn', message: 'demo: crashed — crash 1' });
  });

  it('logs a lane state reported twice in a row (lane manager, then queue) once, the same rule as the line reporter', () => {
    const store = storeWithLanes();
    const failed = { type: 'lane.state' as const, lane: 'demo', state: 'error' as const, detail: 'llama-server not found' };
    store.getState().apply(failed);
    store.getState().apply(failed);
    const laneLines = () => store.getState().logs.filter((l) => l.message.startsWith('demo:')).map((l) => l.message);
    expect(laneLines()).toEqual(['demo: error — llama-server not found']);
    // a different state in between: the failure is news again
    store.getState().apply({ type: 'lane.state', lane: 'demo', state: 'starting' });
    store.getState().apply(failed);
    expect(laneLines()).toHaveLength(3);
  });

  it('keeps a bounded telemetry ring and the latest sample', () => {
    const store = storeWithLanes();
    for (let i = 0; i < TELEMETRY_RING + 30; i++) store.getState().apply({ type: 'telemetry', sample: sample(i % 100, { t: i }) });
    const { telemetry, latest } = store.getState();
    expect(telemetry).toHaveLength(TELEMETRY_RING);
    expect(telemetry[0]!.t).toBe(30);
    expect(latest!.t).toBe(TELEMETRY_RING + 29);
  });

  it('keeps a bounded log', () => {
    const store = storeWithLanes();
    for (let i = 0; i < LOG_RING + 5; i++) store.getState().apply({ type: 'log', level: 'info', message: `m${i}` });
    expect(store.getState().logs).toHaveLength(LOG_RING);
    expect(store.getState().logs.at(-1)!.message).toBe(`m${LOG_RING + 4}`);
  });

  it('records the probe', () => {
    const store = storeWithLanes();
    const result = { requests: 3, tokens_per_sec: 83.5, decode_tokens_per_sec: 90 };
    store.getState().apply({ type: 'probe', lane: 'demo', result });
    expect(store.getState().probe).toEqual({ lane: 'demo', result });
  });

  it('run.paused sets the reason; the next attempt.start clears it; run.end closes the run', () => {
    const store = storeWithLanes();
    const list = prompts(1);
    store.getState().apply(runStart(list));
    store.getState().apply({ type: 'run.paused', lane: 'x', reason: 'lane crashed twice' });
    expect(store.getState().run!.pausedReason).toBe('lane crashed twice');
    expect(store.getState().logs.at(-1)!.level).toBe('warn');
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: list[0]!.id, attempt: 1, at: '' });
    expect(store.getState().run!.pausedReason).toBeNull();

    store.getState().apply({ type: 'run.end', runId: 'r1', lane: 'x', scorecard: scorecard('x', 0.9), scorecardPath: 'results/x.json', summaryPath: 'results/summary.md' });
    const run = store.getState().run!;
    expect(run.ended).toMatchObject({ scorecardPath: 'results/x.json', summaryPath: 'results/summary.md' });
    expect(etaSeconds(run)).toBe(0);
    expect(store.getState().logs.at(-1)!.message).toContain('results/x.json');
  });

  it('run.end of a partial run says partial, with attempts done/planned and the run, in the log', () => {
    const store = storeWithLanes();
    store.getState().apply(runStart(prompts(2)));
    const card = { ...scorecard('x', 0.5), completeness: { attempts_done: 4, attempts_planned: 10, complete: false } };
    store.getState().apply({ type: 'run.end', runId: 'r1', lane: 'x', scorecard: card, scorecardPath: 'results/runs/r1/x.partial.json', summaryPath: 'results/summary.md' });
    expect(store.getState().logs.at(-1)!.message).toBe('run r1 stopped: core 8/8 · partial (4/10 attempts, run r1) · results/runs/r1/x.partial.json');

    store.getState().apply(runStart(prompts(2)));
    const whole = { ...card, completeness: { attempts_done: 10, attempts_planned: 10, complete: true } };
    store.getState().apply({ type: 'run.end', runId: 'r1', lane: 'x', scorecard: whole, scorecardPath: 'results/x.json', summaryPath: 'results/summary.md' });
    expect(store.getState().logs.at(-1)!.message).toBe('run r1 done: core 8/8 · results/x.json');
  });

  it('run.state ends the run in the state its process declared; an error is the last error, with how to go on', () => {
    const store = storeWithLanes();
    store.getState().apply(runStart(prompts(2)));
    store.getState().apply({ type: 'run.state', runId: 'r1', state: 'stopped', reason: 'ENOSPC: no space left on device' });
    const { run, lastError } = store.getState();
    expect(run!.final).toMatchObject({ state: 'stopped', reason: 'ENOSPC: no space left on device' });
    expect(lastError).toMatchObject({ level: 'error', message: 'run r1 stopped: ENOSPC: no space left on device; brainbench run --resume r1 carries it on' });
    // the process exiting afterwards is not a death: it said how the run ended
    store.getState().markDied('its process (pid 4242) is gone without ending it');
    expect(store.getState().run!.final!.state).toBe('stopped');

    store.getState().apply(runStart(prompts(2)));
    store.getState().markDied('its process (pid 4242) is gone without ending it');
    expect(store.getState().run!.final!.state).toBe('died');
  });

  it('run.resumed clears a pause the user asked for', () => {
    const store = storeWithLanes();
    store.getState().apply(runStart(prompts(1)));
    store.getState().apply({ type: 'run.paused', lane: 'x', reason: 'paused from the cockpit', user: true });
    expect(store.getState().run!.pausedReason).toBe('paused from the cockpit');
    store.getState().apply({ type: 'run.resumed', lane: 'x' });
    expect(store.getState().run!.pausedReason).toBeNull();
  });

  it('follow mode scrolls to the newest attempt; moving the cursor stops following', () => {
    const store = storeWithLanes();
    const list = prompts(30);
    store.getState().apply(runStart(list));
    store.getState().setViewport({ matrixRows: 10 });
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: list[24]!.id, attempt: 1, at: '' });
    expect(store.getState().scroll).toBe(15);
    store.getState().moveCursor(1, 0);
    expect(store.getState().follow).toBe(false);
    expect(store.getState().scroll).toBe(1); // back to where the cursor (row 1) is visible
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: list[29]!.id, attempt: 1, at: '' });
    expect(store.getState().scroll).toBe(1);
  });
});
