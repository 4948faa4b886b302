import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import { PULSE_MS } from '../../components/context.js';
import { fakeController, LANES, prompts, record, runStart, sample, scorecard, storeWithLanes } from './fixtures.js';

const KEY = { up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', enter: '\r', esc: '\u001B' };
const tick = () => new Promise((resolve) => setTimeout(resolve, 30));
/** Gauges redraw on the pulse, not on each sample. */
const pulse = () => new Promise((resolve) => setTimeout(resolve, PULSE_MS + 100));
/** Waits for the pulse to draw what `test` looks for (a busy machine may take a few pulses). */
async function until(test: () => boolean): Promise<void> {
  for (let waited = 0; !test() && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
}

function mount(data: Parameters<typeof fakeController>[0] = {}) {
  const store = storeWithLanes();
  const { controller, calls } = fakeController(data);
  const ink = render(<App store={store} controller={controller} columns={100} rows={30} />);
  const press = async (input: string) => {
    ink.stdin.write(input);
    await tick();
  };
  const frame = () => ink.lastFrame() ?? '';
  return { store, calls, ink, press, frame };
}

afterEach(() => cleanup());

describe('cockpit keys and views', () => {
  it('draws the matrix from applied events: glyphs, stats, gauges and the lane bar', async () => {
    const { store, frame } = mount();
    const list = prompts(3);
    store.getState().apply(runStart(list, { done: [record(list[0]!.id, 1), record(list[0]!.id, 2, 'wrong_answer'), record(list[1]!.id, 1, 'runaway')] }));
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: list[0]!.id, attempt: 3, at: '' });
    store.getState().apply({ type: 'telemetry', sample: sample(91) });
    await until(() => frame().includes('91 %'));
    const row = frame().split('\n').find((l) => l.startsWith(list[0]!.id))!;
    expect(row).toMatch(/✓ {2}✗ {2}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] {2}·/);
    expect(row).toMatch(/1\/2\s+50%/);
    expect(frame().split('\n').find((l) => l.startsWith(list[1]!.id))).toContain('∞');
    expect(frame()).toContain('91 %');
    expect(frame()).toContain('31.8/128 GB');
    expect(frame()).toContain('attempt 3/15');
    expect(frame()).toMatch(/\[1\] \S+ ●/);
    expect(frame()).toContain('[d] demo ○');
    expect(frame()).toContain('s swap · p pause · x stop · enter detail · l leaders · ? help · q quit');
  });

  it('shows "no GPU" when samples have no GPUs', async () => {
    const { store, frame } = mount();
    store.getState().apply({ type: 'telemetry', sample: sample(null, { noGpu: true }) });
    await until(() => frame().includes('no GPU'));
    expect(frame()).toContain('no GPU');
    expect(frame()).toContain('31.8/128 GB');
  });

  it('draws nothing while idle and one frame per pulse for a burst of samples and token ticks', async () => {
    const { store, ink, frame } = mount();
    const list = prompts(2);
    store.getState().apply(runStart(list));
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: list[0]!.id, attempt: 1, at: '' });
    store.getState().apply({ type: 'run.paused', lane: 'x', reason: 'hold the clock' });
    store.getState().apply({ type: 'run.end', runId: 'r1', lane: 'x', scorecard: scorecard('x', 1), scorecardPath: 'p', summaryPath: 's' });
    await pulse();
    const idle = ink.frames.length;
    await pulse();
    expect(ink.frames.length).toBe(idle);
    for (let i = 0; i < 20; i++) store.getState().apply({ type: 'telemetry', sample: sample(i) });
    await pulse();
    expect(ink.frames.length - idle).toBeGreaterThanOrEqual(1);
    expect(ink.frames.length - idle).toBeLessThanOrEqual(2);
    expect(frame()).toContain('19 %');
  });

  it('a digit swaps at once when no run is active', async () => {
    const { press, calls } = mount();
    await press('2');
    expect(calls).toContainEqual(['swapLane', LANES[1]!.id]);
    await press('d');
    expect(calls).toContainEqual(['swapLane', 'demo']);
  });

  it('a failed swap lands on the status line', async () => {
    const { press, frame } = mount({ failSwap: 'port 8000 held by something else' });
    await press('3');
    expect(frame()).toContain('swap to nim-incumbent: port 8000 held by something else');
  });

  it('during a run a digit asks first: m moves the run, x stops it, esc cancels', async () => {
    const { store, press, calls, frame } = mount();
    store.getState().apply(runStart(prompts(2)));
    await press('2');
    expect(calls.filter((c) => c[0] === 'swapLane')).toEqual([]);
    expect(frame()).toContain(`Run active. [m] move the run to ${LANES[1]!.id} · [x] stop the run and swap · [esc] cancel`);
    await press('m');
    expect(calls).toContainEqual(['swapDuringRun', LANES[1]!.id, 'move']);
    expect(frame()).not.toContain('Run active.');

    await press('3');
    await press('x');
    expect(calls).toContainEqual(['swapDuringRun', LANES[2]!.id, 'stop']);

    await press('d');
    expect(frame()).toContain('move the run to demo');
    await press(KEY.esc);
    expect(frame()).not.toContain('Run active.');
    expect(calls.filter((c) => c[0] === 'swapDuringRun')).toHaveLength(2);
    expect(calls.filter((c) => c[0] === 'swapLane')).toEqual([]);
  });

  it('s opens the lane menu; arrows and enter swap; esc closes', async () => {
    const { press, calls, frame } = mount();
    await press('s');
    expect(frame()).toContain('Swap lane');
    expect(frame()).toMatch(/› \[1\] ● qwen3-30b-moe-llamacpp-q4km/);
    await press(KEY.down);
    await press(KEY.down);
    expect(frame()).toMatch(/› \[3\] ○ nim-incumbent/);
    await press(KEY.enter);
    expect(calls).toContainEqual(['swapLane', 'nim-incumbent']);
    expect(frame()).not.toContain('Swap lane');
    await press('s');
    await press(KEY.esc);
    expect(frame()).not.toContain('Swap lane');
    expect(calls.filter((c) => c[0] === 'swapLane')).toHaveLength(1);
  });

  it('enter on a cell opens its attempt with the transcript; esc goes back', async () => {
    const transcript = JSON.stringify([
      { role: 'user', content: 'What is the budget?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', function: { name: 'read_file', arguments: '{"path":"budget.txt"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'budget: 42,000' },
      { role: 'assistant', content: 'The budget is 42,000.' },
    ]);
    const { store, press, calls, frame } = mount({ transcript });
    const list = prompts(2);
    const done = record(list[1]!.id, 2, 'wrong_answer');
    store.getState().apply(runStart(list, { done: [done] }));
    await press(KEY.enter); // row 1, col 1: pending, nothing to open
    expect(frame()).toContain('no finished attempt yet');
    await press(KEY.down);
    await press(KEY.right);
    await press(KEY.enter);
    expect(calls).toContainEqual(['readTranscript', done.transcript]);
    expect(frame()).toContain('Attempt detail');
    expect(frame()).toContain(`${list[1]!.id} · attempt 2 · ✗ wrong_answer`);
    expect(frame()).toContain('check   failed: missing keys [os]');
    expect(frame()).toContain('→ read_file({"path":"budget.txt"})');
    expect(frame()).toContain('← read_file');
    expect(frame()).toContain('budget: 42,000');
    await press(KEY.esc);
    expect(frame()).not.toContain('Attempt detail');
    expect(frame()).toContain('prompt');
  });

  it('? lists every key; esc returns', async () => {
    const { press, frame } = mount();
    await press('?');
    for (const key of ['1-9, d', 's ', 'r ', 'p ', 'enter', 'l ', '? ', 'q, ctrl+c', 'm moves the run']) expect(frame()).toContain(key);
    await press(KEY.esc);
    expect(frame()).not.toContain('Legend');
  });

  it('l shows ranked scorecards and per-prompt rates', async () => {
    const cards = [scorecard('slow-lane', 0.7), scorecard('fast-lane', 0.9), scorecard('demo', 0.5, { simulated: true })];
    const { press, calls, frame } = mount({ cards });
    await press('l');
    expect(calls).toContainEqual(['loadLeaderboard']);
    const lines = frame().split('\n');
    const rank = (lane: string) => lines.findIndex((l) => l.includes(` ${lane} `) || l.includes(` ${lane}* `));
    expect(rank('fast-lane')).toBeGreaterThan(0);
    expect(rank('fast-lane')).toBeLessThan(rank('slow-lane'));
    expect(rank('slow-lane')).toBeLessThan(rank('demo'));
    expect(frame()).toContain('90 %');
    expect(frame()).toContain('* simulated');
    expect(frame()).toMatch(/p2_multistep_chain\s+60 %\s+60 %\s+60 %/);
    await press(KEY.esc);
    expect(frame()).not.toContain('Leaderboard');
  });

  it('r starts a run; p pauses and resumes it', async () => {
    const { store, press, calls, frame } = mount();
    await press('r');
    expect(calls).toContainEqual(['startRun']);
    store.getState().apply(runStart(prompts(2)));
    await press('r');
    expect(calls.filter((c) => c[0] === 'startRun')).toHaveLength(1);
    await press('p');
    expect(calls).toContainEqual(['pauseRun']);
    expect(frame()).toContain('paused');
    await press('p');
    expect(calls).toContainEqual(['resumeRun']);
    expect(frame()).not.toContain('paused:');
  });

  it('o defers the next lane of a queue run and shows the new order; x stops the run', async () => {
    const { store, press, calls, frame } = mount({ queue: ['a', 'c', 'b'] });
    store.getState().apply(runStart(prompts(2)));
    await press('o');
    expect(calls).toContainEqual(['deferNextLane']);
    expect(frame()).toContain('queue order: a → c → b');
    await press('x');
    expect(calls).toContainEqual(['stopRun']);
  });

  it('o without a queue run says what it is for', async () => {
    const { press, calls, frame } = mount();
    await press('o');
    expect(calls).toHaveLength(0);
    expect(frame()).toContain('o reorders a queue run');
  });

  it('q calls controller.quit and then exits', async () => {
    const { store, press, calls, ink } = mount();
    const list = prompts(1);
    store.getState().apply(runStart(list));
    store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: list[0]!.id, attempt: 1, at: '' });
    await press('q');
    expect(calls).toContainEqual(['quit']);
    // A mounted cockpit would redraw the spinner on the next pulse; an exited one draws nothing.
    const frames = ink.frames.length;
    await pulse();
    expect(ink.frames.length).toBe(frames);
  });
});
