// The cockpit shows which harness drives a task run (issue 14): the task runner announces each
// (lane, harness) cell as a run whose rows are the suite's tasks, and the header says
// `harness <id>` next to the suite. Driven here by the real runner (oracle and null harnesses in
// bubblewrap) and by scripted events at the narrowest supported size.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import { AttachController } from '../../src/cockpit/attach-controller.js';
import { headerSegments } from '../../src/cockpit/header.js';
import { EventBus } from '../../src/events.js';
import { Journal } from '../../src/run/journal.js';
import { isAlive, readStatus } from '../../src/run/status-file.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { bwrapEnvironment } from '../../src/tasks/environment.js';
import { harnessNamed } from '../../src/harness/registry.js';
import { harnessOptions } from '../../src/cockpit/harnesses.js';
import { loadTaskSuite } from '../../src/tasks/load.js';
import { runItems } from '../../src/run/runner.js';
import { taskSource } from '../../src/tasks/source.js';
import type { AttemptRecord, EngineEvent } from '../../src/types.js';
import { LocalController } from '../../src/cockpit/local-controller.js';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { createCockpitStore } from '../../src/store.js';
import { fakeController, LANES, record, storeWithLanes } from '../cockpit/fixtures.js';
import { spawnCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const bwrap = await sandboxAvailable();
if (!bwrap) console.log('skipping the cockpit over a real task run: bubblewrap cannot build a sandbox here');

afterEach(() => cleanup());

const TEST_SH = '#!/bin/bash\nmkdir -p /logs/verifier\nif grep -qx hello /app/out.txt 2>/dev/null; then echo 1; else echo 0; fi > /logs/verifier/reward.txt\n';

/** A two-task suite in a folder the sandbox's uid can reach (tests' TMPDIR is private). */
function suiteDir(): string {
  const root = tempDir('bb-cockpit-harness-', '/tmp');
  chmodSync(root, 0o755);
  const files: Record<string, string> = {};
  for (const id of ['hello-one', 'hello-two']) {
    files[`suite/${id}/instruction.md`] = 'Write hello to /app/out.txt.\n';
    files[`suite/${id}/task.toml`] = '[agent]\ntimeout_sec = 30\n[verifier]\ntimeout_sec = 30\n';
    files[`suite/${id}/tests/test.sh`] = TEST_SH;
    files[`suite/${id}/solution/solve.sh`] = 'echo hello > /app/out.txt\n';
  }
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** Starts `brainbench run --detach` on a task suite; its run folder. */
async function detached(results: string, args: string[]): Promise<string> {
  const started = await spawnCli(['run', ...args, '--detach', '--results', results]);
  expect(started.exitCode, String(started.all ?? started.stderr)).toBe(0);
  return join(results, 'runs', readdirSync(join(results, 'runs'))[0]!);
}

/** Polls (no clock) until `ready` holds. */
async function until<T>(read: () => Promise<T> | T, ready: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const eventsOf = (runDir: string): EngineEvent[] =>
  existsSync(join(runDir, 'events.jsonl')) ? readFileSync(join(runDir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EngineEvent) : [];
const ended = async (runDir: string) => until(() => readStatus(runDir), (s) => s !== null && !isAlive(s.pid));

async function frame(store: ReturnType<typeof storeWithLanes>, columns = 80, rows = 24): Promise<string> {
  const { controller } = fakeController();
  const ink = render(<App store={store} controller={controller} columns={columns} rows={rows} />);
  await new Promise((resolve) => setTimeout(resolve, 20));
  return ink.lastFrame()!;
}

describe('the cockpit shows the harness of a task run', () => {
  it.runIf(bwrap)('the runner announces each (lane, harness); the header names the harness and the rows are tasks', async () => {
    const root = suiteDir();
    const suite = loadTaskSuite(join(root, 'suite'));
    const store = storeWithLanes();
    const bus = new EventBus();
    const events: EngineEvent[] = [];
    bus.on((e) => events.push(e));
    bus.on(store.getState().apply);
    const journal = new Journal(join(root, 'run', 'journal.jsonl'));
    try {
      for (const name of ['oracle', 'null']) {
        const source = taskSource({ suite, harness: harnessNamed(name), environment: bwrapEnvironment([suite.path]), runDir: join(root, 'run') });
        await runItems({ runId: 'r1', runDir: join(root, 'run'), journal, source, laneId: LANES[0]!.id, lane: undefined, n: 1, parallel: 1, adaptive: false, sampling: {}, bus });
        const shown = await frame(store, 100, 30);
        expect(shown.split('\n')[0]).toMatch(new RegExp(`suite ${suite.name}\\s+harness ${name}\\b`));
        expect(shown).toContain('hello-one');
        expect(shown).toContain('hello-two');
        // the oracle solves both; the null harness does nothing, so the grader fails both
        expect(shown.match(name === 'oracle' ? /✓/g : /✗/g)?.length).toBeGreaterThanOrEqual(2);
      }
    } finally {
      journal.close();
    }
    const starts = events.filter((e): e is Extract<EngineEvent, { type: 'run.start' }> => e.type === 'run.start');
    expect(starts.map((e) => [e.harness, e.prompts.map((p) => p.id), e.total])).toEqual([
      ['oracle', ['hello-one', 'hello-two'], 2],
      ['null', ['hello-one', 'hello-two'], 2],
    ]);
    const ends = events.filter((e): e is Extract<EngineEvent, { type: 'attempt.end' }> => e.type === 'attempt.end');
    expect(ends.map((e) => e.record.outcome as string)).toEqual(['pass', 'pass', 'grader_fail', 'grader_fail']);
  }, 120_000);

  it('scripted: trial outcomes draw at 80×24; the harness beside the suite, kept when the suite is not; a prompt run names none', async () => {
    const store = storeWithLanes();
    const tasks = ['shell-pipeline', 'json-transform', 'sql-query'].map((id) => ({ id, category: 'task', core: false }));
    const trial = (id: string, attempt: number, outcome: string) => ({ ...record(id, attempt), outcome }) as unknown as AttemptRecord;
    const done = [trial('shell-pipeline', 1, 'pass'), trial('json-transform', 1, 'harness_error'), trial('sql-query', 1, 'timeout')];
    store.getState().apply({
      type: 'run.start', runId: 'r1', lane: LANES[0]!.id, suite: 'tasks-v1', harness: 'qwen-code', n: 2, parallel: 1, prompts: tasks,
      total: 6, done, simulated: false, startedAt: new Date().toISOString(),
    });
    store.getState().apply({ type: 'attempt.end', record: trial('shell-pipeline', 2, 'grader_fail') });
    expect((await frame(store, 100, 30)).split('\n')[0]).toMatch(/suite tasks-v1\s+harness qwen-code/);
    // at 80 columns the suite gives way first (as for a prompt run); the harness stays
    const shown = await frame(store);
    expect(shown.split('\n')[0]).toContain('harness qwen-code');
    for (const line of shown.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(80);
    expect(shown.split('\n').length).toBeLessThanOrEqual(24);
    expect(shown).toContain('shell-pipeline');
    // the lanes × harnesses summary, then the rows: tasks, under the harness that drives them
    expect(shown.split('\n')[1]).toMatch(/^lane\s+qwen-code/);
    expect(shown.split('\n')[2]).toMatch(/25% 4\/6/); // 1 pass of 4 graded trials (a harness_error is graded), 6 planned
    expect(shown.split('\n')[3]).toMatch(/^qwen-code · task\s/);

    const header = (harness: string | null, width: number) =>
      headerSegments({ lane: LANES[0]!, simulated: false, suite: 'tasks-v1', harness, n: 2, elapsed: 61, state: 'running' }, width).map((s) => s.text).join('');
    expect(header(null, 120)).not.toContain('harness');
    // narrower: the suite goes before the harness does, and the line never overflows
    expect(header('qwen-code', 80)).toContain('harness qwen-code');
    expect(header('qwen-code', 80)).not.toContain('suite');
    expect(stringWidth(header('qwen-code', 80))).toBeLessThanOrEqual(80);
  });

  it.runIf(bwrap)('r on a task suite with oracle and null picked (h) runs both on the demo lane; the matrix shows both cells', async () => {
    const root = suiteDir();
    const lanesFile = join(root, 'lanes.yaml');
    writeFileSync(lanesFile, 'version: 1\nlanes:\n  - id: demo\n    kind: demo\n');
    const manifest = await loadManifest(lanesFile);
    const bus = new EventBus();
    const harnesses = harnessOptions(manifest.harnesses);
    const store = createCockpitStore({ lanes: [{ id: 'demo', kind: 'demo', port: null, state: 'stopped' }], n: 1, suite: 'suite', harnesses, harnessPick: ['builtin'] });
    bus.on(store.getState().apply);
    const manager = new LaneManager({ manifest, bus, logDir: join(root, 'lanes') });
    const controller = new LocalController({
      manager, bus, resultsDir: join(root, 'results'), laneKinds: new Map([['demo', 'demo']]),
      request: { lanesFile, suite: join(root, 'suite'), n: 1, parallel: 1, adaptive: false, enable: [], turnBudget: 12, timeoutS: 60, sampling: {}, demo: {}, stopAfter: false },
      tasks: { manifest, environment: 'bwrap', n: 1 },
      log: (level, message) => store.getState().log(level, message),
    });
    try {
      await controller.init(null);
      await controller.swapLane('demo');
      const ink = render(<App store={store} controller={controller} columns={100} rows={30} />);
      const press = async (input: string) => {
        ink.stdin.write(input);
        await new Promise((resolve) => setTimeout(resolve, 30));
      };
      // h: pick oracle and null, drop builtin; enter closes the menu; r runs
      for (const input of ['h', '\u001B[B', ' ', '\u001B[B', ' ', '\u001B[A', '\u001B[A', ' ', '\r', 'r']) await press(input);
      await until(() => store.getState().run?.final?.state ?? null, (state) => state !== null);
      expect(store.getState().run!.final!.state).toBe('done');
      await until(() => ink.lastFrame() ?? '', (f) => f.includes('done'));
      const lines = ink.lastFrame()!.split('\n');
      expect(lines[0]).toMatch(/harness null\b.*run \d\d:\d\d:\d\d done/);
      expect(lines[1]).toMatch(/^lane\s+oracle\s+null/);
      // the oracle solves both tasks; the null harness does nothing, so the grader fails both
      expect(lines[2]).toMatch(/^demo\s+100% 2\/2\s+0% 2\/2/);
      expect(lines[3]).toMatch(/^null · task\s/);
      expect(ink.lastFrame()).toMatch(/hello-one\s+✗/);
    } finally {
      await controller.quit();
    }
  }, 120_000);

  it.runIf(bwrap)('attached to a detached task run (run --detach, then the cockpit): the harness and the tasks, then done', async () => {
    const root = suiteDir();
    const results = join(root, 'results');
    const runDir = await detached(results, ['--suite', join(root, 'suite'), '--lane', 'demo', '--harness', 'oracle,null']);
    const status = (await ended(runDir))!;
    expect(status.state).toBe('done');

    const store = storeWithLanes();
    const bus = new EventBus();
    bus.on(store.getState().apply);
    const attach = new AttachController(runDir, status.pid, results, bus);
    attach.start();
    await attach.quit();
    const run = store.getState().run!;
    expect([run.harness, run.suite, run.prompts.map((p) => p.id), run.final?.state]).toEqual(['null', 'suite', ['hello-one', 'hello-two'], 'done']);
    expect((await frame(store, 100, 30)).split('\n')[0]).toMatch(/suite suite\s+harness null\b/);
  }, 120_000);

  it.runIf(bwrap)('the attached cockpit pauses and resumes a task run: no trial starts while it is paused', async () => {
    const root = suiteDir();
    const results = join(root, 'results');
    const runDir = await detached(results, ['--suite', join(root, 'suite'), '--lane', 'demo', '--harness', 'builtin', '-n', '2', '--parallel', '1']);
    const pid = (await until(() => readStatus(runDir), (s) => s !== null))!.pid;
    const attach = new AttachController(runDir, pid, results, new EventBus());
    const count = (type: EngineEvent['type']) => eventsOf(runDir).filter((e) => e.type === type).length;
    await until(() => count('attempt.start'), (n) => n >= 1);
    attach.pauseRun();
    await until(() => readStatus(runDir), (s) => s?.state === 'paused');
    // the trial in flight finishes; then resume
    await until(() => [count('run.paused'), count('attempt.start'), count('attempt.end')], ([p, s, e]) => p === 1 && s === e);
    attach.resumeRun();
    expect((await ended(runDir))!.state).toBe('done');
    const order = eventsOf(runDir).map((e) => e.type).filter((t) => t === 'attempt.start' || t === 'run.paused' || t === 'run.resumed');
    const paused = order.indexOf('run.paused');
    const resumed = order.indexOf('run.resumed');
    expect(paused).toBeGreaterThan(-1);
    expect(order.slice(paused + 1, resumed)).toEqual([]); // nothing started while paused
    expect(order.filter((t) => t === 'attempt.start')).toHaveLength(4);
  }, 180_000);
});
