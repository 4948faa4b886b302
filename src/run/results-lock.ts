import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { isAlive } from './status-file.js';

function readOwner(ownerPath: string): { pid: number; runId: string } | null {
  try {
    return JSON.parse(readFileSync(ownerPath, 'utf8')) as { pid: number; runId: string };
  } catch {
    return null;
  }
}

const UNWRITABLE: Record<string, string> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

/**
 * Refuses, with a clear reason, a results folder brainbench cannot write (read-only, no
 * permission, disk full): creates it if needed, then writes and removes a probe file.
 */
export function checkWritable(resultsDir: string): void {
  const probe = join(resultsDir, `.brainbench-probe-${process.pid}`);
  try {
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(probe, 'probe');
    rmSync(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    // A recursive mkdir on a read-only disk reports ENOENT for the missing parent: ask the disk.
    const reason = UNWRITABLE[code] ?? (err as Error).message;
    throw new Error(`cannot write results to ${resultsDir}: ${reason} (${code || 'error'}); pass --results DIR on a writable disk`, { cause: err });
  }
}

/**
 * One writer per results folder: two runs rewriting the same summary.md would each lose the
 * other's lanes. The lock is proper-lockfile's (stale after the holder dies); a side file names
 * the holder so the refusal can say who.
 */
export async function lockResults(resultsDir: string, runId: string): Promise<() => Promise<void>> {
  checkWritable(resultsDir);
  const lockPath = join(resultsDir, '.brainbench.lock');
  const ownerPath = join(resultsDir, '.brainbench.owner');
  // A holder killed with SIGKILL leaves its lock until it goes stale; when the recorded owner is
  // gone, take the lock over at once so `--resume` right after a kill works.
  const owner = readOwner(ownerPath);
  if (owner && !isAlive(owner.pid)) {
    rmSync(lockPath, { recursive: true, force: true });
    rmSync(ownerPath, { force: true });
  }
  try {
    const release = await lockfile.lock(resultsDir, { lockfilePath: lockPath, stale: 15_000, update: 5_000, realpath: false });
    writeFileSync(ownerPath, JSON.stringify({ pid: process.pid, runId }));
    return async () => {
      rmSync(ownerPath, { force: true });
      await release();
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    // the owner file is written just after the lock; in that instant the wording stays generic
    const holder = readOwner(ownerPath);
    throw new Error(
      `${resultsDir} is in use by ${holder ? `run ${holder.runId} (pid ${holder.pid})` : 'another brainbench run'}; two runs in one results folder would overwrite each other's summary — wait for it, watch it with 'brainbench status', or pass --results OTHER_DIR`,
    );
  }
}
