// `brainbench lanes stop ID` during a run (issue 12): the run does not restart the lane the user
// stopped; it pauses that lane's suite for --resume, says so, and the queue moves on.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { main } from '../../src/cli.js';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { portOpen } from '../../src/lanes/net.js';
import type { AttemptRecord, EngineEvent } from '../../src/types.js';
import { spawnCli } from '../helpers/cli.js';
import { fakeModel, fakeServer, freePort, tempDir, writeManifest } from './helpers.js';

const LANE = 'stoppable';
const savedStateDir = process.env.BRAINBENCH_STATE_DIR;
let stateDir: string;
let lanesFile: string;
let port: number;
let stdout: MockInstance<typeof process.stdout.write>;

const runDirOf = (results: string) => join(results, 'runs', readdirSync(join(results, 'runs'))[0]!);

function jsonLines<T>(path: string): T[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : [];
}

async function waitFor(what: string, check: () => boolean, run: { ended: boolean }): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (run.ended || Date.now() > deadline) throw new Error(`${run.ended ? 'the run ended' : 'timed out'} waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  stateDir = tempDir('bb-state-');
  process.env.BRAINBENCH_STATE_DIR = stateDir;
  port = await freePort();
  // 100 tok/s: the suite takes several seconds, so the stop lands while it runs
  lanesFile = writeManifest(
    `version: 1\nlanes:\n  - id: ${LANE}\n    kind: llamacpp\n    model: ${fakeModel}\n    bin: ${fakeServer}\n    port: ${port}\n    ready_timeout_s: 30\n    args: [--tok-per-sec, "100"]\n` +
      `  - id: next\n    kind: demo\n    tok_per_sec: 2000\n`,
  );
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterAll(async () => {
  stdout.mockRestore();
  await new LaneManager({ manifest: await loadManifest(lanesFile), logDir: tempDir('bb-logs-'), stateDir }).stopAll();
  if (savedStateDir === undefined) delete process.env.BRAINBENCH_STATE_DIR;
  else process.env.BRAINBENCH_STATE_DIR = savedStateDir;
});

describe('a lane the user stops during a run', () => {
  it('is not restarted: its suite pauses for --resume, the queue moves on, and --resume carries it on', async () => {
    const results = tempDir('bb-user-stop-');
    const run = main(['run', '--lanes-file', lanesFile, '--lanes', `${LANE},next`, '-n', '1', '--parallel', '1', '--json', '--results', results]);
    const running = { ended: false };
    void run.finally(() => (running.ended = true));
    await waitFor('two journaled attempts', () => existsSync(join(results, 'runs')) && jsonLines(join(runDirOf(results), 'journal.jsonl')).length >= 2, running);
    // held paused (as an attached cockpit does) so the stop lands mid-suite however slow this machine is
    process.kill(process.pid, 'SIGUSR1');
    await waitFor('the pause', () => jsonLines<EngineEvent>(join(runDirOf(results), 'events.jsonl')).some((e) => e.type === 'run.paused'), running);

    // the run holds the lane's lease (issue 16): another brainbench's plain stop names it and refuses
    const refused = await spawnCli(['lanes', 'stop', LANE, '--lanes-file', lanesFile], { env: { BRAINBENCH_STATE_DIR: stateDir } });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr as string).toMatch(new RegExp(`lane ${LANE} is in use by run \\S+ \\(pid ${process.pid}\\); stop refused`));
    const stop = await spawnCli(['lanes', 'stop', LANE, '--force', '--lanes-file', lanesFile], { env: { BRAINBENCH_STATE_DIR: stateDir } });
    expect(stop.exitCode, stop.stderr as string).toBe(0);
    process.kill(process.pid, 'SIGUSR2'); // resumed: the next attempt meets the stopped lane
    await run;

    const runDir = runDirOf(results);
    const events = jsonLines<EngineEvent>(join(runDir, 'events.jsonl'));
    const paused = events.find((e) => e.type === 'run.paused' && e.lane === LANE && !e.user);
    expect(paused).toMatchObject({ reason: `lane ${LANE} was stopped by the user; the rest of its suite is left for --resume` });
    const laneStates = events.flatMap((e) => (e.type === 'lane.state' && e.lane === LANE ? [e.state] : []));
    expect(laneStates).not.toContain('crashed');
    expect(laneStates.filter((s) => s === 'starting')).toHaveLength(1); // never restarted
    expect(events.some((e) => e.type === 'run.end' && e.lane === 'next')).toBe(true); // the queue moved on
    expect(await portOpen('127.0.0.1', port)).toBe(false);
    const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as { lastError?: string };
    expect(status.lastError).toContain('stopped by the user');

    const journal = jsonLines<AttemptRecord>(join(runDir, 'journal.jsonl')).filter((r) => r.lane === LANE);
    const graded = (records: AttemptRecord[]) => new Set(records.filter((r) => r.outcome !== 'lane_error').map((r) => `${r.prompt_id}#${r.attempt}`));
    expect(graded(journal).size).toBeLessThan(11);

    // --resume starts the lane again (the user's stop is over) and fills the slots left
    expect(await main(['run', '--resume', runDir.split('/').pop()!, '--results', results, '--json', '--stop-after'])).toBe(0);
    const resumed = jsonLines<AttemptRecord>(join(runDir, 'journal.jsonl')).filter((r) => r.lane === LANE);
    // brain-v1: 13 prompts, two of them only where the shell is on
    expect(graded(resumed).size).toBeGreaterThanOrEqual(11);
    expect([...new Set(resumed.map((r) => r.prompt_id))].every((id) => graded(resumed).has(`${id}#1`))).toBe(true);
    expect(await portOpen('127.0.0.1', port)).toBe(false);
  }, 180_000);
});
