// Task runs in the cockpit (issue 20): `h` picks the harnesses `r` runs a task suite under, and the
// matrix of a task run shows a lanes × harnesses summary under one run clock.
import { cleanup, render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import type { HarnessOption } from '../../src/cockpit/harnesses.js';
import { createCockpitStore, type CockpitStore } from '../../src/store.js';
import type { AttemptRecord, EngineEvent } from '../../src/types.js';
import { fakeController, LANES, record } from './fixtures.js';

const KEY = { up: '\u001B[A', down: '\u001B[B', enter: '\r', esc: '\u001B' };
const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

const OPTIONS: HarnessOption[] = [
  { id: 'builtin', external: false, installed: true },
  { id: 'oracle', external: false, installed: true },
  { id: 'null', external: false, installed: true },
  { id: 'pi', external: true, installed: false, install: 'npm install -g pi' },
];

function taskStore(clock = Date.now): CockpitStore {
  return createCockpitStore({ lanes: LANES.map((l) => ({ ...l })), n: 1, suite: 'tasks-v1', harnesses: OPTIONS, harnessPick: ['builtin'], clock });
}

function mount(store: CockpitStore, columns = 80, rows = 24) {
  const { controller, calls } = fakeController();
  const ink = render(<App store={store} controller={controller} columns={columns} rows={rows} />);
  const press = async (...inputs: string[]) => {
    for (const input of inputs) {
      ink.stdin.write(input);
      await tick();
    }
  };
  return { calls, press, frame: () => ink.lastFrame() ?? '' };
}

function expectInside(frame: string, columns: number, rows: number): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThan(rows);
  for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
}

const tasks = ['shell-pipeline', 'sql-query'].map((id) => ({ id, category: 'task', core: false }));
const trial = (id: string, outcome: string, harness: string) => ({ ...record(id, 1), outcome, harness, kind: 'trial' }) as unknown as AttemptRecord;
function cellStart(harness: string, startedAt: string): EngineEvent {
  return { type: 'run.start', runId: 'r1', lane: LANES[0]!.id, suite: 'tasks-v1', harness, n: 1, parallel: 1, prompts: tasks, total: 2, done: [], simulated: false, startedAt };
}

afterEach(() => cleanup());

describe('the harness menu', () => {
  it('h opens it at 80×24; space picks, a CLI not installed is refused, the last pick stays; r runs the pick in the menu order', async () => {
    const store = taskStore();
    const { calls, press, frame } = mount(store);
    expect(frame().split('\n').at(-1)).toContain('r run · h harnesses');
    expect(frame()).toContain('Harnesses: builtin (h picks).');
    await press('h');
    expect(frame()).toContain('Harnesses for task runs');
    expect(frame()).toMatch(/\[x\] builtin/);
    expect(frame()).toMatch(/\[ \] pi\s+not installed — npm install -g pi/);
    expectInside(frame(), 80, 24);

    // the only pick cannot be dropped
    await press(' ');
    expect(frame()).toContain('builtin is the only harness picked');
    // pick null, then oracle (above it), then drop builtin: the pick keeps the menu's order
    await press(KEY.down, KEY.down, ' ', KEY.up, ' ', KEY.up, ' ');
    expect(frame()).toContain('r runs: oracle, null');
    expect(frame()).toMatch(/\[ \] builtin/);
    // pi is not installed: not picked, and the status line says how to get it
    await press(KEY.down, KEY.down, KEY.down, ' ');
    expect(frame()).toContain('pi is not installed here (npm install -g pi)');
    expect(frame()).toMatch(/\[ \] pi/);

    await press(KEY.enter);
    expect(frame()).not.toContain('Harnesses for task runs');
    await press('r');
    expect(calls).toContainEqual(['startRun', { harnesses: ['oracle', 'null'] }]);
    expect(frame()).toContain('Harnesses: oracle, null (h picks).');
    expect(store.getState().harnessPick).toEqual(['oracle', 'null']);
  });

  it('a prompt suite has no harnesses to pick: h says so and r asks for no harness', async () => {
    const store = createCockpitStore({ lanes: LANES.map((l) => ({ ...l })), n: 5, suite: 'brain-v1' });
    const { calls, press, frame } = mount(store);
    expect(frame()).not.toContain('h harnesses');
    expect(frame()).not.toContain('Harnesses:');
    await press('h');
    expect(frame()).not.toContain('Harnesses for task runs');
    expect(frame()).toContain('brain-v1 is a prompt suite');
    await press('r');
    expect(calls).toContainEqual(['startRun']);
  });

  it('? lists h', async () => {
    const { press, frame } = mount(taskStore(), 100, 30);
    await press('?');
    expect(frame()).toMatch(/h\s+task suites: pick harnesses/);
  });
});

describe('a task run: lanes × harnesses summary and one run clock', () => {
  for (const [columns, rows] of [[80, 24], [120, 40]] as const) {
    it(`at ${columns}×${rows}: both cells in the summary, the clock from the first cell's start`, async () => {
      const t0 = Date.parse('2026-01-01T00:00:00Z');
      let now = t0 + 600_000;
      const store = taskStore(() => now);
      const { frame } = mount(store, columns, rows);
      const apply = store.getState().apply;
      apply(cellStart('oracle', new Date(t0).toISOString()));
      for (const id of ['shell-pipeline', 'sql-query']) apply({ type: 'attempt.end', record: trial(id, 'pass', 'oracle') });
      // the null cell starts 9 minutes later; the clock goes on from the run's start
      apply(cellStart('null', new Date(t0 + 540_000).toISOString()));
      apply({ type: 'attempt.end', record: trial('shell-pipeline', 'grader_fail', 'null') });
      now += 1_000;
      await tick();
      const lines = frame().split('\n');
      expect(lines[0]).toContain('run 00:10:01');
      expect(lines[1]).toMatch(/^lane\s+oracle\s+null/);
      expect(lines[2]).toMatch(new RegExp(`^${LANES[0]!.id.slice(0, 6)}.*100% 2/2\\s+0% 1/2`));
      // under the summary, the current cell's tasks
      expect(lines[3]).toMatch(/^null · task\s/);
      expect(frame()).toContain('sql-query');
      expectInside(frame(), columns, rows);

      apply({ type: 'run.state', runId: 'r1', state: 'done' });
      now += 60_000;
      await tick();
      expect(frame().split('\n')[0]).toMatch(/run 00:10:01 done/);
    });
  }

  it('a new run starts the clock and the summary afresh', () => {
    const store = taskStore();
    store.getState().apply(cellStart('oracle', '2026-01-01T00:00:00Z'));
    store.getState().apply({ ...cellStart('null', '2026-01-01T01:00:00Z'), runId: 'r2' } as EngineEvent);
    const run = store.getState().run!;
    expect(run.startedAt).toBe(Date.parse('2026-01-01T01:00:00Z'));
    expect(run.cellsBefore).toEqual([]);
  });
});
