// Issue 8, item 4: the machine. A full or read-only results disk gives a clear error and leaves the
// journal whole up to the last finished attempt; two runs on one results folder: one refuses.
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { shellAvailable } from '../../src/agent/shell.js';
import { Journal, JournalWriteError } from '../../src/run/journal.js';
import type { AttemptRecord } from '../../src/types.js';
import { cliArgs, spawnCli, repoRoot } from '../helpers/cli.js';
import { removeTempDirs, scratchDir, tempDir } from './harness.js';

afterAll(removeTempDirs);

const record = (attempt: number): AttemptRecord => ({
  lane: 'demo',
  prompt_id: 'p1',
  attempt,
  outcome: 'pass',
  check_passed: true,
  why: 'ok',
  correct_tool: true,
  tools_called: [],
  turns: 1,
  tokens: { prompt: 1, completion: 1 },
  wall_s: 0.1,
  ttft_s: 0.01,
  answer: `answer ${attempt} `.repeat(50),
  transcript: 't.json',
  escape_attempts: 0,
  started_at: '2026-01-01T00:00:00Z',
  ended_at: '2026-01-01T00:00:01Z',
});

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

describe('the journal on a full disk', () => {
  it('keeps every finished record whole when an append fails half-way, and resumes from them', () => {
    const path = join(tempDir('bb-journal-'), 'journal.jsonl');
    let writes = 0;
    // The 3rd record's write gets 100 bytes out, then the disk is full.
    const journal = new Journal(path, {
      write: (fd, buffer, offset, length) => {
        writes++;
        if (writes === 3) return writeSync(fd, buffer, offset, Math.min(100, length));
        if (writes === 4) throw enospc();
        return writeSync(fd, buffer, offset, length);
      },
    });
    journal.append(record(1));
    journal.append(record(2));
    let error: unknown;
    try {
      journal.append(record(3));
    } catch (err) {
      error = err;
    }
    journal.close();
    expect(error).toBeInstanceOf(JournalWriteError);
    expect((error as JournalWriteError).code).toBe('ENOSPC');
    expect((error as Error).message).toMatch(/cannot write the journal .*journal\.jsonl: ENOSPC: no space left on device.*The 2 attempt\(s\) finished before are kept.*--resume/);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => (JSON.parse(l) as AttemptRecord).attempt)).toEqual([1, 2]);
    expect(new Journal(path).all().map((r) => r.attempt)).toEqual([1, 2]);
  });
});

const bwrap = await shellAvailable();

/** The CLI inside bubblewrap with `mount` bwrap arguments applied to the results folder. */
async function cliWithMount(mount: string[], results: string, copy: string) {
  const state = tempDir('bb-state-');
  const [node, args] = cliArgs(['run', '--lane', 'demo', '-n', '3', '--tok-per-sec', '100000', '--results', results]);
  const quoted = [node, ...args].map((a) => `'${a}'`).join(' ');
  // The tmpfs vanishes with the sandbox: the results are copied out before it ends.
  const script = `${quoted}; code=$?; cp -r '${results}' '${copy}'; exit $code`;
  // a run that fails on the full disk leaves its scratch copies: in a scratch root of its own
  const env = { ...process.env, BRAINBENCH_STATE_DIR: state, BRAINBENCH_SCRATCH_DIR: scratchDir() };
  return execa('bwrap', ['--dev-bind', '/', '/', ...mount, 'sh', '-c', script], { cwd: repoRoot, reject: false, env });
}

describe.runIf(bwrap)('a results disk that fails (a real tmpfs and a read-only bind, via bubblewrap)', () => {
  it('a full disk stops the run with a clear error; the journal holds only whole records', async () => {
    const base = tempDir('bb-full-');
    const results = join(base, 'results');
    mkdirSync(results);
    const run = await cliWithMount(['--size', '100000', '--tmpfs', results], results, join(base, 'copy'));
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^brainbench run: cannot .* no space left on device/m);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    const runs = readdirSync(join(base, 'copy', 'runs'));
    const journal = readFileSync(join(base, 'copy', 'runs', runs[0]!, 'journal.jsonl'), 'utf8');
    const lines = journal.split('\n');
    expect(lines.at(-1)).toBe('');
    const records = lines.slice(0, -1).map((l) => JSON.parse(l) as AttemptRecord);
    expect(records.length).toBeGreaterThan(0);
    // every journaled attempt had finished: its transcript made it to disk
    for (const r of records) expect(existsSync(r.transcript.replace(results, join(base, 'copy')))).toBe(true);
  });

  it('a read-only results folder is refused, naming it', async () => {
    const base = tempDir('bb-ro-');
    const results = join(base, 'results');
    mkdirSync(results);
    const probe = `import('${join(repoRoot, 'src/run/results-lock.ts')}').then((m) => m.checkWritable('${results}')).catch((e) => { console.error(e.message); process.exit(1); })`;
    const run = await execa('bwrap', ['--dev-bind', '/', '/', '--ro-bind', results, results, process.execPath, '--import', 'tsx', '-e', probe], { cwd: repoRoot, reject: false });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`cannot write results to ${results}: it is on a read-only file system (EROFS)`);
  });
});

describe('two runs on one results folder', () => {
  const started: { kill: (signal: NodeJS.Signals) => boolean }[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) child.kill('SIGKILL');
  });

  it('the second refuses, naming the run that holds it', async () => {
    const results = tempDir('bb-two-');
    // the first run is killed: its scratch copies go in a scratch root of its own
    const env = { BRAINBENCH_STATE_DIR: tempDir('bb-state-'), BRAINBENCH_SCRATCH_DIR: scratchDir() };
    const first = spawnCli(['run', '--lane', 'demo', '-n', '2', '--tok-per-sec', '20', '--results', results], { env });
    started.push(first);
    const lock = join(results, '.brainbench.lock');
    for (let i = 0; i < 200 && !existsSync(lock); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const holder = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; runId: string };
    const second = await spawnCli(['run', '--lane', 'demo', '-n', '1', '--tok-per-sec', '100000', '--results', results], { env });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain(`${results} is in use by run ${holder.runId} (pid ${holder.pid})`);
    expect(holder.pid).toBe(first.pid);
    // refused before its run folder existed: only the first run's is there
    expect(readdirSync(join(results, 'runs'))).toEqual([holder.runId]);
  });
});
