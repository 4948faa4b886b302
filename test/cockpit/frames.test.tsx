// Every view at 80×24 and 120×40 stays inside the terminal: no line wider, no frame taller.
// ink-testing-library's terminal is 100 columns wide, so the 80-column frames are checked there
// (a line too wide would show); the 120-column frames render with renderToString on a wider
// virtual terminal for the same reason.
import { renderToString } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import type { CockpitStore, View } from '../../src/store.js';
import type { Outcome } from '../../src/types.js';
import { fakeController, LANES, prompts, record, runStart, sample, scorecard, storeWithLanes } from './fixtures.js';

const OUTCOMES: Outcome[] = ['pass', 'wrong_answer', 'no_tool_call', 'format_error', 'runaway', 'lane_error'];

/** A busy 30-prompt run: every outcome, running cells, a skipped prompt, telemetry, a long log line. */
function busyStore(): CockpitStore {
  const store = storeWithLanes();
  const list = prompts(30);
  list[6] = { ...list[6]!, skipped: "needs capability 'shell' (bubblewrap not available) — a long reason to truncate" };
  const done = list.slice(0, 20).flatMap((p, i) => (i === 6 ? [] : [1, 2, 3].map((a) => record(p.id, a, OUTCOMES[(i + a) % OUTCOMES.length]!, 5 + i))));
  store.getState().apply(runStart(list, { done }));
  for (const p of list.slice(20, 23)) store.getState().apply({ type: 'attempt.start', lane: 'x', promptId: p.id, attempt: 1, at: '' });
  for (let i = 0; i < 200; i++) store.getState().apply({ type: 'telemetry', sample: sample((i * 13) % 100) });
  store.getState().apply({ type: 'log', level: 'warn', message: 'a very long warning '.repeat(12) });
  return store;
}

const cards = [scorecard(LANES[0]!.id, 0.9), scorecard(LANES[1]!.id, 0.88), scorecard(LANES[2]!.id, 0.78), scorecard('demo', 0.5, { simulated: true })];
const transcript = JSON.stringify([
  { role: 'user', content: 'word '.repeat(400) },
  { role: 'assistant', content: null, tool_calls: [{ id: 'c', function: { name: 'read_file', arguments: JSON.stringify({ path: 'x'.repeat(300) }) } }] },
  { role: 'tool', tool_call_id: 'c', content: 'row\n'.repeat(100) },
]);

/** Puts the store into `view` the way the keys would. */
function show(store: CockpitStore, view: View): void {
  const s = store.getState();
  if (view === 'detail') {
    s.moveCursor(0, 0);
    const path = s.openDetail()!;
    store.getState().setTranscript(path, { text: transcript });
  } else if (view === 'leaderboard') s.openLeaderboard(cards);
  else if (view === 'help') s.openHelp();
  else if (view === 'menu') s.openMenu();
  else if (view === 'confirm') s.requestSwap(LANES[1]!.id);
}

function expectInside(frame: string, columns: number, rows: number): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows);
  for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(columns);
}

const VIEWS: View[] = ['matrix', 'confirm', 'detail', 'leaderboard', 'help', 'menu'];

afterEach(() => cleanup());

describe('frame size', () => {
  for (const view of VIEWS) {
    it(`${view} fits 80×24`, async () => {
      const store = busyStore();
      show(store, view);
      const { controller } = fakeController();
      const ink = render(<App store={store} controller={controller} columns={80} rows={24} />);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expectInside(ink.lastFrame()!, 80, 24);
    });

    it(`${view} fits 120×40`, () => {
      const store = busyStore();
      show(store, view);
      const { controller } = fakeController();
      const frame = renderToString(<App store={store} controller={controller} columns={120} rows={40} />, { columns: 200 });
      expectInside(frame, 120, 40);
    });
  }

  it('the 30-prompt matrix windows at 80×24 and keeps the cursor in view', async () => {
    const store = busyStore();
    const { controller } = fakeController();
    const ink = render(<App store={store} controller={controller} columns={80} rows={24} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ink.lastFrame()).toMatch(/prompt \d+–\d+\/30/);
    for (let i = 0; i < 29; i++) ink.stdin.write('\u001B[B');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const frame = ink.lastFrame()!;
    expect(frame).toContain('p30_prompt');
    expect(frame).not.toContain('p1_prompt');
    expect(frame).toMatch(/prompt 17–30\/30/); // 14 rows: the event log keeps 4 under the matrix
    expectInside(frame, 80, 24);
  });

  it('follows a terminal resize', async () => {
    const store = busyStore();
    const { controller } = fakeController();
    const ink = render(<App store={store} controller={controller} />);
    Object.defineProperty(ink.stdout, 'rows', { value: 40, configurable: true });
    ink.stdout.emit('resize');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ink.lastFrame()!.split('\n')).toHaveLength(39);
    Object.defineProperty(ink.stdout, 'rows', { value: 12, configurable: true });
    ink.stdout.emit('resize');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expectInside(ink.lastFrame()!, 100, 12);
    expect(ink.lastFrame()!.split('\n')).toHaveLength(11);
  });

  it('shows every prompt at 120×40 without windowing', () => {
    const store = busyStore();
    const { controller } = fakeController();
    const frame = renderToString(<App store={store} controller={controller} columns={120} rows={40} />, { columns: 200 });
    expect(frame).toContain('p1_prompt_number_1 ');
    expect(frame).toContain('p30_prompt_number_30 ');
    expect(frame).not.toMatch(/prompt \d+–/);
    expect(frame).toContain('skipped (needs capability');
  });
});
