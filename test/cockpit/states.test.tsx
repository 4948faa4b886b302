// What the cockpit says about the run, and where: one state word in the header, the status line
// and the key line; key feedback; the event log; the full-error overlay; attached and too-small
// screens. Keys go through stdin, assertions are on what a person would read.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import type { LaneScorecard } from '../../src/types.js';
import { fakeController, LANES, prompts, record, runStart, scorecard, storeWithLanes } from './fixtures.js';

const ESC = '\u001B';
const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

function mount(columns = 100, rows = 30) {
  const store = storeWithLanes();
  const { controller, calls } = fakeController();
  const ink = render(<App store={store} controller={controller} columns={columns} rows={rows} />);
  const press = async (input: string) => {
    ink.stdin.write(input);
    await tick();
  };
  const frame = () => ink.lastFrame() ?? '';
  const lines = () => frame().split('\n');
  /** Header, status line and key line. */
  const chrome = () => ({ header: lines()[0]!, status: lines().at(-3)!, keys: lines().at(-1)! });
  return { store, calls, press, frame, chrome, settle: tick };
}

const partial = (lane: string): LaneScorecard => ({ ...scorecard(lane, 0.5), completeness: { attempts_done: 4, attempts_planned: 10, complete: false } });
const complete = (lane: string): LaneScorecard => ({ ...scorecard(lane, 0.9), completeness: { attempts_done: 10, attempts_planned: 10, complete: true } });
const end = (card: LaneScorecard) => ({ type: 'run.end' as const, runId: 'r1', lane: card.lane, scorecard: card, scorecardPath: `results/${card.lane}.json`, summaryPath: 'results/summary.md' });

afterEach(() => cleanup());

describe('run states, the same everywhere', () => {
  it('running → paused → running → stopped, in the header, the status line and the key line', async () => {
    const { store, press, chrome, calls } = mount();
    store.getState().apply(runStart(prompts(2)));
    await tick();
    expect(chrome().header).toMatch(/run \d\d:\d\d:\d\d running$/);
    expect(chrome().status).toMatch(/^ running/);
    expect(chrome().keys).toContain('p pause · x stop');
    expect(chrome().keys).not.toContain('r run');

    await press('p');
    expect(calls).toContainEqual(['pauseRun']);
    expect(chrome().header).toMatch(/ paused$/);
    expect(chrome().status).toMatch(/^ paused: .* · p resumes/);
    expect(chrome().keys).toContain('p resume · x stop');

    await press('p');
    expect(calls).toContainEqual(['resumeRun']);
    expect(chrome().header).toMatch(/ running$/);
    expect(chrome().status).not.toContain('paused');
    expect(chrome().keys).toContain('p pause');

    await press('x');
    expect(calls).toContainEqual(['stopRun']);
    store.getState().apply(end(partial(LANES[0]!.id)));
    await tick();
    expect(chrome().header).toMatch(/ stopped · partial 4\/10$/);
    expect(chrome().header).not.toContain('done');
    expect(chrome().status).toMatch(/^ stopped/);
    expect(chrome().keys).toContain('r run');
    expect(chrome().keys).not.toMatch(/p (pause|resume)/);
  });

  it('a pause from the run process and its resume event leave no stale "paused"', async () => {
    const { store, chrome, settle } = mount();
    store.getState().apply(runStart(prompts(2)));
    store.getState().apply({ type: 'run.paused', lane: 'x', reason: 'paused by the user', user: true });
    await settle();
    expect(chrome().status).toContain('paused');
    store.getState().apply({ type: 'run.resumed', lane: 'x' });
    await settle();
    expect(chrome().status).toMatch(/^ running/);
    expect(chrome().status).not.toContain('paused');
    expect(chrome().header).toMatch(/ running$/);
  });

  it('a complete run is done; a stop without completeness is stopped; a run whose process went away died', async () => {
    const { store, chrome, press, settle } = mount();
    store.getState().apply(runStart(prompts(1)));
    store.getState().apply(end(complete(LANES[0]!.id)));
    await settle();
    expect(chrome().header).toMatch(/ done$/);

    store.getState().apply(runStart(prompts(1)));
    await press('x');
    store.getState().apply(end(scorecard(LANES[0]!.id, 0.5)));
    await settle();
    expect(chrome().header).toMatch(/ stopped$/);

    store.getState().apply(runStart(prompts(1)));
    store.getState().markDied('its process (pid 4242) is gone');
    await settle();
    expect(chrome().header).toMatch(/ died$/);
    expect(chrome().status).toContain('died: its process (pid 4242) is gone');
    expect(chrome().keys).not.toContain('x stop');
  });

  it('the simulated label follows the resident lane, not the last run', async () => {
    const { store, chrome, settle } = mount();
    store.getState().apply({ type: 'lane.state', lane: 'demo', state: 'ready', port: 4000 });
    store.getState().apply({ ...runStart(prompts(1), { lane: 'demo' }), simulated: true } as ReturnType<typeof runStart>);
    store.getState().apply(end(complete('demo')));
    await settle();
    expect(chrome().header).toContain('demo (simulated)');
    store.getState().apply({ type: 'lane.state', lane: 'demo', state: 'stopped' });
    store.getState().apply({ type: 'lane.state', lane: LANES[0]!.id, state: 'ready', port: 8080 });
    await settle();
    expect(chrome().header).toContain(LANES[0]!.id);
    expect(chrome().header).not.toContain('simulated');
  });
});

