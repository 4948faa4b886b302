// Run states that stay true (issue 12, "State goes stale"): running / paused / stopped / done /
// died, the lane as it is now, and `status` on a run folder that never started.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { renderStatus } from '../../src/commands/status.js';
import { readStatus, type RunStatus } from '../../src/run/status-file.js';
import { spawnCli, tempDir } from '../helpers/cli.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const onlyRun = (results: string) => join(results, 'runs', readdirSync(join(results, 'runs'))[0]!);
const statusJson = (results: string) => JSON.parse(readFileSync(join(onlyRun(results), 'status.json'), 'utf8')) as RunStatus;

async function until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the state a run leaves', () => {
  it('a finished run is done, and its lane (stopped by the run) reads stopped, not ready', async () => {
    const results = tempDir('bb-done-');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await main(['run', '--lane', 'demo', '-n', '1', '--tok-per-sec', '100000', '--results', results]);
    expect(code).toBe(0);
    const status = statusJson(results);
    expect(status.state).toBe('done');
    expect(status.lane).toBe('demo');
    expect(status.laneState).toBe('stopped');
    expect(renderStatus(status, results)).toMatch(/^run \S+ {2}done /);
  });

  it('a run whose process exits while it stops (the cockpit quitting, a second Ctrl-C) is stopped, not died', async () => {
    const results = tempDir('bb-quit-');
    const child = spawnCli(['run', '--lane', 'demo', '-n', '3', '--tok-per-sec', '20', '--results', results], { env: { BRAINBENCH_STATE_DIR: tempDir('bb-state-') } });
    await until('the run to be under way', () => existsSync(join(results, 'runs')) && existsSync(join(onlyRun(results), 'status.json')) && statusJson(results).laneState === 'ready');
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.kill('SIGINT'); // stop after the attempts in flight…
    await until('the stop to be taken', () => err.includes('SIGINT: finishing the attempts in flight'));
    child.kill('SIGINT'); // …no: quit now
    const done = await child;
    expect(done.exitCode).toBe(130);
    expect(statusJson(results).state).toBe('stopped');
    // an attached cockpit replaying events.jsonl reads the same
    const events = readFileSync(join(onlyRun(results), 'events.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(events.at(-1)!)).toEqual({ type: 'run.state', runId: statusJson(results).runId, state: 'stopped' });
    // the attempts it cut short leave no scratch copy behind (it lives in RAM)
    expect(existsSync(join(process.env.BRAINBENCH_SCRATCH_DIR!, statusJson(results).runId))).toBe(false);
    const shown = await spawnCli(['status', '--results', results]);
    expect(shown.stdout).toMatch(/^run \S+ {2}stopped /);
    expect(shown.stdout).toContain('brainbench run --resume');
  });
});

describe('a run that loses the results lock', () => {
  it('stops after the attempts in flight with one line (no stack), its journal whole and its state stopped', async () => {
    const results = tempDir('bb-lost-');
    const child = spawnCli(['run', '--lane', 'demo', '-n', '3', '--tok-per-sec', '20', '--results', results], { env: { BRAINBENCH_STATE_DIR: tempDir('bb-state-') } });
    await until('the run to be under way', () => existsSync(join(results, 'runs')) && existsSync(join(onlyRun(results), 'status.json')) && statusJson(results).laneState === 'ready');
    rmSync(join(results, '.brainbench.lock')); // someone "cleans up" the lock under a live run
    const done = await child;
    expect(done.exitCode).toBe(1);
    expect(String(done.stderr).trim().split('\n')).toEqual([
      `brainbench run: lost the lock on ${results} (its lock file was removed); stopped after the attempts in flight — the journal is kept: brainbench run --resume ${statusJson(results).runId}`,
    ]);
    const lines = readFileSync(join(onlyRun(results), 'journal.jsonl'), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    for (const line of lines.slice(0, -1)) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(statusJson(results).state).toBe('stopped');
  });
});

describe('status on run folders', () => {
  function fakeStatus(state: string): RunStatus {
    const now = new Date().toISOString();
    return { runId: 'r1', pid: 2 ** 22 + 7, state: state as RunStatus['state'], queue: ['demo'], lane: 'demo', laneState: 'stopped', done: 1, total: 1, passes: 1, etaS: 0, lanesDone: ['demo'], lastError: null, startedAt: now, updatedAt: now };
  }

  it('skips a newer folder that never started, and explains it when asked for by id', async () => {
    const results = tempDir('bb-status-');
    mkdirSync(join(results, 'runs', '20260101-000000-aaaa'), { recursive: true });
    writeFileSync(join(results, 'runs', '20260101-000000-aaaa', 'status.json'), JSON.stringify(fakeStatus('done')));
    mkdirSync(join(results, 'runs', '20260102-000000-bbbb'));
    writeFileSync(join(results, 'runs', '20260102-000000-bbbb', 'run.json'), '{}');
    mkdirSync(join(results, 'runs', '20260103-000000-cccc'));

    const newest = await spawnCli(['status', '--results', results]);
    expect(newest.exitCode).toBe(0);
    expect(newest.stdout).toMatch(/^run r1 {2}done /);

    const planned = await spawnCli(['status', '20260102-000000-bbbb', '--results', results]);
    expect(planned.exitCode).toBe(1);
    expect(planned.stderr).toContain('run 20260102-000000-bbbb was planned but never started');
    expect(planned.stderr).toContain('brainbench run --resume 20260102-000000-bbbb');
    const empty = await spawnCli(['status', '20260103-000000-cccc', '--results', results]);
    expect(empty.stderr).toContain(`no run 20260103-000000-cccc in ${join(results, 'runs')}`);
  });

  it('reads the names older versions wrote as the five states', async () => {
    const runDir = tempDir('bb-legacy-');
    writeFileSync(join(runDir, 'status.json'), JSON.stringify(fakeStatus('finished')));
    expect((await readStatus(runDir))!.state).toBe('done');
    writeFileSync(join(runDir, 'status.json'), JSON.stringify(fakeStatus('failed')));
    expect((await readStatus(runDir))!.state).toBe('stopped');
    writeFileSync(join(runDir, 'status.json'), JSON.stringify(fakeStatus('running')));
    expect(renderStatus((await readStatus(runDir))!, runDir)).toMatch(/^run r1 {2}died /); // its pid is gone
  });
});
