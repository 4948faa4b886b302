// Issue 20: a task run goes through the one queue the prompt runs use — the lane lease (a plain
// `lanes stop` mid-run is refused; with --force the run pauses for --resume), telemetry.jsonl,
// events.jsonl and status.json, with status's attempt totals over every harness of the lane.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { main } from '../../src/cli.js';
import { EventBus } from '../../src/events.js';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { builtinSuitesDir } from '../../src/paths.js';
import { RunControl } from '../../src/run/control.js';
import { readPlan } from '../../src/run/plan.js';
import { createRun, openSession, type RunRequest } from '../../src/run/session.js';
import { readStatus } from '../../src/run/status-file.js';
import { superviseQueue } from '../../src/run/supervise.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import type { EngineEvent, RunRecord } from '../../src/types.js';
import { spawnCli } from '../helpers/cli.js';
import { fakeModel, fakeServer, freePort, tempDir, writeManifest } from '../lanes/helpers.js';

const bwrap = await sandboxAvailable();
if (!bwrap) console.log('skipping task runs on the one queue: bubblewrap cannot build a sandbox here');

const LANE = 'stoppable';
const savedStateDir = process.env.BRAINBENCH_STATE_DIR;
let stateDir: string;
let lanesFile: string;
let stdout: MockInstance<typeof process.stdout.write>;

function jsonLines<T>(path: string): T[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : [];
}

/** A folder the sandbox's own uid can reach (tests' TMPDIR is private). */
function reachable(prefix: string): string {
  const dir = tempDir(prefix, '/tmp');
  chmodSync(dir, 0o755);
  return dir;
}

/** Two tasks the oracle solves and the null harness leaves undone. */
function twoTaskSuite(): string {
  const root = join(reachable('bb-one-queue-'), 'suite');
  const test = '#!/bin/bash\nmkdir -p /logs/verifier\nif grep -qx hello /app/out.txt 2>/dev/null; then echo 1; else echo 0; fi > /logs/verifier/reward.txt\n';
  for (const id of ['hello-one', 'hello-two']) {
    const files = { 'instruction.md': 'Write hello to /app/out.txt.\n', 'task.toml': '[agent]\ntimeout_sec = 30\n[verifier]\ntimeout_sec = 30\n', 'tests/test.sh': test, 'solution/solve.sh': 'echo hello > /app/out.txt\n' };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(root, id, rel, '..'), { recursive: true });
      writeFileSync(join(root, id, rel), text);
    }
  }
  return root;
}