describe('the footer follows the state', () => {
  it('with no run: r run, no pause or stop; r during a run says why it does nothing', async () => {
    const { store, press, chrome, calls } = mount();
    expect(chrome().keys).toBe(' s swap · r run · enter detail · l leaders · ? help · q quit');
    store.getState().apply(runStart(prompts(1)));
    await press('r');
    expect(calls.filter((c) => c[0] === 'startRun')).toEqual([]);
    expect(chrome().status).toContain('run r1 is running: r starts a new one once it ends (x stops it)');
    await press('j'); // the next key clears the answer
    expect(chrome().status).not.toContain('r starts a new one');
  });

  it('attached: names the run and what q does, never cut at 80 columns; lane keys are refused with a reason', async () => {
    const { store, press, chrome, calls } = mount(80, 24);
    const runId = '20261122-221500-ab12';
    store.getState().setAttached(runId);
    store.getState().apply(runStart(prompts(2)));
    await tick();
    expect(chrome().keys).toContain(`attached to run ${runId} (q leaves it running)`);
    expect(chrome().keys).toContain('p pause');
    await press('2');
    expect(calls.filter((c) => c[0] === 'swapLane' || c[0] === 'swapDuringRun')).toEqual([]);
    expect(chrome().status).toContain(`attached to run ${runId}, which owns the lanes`);
  });
});

describe('a place to work in', () => {
  it('the event log lists outcomes with reasons, newest last; the status line gives the reason of the cell under the cursor', async () => {
    const { store, frame, chrome, settle } = mount(120, 40);
    const list = prompts(3);
    store.getState().apply(runStart(list));
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: list[0]!.id, attempt: 1, at: '' });
    store.getState().apply({ type: 'attempt.end', record: record(list[0]!.id, 1, 'wrong_answer', 12) });
    store.getState().apply({ type: 'lane.state', lane: LANES[0]!.id, state: 'crashed', detail: 'crash 1' });
    await settle();
    const lines = frame().split('\n');
    const logTop = lines.findIndex((l) => l.startsWith('─ events'));
    expect(logTop).toBeGreaterThan(list.length);
    const log = lines.slice(logTop + 1).filter((l) => /^\d\d:\d\d:\d\d /.test(l));
    expect(log.at(-2)).toContain(`${list[0]!.id} #1 ✗ wrong_answer 12 s: missing keys [os]`);
    expect(log.at(-1)).toContain(`${LANES[0]!.id}: crashed — crash 1`);
    expect(chrome().status).toContain(`${list[0]!.id} #1 ✗ wrong_answer: missing keys [os]`);
  });

  it('e shows the last error in full, wrapped to the width; esc closes it', async () => {
    const { store, press, frame, chrome } = mount(80, 24);
    const runId = '20261122-221500-ab12';
    const message = `lane qwen3-30b-moe-llamacpp-q4km did not start: llama-server not found (looked for 'llama-server') — set bin: in lanes.yaml or put it on PATH; brainbench run --resume ${runId} carries it on`;
    store.getState().apply({ type: 'log', level: 'error', message });
    await tick();
    expect(chrome().status).toMatch(/e: full error\s*$/);
    expect(chrome().status).not.toContain(runId);
    await press('e');
    expect(frame()).toContain('Last error in full');
    const body = frame().split('\n').slice(2).map((l) => l.trim()).join(' ');
    expect(body).toContain(message);
    for (const line of frame().split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    await press(ESC);
    expect(frame()).not.toContain('Last error in full');
    expect(frame()).toContain('─ events');
  });

  it('e with nothing wrong says so', async () => {
    const { press, chrome } = mount();
    await press('e');
    expect(chrome().status).toContain('no error or warning so far');
  });

  it('below 80×24: a "terminal too small" screen that takes every key but q', async () => {
    const { store, press, frame, calls } = mount(70, 20);
    store.getState().apply(runStart(prompts(2), { done: [record(prompts(2)[0]!.id, 1)] }));
    await tick();
    expect(frame()).toContain('terminal too small (need 80×24, have 70×20)');
    expect(frame()).not.toContain('pass');
    await press('x');
    await press('r');
    expect(calls).toEqual([]);
    await press('q');
    expect(calls).toContainEqual(['quit']);
  });
});
