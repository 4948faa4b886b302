import { mkdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { currentHolder, tryLock, unlock, watchLock, type LockHolder } from '../os/pid-lock.js';

const UNWRITABLE: Record<string, string> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

/** Kernel file systems (statfs f_type) that look like folders but hold no files of ours. */
const PSEUDO_FS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x1cd1: 'devpts',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0x6165676c: 'pstore',
  0xcafe4a11: 'bpf',
  0x62656570: 'configfs',
  0xde5e81e4: 'efivarfs',
  0x19800202: 'mqueue',
  0x42494e4d: 'binfmt_misc',
  0x65735543: 'fusectl',
  0xf97cff8c: 'selinuxfs',
};

function refuse(resultsDir: string, reason: string, code?: string, cause?: unknown): Error {
  return new Error(`cannot write results to ${resultsDir}: ${reason}${code ? ` (${code})` : ''}; pass --results DIR on a writable disk`, { cause });
}

/** The folders from the nearest one that exists down to `dir`, outermost first. */
function missingChain(dir: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    try {
      statSync(at);
      return { existing: at, missing: missing.reverse() };
    } catch {
      missing.push(at);
      if (dirname(at) === at) return { existing: at, missing: missing.reverse() };
    }
  }
}

/**
 * Refuses, with a clear reason, a results folder brainbench cannot write (a file, /proc or /sys,
 * read-only, no permission, disk full): creates it if needed, then writes and removes a probe file.
 * The folders are made one at a time: a recursive mkdir under /proc loops forever in Node.
 */
export function checkWritable(resultsDir: string): void {
  const { existing, missing } = missingChain(resolve(resultsDir));
  if (!statSync(existing).isDirectory()) throw refuse(resultsDir, `${existing} is not a folder`);
  const fsName = PSEUDO_FS[statfsSync(existing).type];
  if (fsName) throw refuse(resultsDir, `${existing} is on the kernel's ${fsName} file system, not a disk`);
  const probe = join(resultsDir, `.brainbench-probe-${process.pid}`);
  try {
    for (const dir of missing) mkdirSync(dir);
    writeFileSync(probe, 'probe');
    rmSync(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw refuse(resultsDir, UNWRITABLE[code] ?? (err as Error).message, code || 'error', err);
  }
}

/** The results folder's lock was taken from this run; it must stop before it overwrites the other's summary. */
export class ResultsLockLost extends Error {}

export interface LockOptions {
  /** Told once, in one line, if the lock stops naming this run (removed by hand, taken by another). */
  onLost?: (error: ResultsLockLost) => void;
  checkEveryMs?: number;
}

function describe(holder: LockHolder | null): string {
  if (!holder || holder.runId === '?') return 'another brainbench run';
  const where = holder.host === currentHolder(holder.runId).host ? '' : ` on ${holder.host}`;
  return `run ${holder.runId} (pid ${holder.pid}${where})`;
}

/**
 * One writer per results folder: two runs rewriting the same summary.md would each lose the
 * other's lanes. The lock is held by this process for as long as it lives (stopped or not), and
 * is free again the moment it is gone — so `--resume` right after a kill works.
 */
export async function lockResults(resultsDir: string, runId: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  checkWritable(resultsDir);
  const lockPath = join(resultsDir, '.brainbench.lock');
  const me = currentHolder(runId);
  const holder = tryLock(lockPath, me);
  if (holder) {
    throw new Error(
      `${resultsDir} is in use by ${describe(holder)}; two runs in one results folder would overwrite each other's summary — wait for it, watch it with 'brainbench status', or pass --results OTHER_DIR`,
    );
  }
  const stopWatching = opts.onLost
    ? watchLock(
        lockPath,
        me,
        (now) => {
          const how = now ? `to ${describe(now)}` : '(its lock file was removed)';
          opts.onLost!(new ResultsLockLost(`lost the lock on ${resultsDir} ${how}; stopped after the attempts in flight — the journal is kept: brainbench run --resume ${runId}`));
        },
        opts.checkEveryMs ?? 2000,
      )
    : () => undefined;
  return async () => {
    stopWatching();
    unlock(lockPath, me);
  };
}
