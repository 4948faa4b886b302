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

/**
 * One writer per results folder: two runs rewriting the same summary.md would each lose the
 * other's lanes. The lock is proper-lockfile's (stale after the holder dies); a side file names
 * the holder so the refusal can say who.
 */
export async function lockResults(resultsDir: string, runId: string): Promise<() => Promise<void>> {
  mkdirSync(resultsDir, { recursive: true });
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
