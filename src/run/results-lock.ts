import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * One writer per results folder: two runs rewriting the same summary.md would each lose the
 * other's lanes. The lock is proper-lockfile's (stale after the holder dies); a side file names
 * the holder so the refusal can say who.
 */
export async function lockResults(resultsDir: string, runId: string): Promise<() => Promise<void>> {
  mkdirSync(resultsDir, { recursive: true });
  const lockPath = join(resultsDir, '.brainbench.lock');
  const ownerPath = join(resultsDir, '.brainbench.owner');
  try {
    const release = await lockfile.lock(resultsDir, { lockfilePath: lockPath, stale: 15_000, update: 5_000, realpath: false });
    writeFileSync(ownerPath, JSON.stringify({ pid: process.pid, runId }));
    return async () => {
      rmSync(ownerPath, { force: true });
      await release();
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    let holder = 'another brainbench run';
    try {
      const owner = JSON.parse(readFileSync(ownerPath, 'utf8')) as { pid: number; runId: string };
      holder = `run ${owner.runId} (pid ${owner.pid})`;
    } catch {
      // the owner file is written just after the lock; a race leaves the generic wording
    }
    throw new Error(
      `${resultsDir} is in use by ${holder}; two runs in one results folder would overwrite each other's summary — wait for it, watch it with 'brainbench status', or pass --results OTHER_DIR`,
    );
  }
}
