// The results folder's lock belongs to a live process, stopped or not (issue 11, item 6): a run
// paused with SIGSTOP keeps it however long it sleeps; a dead holder or a reused pid does not.
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTime, type LockHolder } from '../../src/os/pid-lock.js';
import { checkWritable, lockResults, type ResultsLockLost } from '../../src/run/results-lock.js';
import { repoRoot, tempDir } from '../helpers/cli.js';

const dir = tempDir;
// A holder left stopped by a failed test would never exit: whatever is still running is killed.
const holders: ResultPromise[] = [];
afterEach(async () => {
  for (const h of holders.splice(0)) {
    if (h.exitCode === null && h.signalCode === null) h.kill('SIGKILL');
    await h.catch(() => undefined);
  }
});

async function until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const procState = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0];
const lockFile = (results: string) => join(results, '.brainbench.lock');
const writeLock = (results: string, holder: LockHolder) => writeFileSync(lockFile(results), JSON.stringify(holder));

describe.runIf(existsSync('/proc/self/stat'))('a holder that is stopped, not dead', () => {
  it('keeps the lock while SIGSTOPped (whatever the mtime says), then finishes cleanly on SIGCONT', async () => {
    const results = dir('bb-lock-');
    const script = join(results, 'holder.mts');
    writeFileSync(
      script,
      `import { existsSync } from 'node:fs';
const { lockResults } = await import(${JSON.stringify(join(repoRoot, 'src/run/results-lock.ts'))});
const release = await lockResults(${JSON.stringify(results)}, 'held', { onLost: (e) => console.log('LOST ' + e.message), checkEveryMs: 20 });
console.log('locked');
while (!existsSync(${JSON.stringify(join(results, 'go'))})) await new Promise((r) => setTimeout(r, 20));
await release();
console.log('released');
`,
    );
    const holder = execa(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, reject: false });
    holders.push(holder);
    let out = '';
    holder.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await until('the holder to lock', () => out.includes('locked'));
    process.kill(holder.pid!, 'SIGSTOP');
    await until('the holder to be stopped', () => procState(holder.pid!) === 'T');
    // a lock left alone for an hour is still held: ownership is the pid, not the mtime
    const anHourAgo = Date.now() / 1000 - 3600;
    utimesSync(lockFile(results), anHourAgo, anHourAgo);
    await expect(lockResults(results, 'second')).rejects.toThrow(`${results} is in use by run held (pid ${holder.pid})`);

    writeFileSync(join(results, 'go'), '');
    process.kill(holder.pid!, 'SIGCONT');
    const done = await holder;
    expect(done.exitCode).toBe(0);
    expect(done.stderr).toBe('');
    expect(out).toContain('released');
    expect(out).not.toContain('LOST');
    expect(existsSync(lockFile(results))).toBe(false);
  });
});

describe('a lock whose holder is gone', () => {
  it('is taken over when the pid is dead', async () => {
    const results = dir('bb-lock-dead-');
    const gone = await execa(process.execPath, ['-e', 'console.log(process.pid)']);
    writeLock(results, { pid: Number(gone.stdout), start: null, host: hostname(), runId: 'old' });
    const release = await lockResults(results, 'new');
    expect((JSON.parse(readFileSync(lockFile(results), 'utf8')) as LockHolder).runId).toBe('new');
    await release();
  });

  it.runIf(existsSync('/proc/self/stat'))('is taken over when the pid was reused by another process (its start time differs)', async () => {
    const results = dir('bb-lock-reused-');
    expect(processStartTime(process.pid)).toMatch(/^\d+$/);
    writeLock(results, { pid: process.pid, start: '1', host: hostname(), runId: 'old' });
    const release = await lockResults(results, 'new');
    await release();
  });

  it('is taken over from an older brainbench (a lock folder whose owner is dead)', async () => {
    const results = dir('bb-lock-legacy-');
    mkdirSync(lockFile(results));
    writeFileSync(join(results, '.brainbench.owner'), JSON.stringify({ pid: 2 ** 22 + 7, runId: 'ancient' }));
    const release = await lockResults(results, 'new');
    await release();
  });

  it('holds when the holder is this very process (a second lock in one process is refused too)', async () => {
    const results = dir('bb-lock-self-');
    const release = await lockResults(results, 'first');
    await expect(lockResults(results, 'second')).rejects.toThrow(/is in use by run first/);
    await release();
    await (await lockResults(results, 'third'))();
  });
});

describe('a holder whose lock is taken from it', () => {
  it('is told once, in one line naming the new holder, and never throws', async () => {
    const results = dir('bb-lock-lost-');
    const lost: ResultsLockLost[] = [];
    const release = await lockResults(results, 'mine', { onLost: (err) => lost.push(err), checkEveryMs: 10 });
    writeLock(results, { pid: 4242, start: null, host: hostname(), runId: 'intruder' });
    await until('the loss to be noticed', () => lost.length > 0);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.message).toMatch(/^lost the lock on .* to run intruder \(pid 4242\); stopped after the attempts in flight — the journal is kept: brainbench run --resume mine$/);
    await release();
    // the release leaves the other holder's lock alone
    expect((JSON.parse(readFileSync(lockFile(results), 'utf8')) as LockHolder).runId).toBe('intruder');
  });
});

describe('checkWritable refuses what is not a writable folder on a disk', () => {
  it.runIf(existsSync('/proc/self'))('/proc and /sys, at once (a recursive mkdir there used to spin forever)', () => {
    expect(() => checkWritable('/proc/x/results')).toThrow(/cannot write results to \/proc\/x\/results: \/proc is on the kernel's proc file system, not a disk/);
    if (existsSync('/sys/kernel')) expect(() => checkWritable('/sys/kernel/x')).toThrow(/sysfs file system/);
  });

  it('a file, or a folder under a file', () => {
    const base = dir('bb-file-');
    const file = join(base, 'plain');
    writeFileSync(file, '');
    expect(() => checkWritable(file)).toThrow(`cannot write results to ${file}: ${file} is not a folder`);
    expect(() => checkWritable(join(file, 'sub'))).toThrow(`${file} is not a folder`);
  });

  it('creates missing folders one by one on a real disk', () => {
    const base = dir('bb-nested-');
    checkWritable(join(base, 'a', 'b', 'c'));
    expect(existsSync(join(base, 'a', 'b', 'c'))).toBe(true);
  });
});