beforeAll(async () => {
  stateDir = tempDir('bb-state-');
  process.env.BRAINBENCH_STATE_DIR = stateDir;
  const port = await freePort();
  lanesFile = writeManifest(
    `version: 1\nlanes:\n  - id: ${LANE}\n    kind: llamacpp\n    model: ${fakeModel}\n    bin: ${fakeServer}\n    port: ${port}\n    ready_timeout_s: 30\n    args: [--tok-per-sec, "100"]\n` +
      `  - id: demo\n    kind: demo\n    tok_per_sec: 2000\n`,
    reachable('bb-lanes-'),
  );
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterAll(async () => {
  stdout.mockRestore();
  await new LaneManager({ manifest: await loadManifest(lanesFile), logDir: tempDir('bb-logs-'), stateDir }).stopAll();
  if (savedStateDir === undefined) delete process.env.BRAINBENCH_STATE_DIR;
  else process.env.BRAINBENCH_STATE_DIR = savedStateDir;
});

describe.runIf(bwrap)('a task run on the one queue', () => {
  it('two harnesses: status counts attempts over both; telemetry.jsonl, events.jsonl and status.json are written', async () => {
    const results = reachable('bb-one-queue-results-');
    const request: RunRequest = {
      lanes: ['demo'], lanesFile, suite: twoTaskSuite(), n: 1, parallel: 1, adaptive: false, enable: [], turnBudget: 12, timeoutS: 360, sampling: {}, demo: {}, stopAfter: false,
      tasks: { harnesses: ['oracle', 'null'], environment: 'bwrap' },
    };
    const plan = await createRun(request, results);
    const bus = new EventBus();
    // the first trial waits for the first telemetry sample: ordered by events, not by the clock
    const control = new RunControl();
    control.pause('until telemetry');
    bus.on((e) => e.type === 'telemetry' && control.resume());
    const session = await openSession(results, plan.runId, bus);
    const result = await superviseQueue({ ...session, resultsDir: results, bus, control, telemetryIntervalMs: 10 });
    expect(result.state).toBe('done');

    const runDir = session.runDir;
    expect(jsonLines(join(runDir, 'telemetry.jsonl')).length).toBeGreaterThan(0);
    const events = jsonLines<EngineEvent>(join(runDir, 'events.jsonl'));
    const starts = events.filter((e): e is Extract<EngineEvent, { type: 'run.start' }> => e.type === 'run.start');
    expect(starts.map((e) => [e.harness, e.total, e.laneTotal])).toEqual([['oracle', 2, 4], ['null', 2, 4]]);
    expect(events.filter((e) => e.type === 'attempt.end').map((e) => (e as { record: RunRecord }).record.outcome)).toEqual(['pass', 'pass', 'grader_fail', 'grader_fail']);
    // the second harness carries the lane's count on (it used to restart it: attempt 2/2)
    expect(await readStatus(runDir)).toMatchObject({ state: 'done', done: 4, total: 4, passes: 2, lanesDone: ['demo'] });
    // each finished cell says so once, naming its harness; only the lane's last cell finishes the lane
    const cellEnds = events.filter((e): e is Extract<EngineEvent, { type: 'cell.end' }> => e.type === 'cell.end');
    expect(cellEnds.map((e) => [e.harness, e.laneDone, e.scorecard.pass_rate])).toEqual([['oracle', false, 1], ['null', true, 0]]);
    // the scorecards went through the one path: one per (lane, harness)
    expect(readdirSync(join(results, 'tasks')).filter((f) => f.endsWith('.json')).sort()).toEqual(['demo+null.json', 'demo+oracle.json']);
  }, 120_000);

  it('holds the lane lease: a plain `lanes stop` is refused; with --force the run pauses, and --resume fills the rest', async () => {
    const results = reachable('bb-one-queue-stop-');
    const args = ['--lanes-file', lanesFile, '--lane', LANE, '--suite', join(builtinSuitesDir, 'tasks-v1'), '--harness', 'builtin', '-n', '2', '--parallel', '1', '--json', '--results', results];
    const run = main(['run', ...args]);
    const running = { ended: false };
    void run.finally(() => (running.ended = true));
    const runDir = () => join(results, 'runs', readdirSync(join(results, 'runs'))[0]!);
    while (!(existsSync(join(results, 'runs')) && jsonLines(join(runDir(), 'journal.jsonl')).length >= 1)) {
      if (running.ended) throw new Error('the run ended before its first trial was journaled');
      await new Promise((r) => setTimeout(r, 25));
    }
    // held paused (as an attached cockpit does) so the stop lands mid-suite however slow this machine is
    process.kill(process.pid, 'SIGUSR1');
    while (!jsonLines<EngineEvent>(join(runDir(), 'events.jsonl')).some((e) => e.type === 'run.paused')) {
      if (running.ended) throw new Error('the run ended before it paused');
      await new Promise((r) => setTimeout(r, 25));
    }

    const env = { env: { BRAINBENCH_STATE_DIR: stateDir } };
    const refused = await spawnCli(['lanes', 'stop', LANE, '--lanes-file', lanesFile], env);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr as string).toMatch(new RegExp(`lane ${LANE} is in use by run \\S+ \\(pid ${process.pid}\\); stop refused`));
    const stop = await spawnCli(['lanes', 'stop', LANE, '--force', '--lanes-file', lanesFile], env);
    expect(stop.exitCode, stop.stderr as string).toBe(0);
    process.kill(process.pid, 'SIGUSR2'); // resumed: the next trial meets the stopped lane
    expect(await run).toBe(1); // paused, with work left for --resume

    const events = jsonLines<EngineEvent>(join(runDir(), 'events.jsonl'));
    expect(events.find((e) => e.type === 'run.paused' && !e.user)).toMatchObject({ reason: `lane ${LANE} was stopped by the user; the rest of its suite is left for --resume` });
    expect(events.filter((e) => e.type === 'lane.state' && e.state === 'crashed')).toEqual([]);
    const graded = () => new Set(jsonLines<RunRecord>(join(runDir(), 'journal.jsonl')).filter((r) => r.kind === 'trial' && r.outcome !== 'lane_error').map((r) => `${r.prompt_id}#${r.attempt}`));
    const planned = (events.find((e) => e.type === 'run.start') as Extract<EngineEvent, { type: 'run.start' }>).total;
    const before = graded();
    expect(before.size).toBeLessThan(planned);

    expect(await main(['run', '--resume', runDir().split('/').pop()!, '--results', results, '--json', '--stop-after'])).toBe(0);
    const after = graded();
    for (const slot of before) expect(after.has(slot)).toBe(true); // nothing finished is repeated or lost
    const journal = jsonLines<RunRecord>(join(runDir(), 'journal.jsonl'));
    const settled = new Set(journal.map((r) => `${r.prompt_id}#${r.attempt}`));
    expect(settled.size).toBe(planned);
    expect(journal.filter((r) => r.outcome !== 'lane_error').length).toBe(after.size); // no graded slot twice
  }, 240_000);
});

describe('a task run made before the one queue', () => {
  it('reads its tasks.json as a plan, so --resume carries it on', async () => {
    const runDir = join(tempDir('bb-legacy-'), '20261201-101010-abcd');
    mkdirSync(runDir);
    const request = { suite: '/suites/tasks-v1', harness: 'oracle', environment: 'bwrap', lanes: ['demo'], n: 2, parallel: null, timeoutS: 30, sampling: { temperature: 0 } };
    writeFileSync(join(runDir, 'tasks.json'), JSON.stringify(request));
    expect(await readPlan(runDir, (given) => given ?? '/found/lanes.yaml')).toMatchObject({
      runId: '20261201-101010-abcd', suite: '/suites/tasks-v1', lanes: ['demo'], lanesFile: '/found/lanes.yaml', n: 2, parallel: null, sampling: { temperature: 0 }, stopAfter: false,
      tasks: { harnesses: ['oracle'], environment: 'bwrap', timeoutS: 30 },
    });
  });
});
