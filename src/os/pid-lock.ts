// A lock file owned by a process, not by an mtime: the holder is whoever the file names, for as
// long as that process exists. A holder that is stopped (SIGSTOP, a suspended laptop, a debugger)
// still holds it; a pid the kernel gave to a new process since does not (its start time differs).
import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, dirname } from 'node:path';
import { processStartTime as startTicks } from './proc.js';
import { isAlive } from '../run/status-file.js';

export interface LockHolder {
  pid: number;
  /** /proc/<pid>/stat field 22 (start time in clock ticks since boot); null where there is no /proc. */
  start: string | null;
  host: string;
  runId: string;
}

/** When process `pid` started, as the lock file stores it (a string), or null off Linux or when it is gone. */
export function processStartTime(pid: number): string | null {
  const ticks = startTicks(pid);
  return ticks === null ? null : String(ticks);
}

export function currentHolder(runId: string): LockHolder {
  return { pid: process.pid, start: processStartTime(process.pid), host: hostname(), runId };
}

/** The older lock was proper-lockfile's directory, with the holder in a side file. */
function legacyHolder(lockPath: string): LockHolder | null {
  try {
    const owner = JSON.parse(readFileSync(join(dirname(lockPath), '.brainbench.owner'), 'utf8')) as { pid: number; runId: string };
    return { pid: owner.pid, start: null, host: hostname(), runId: owner.runId };
  } catch {
    return null;
  }
}

/** Who the lock file names; null when there is none or it is unreadable (it is written whole, by link). */
export function readHolder(lockPath: string): LockHolder | null {
  try {
    if (statSync(lockPath).isDirectory()) return legacyHolder(lockPath);
    return JSON.parse(readFileSync(lockPath, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/** Does the holder still hold? Another host's process cannot be checked from here: it holds. */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  if (!isAlive(holder.pid)) return false;
  const start = processStartTime(holder.pid);
  return holder.start === null || start === null || start === holder.start;
}

export function sameHolder(a: LockHolder | null, b: LockHolder): boolean {
  return !!a && a.pid === b.pid && a.start === b.start && a.host === b.host && a.runId === b.runId;
}

/**
 * Takes the lock for `me`, or returns the live holder that has it. The file appears whole and at
 * once (a complete temp file hard-linked into place); a lock whose holder is gone is removed.
 */
export function tryLock(lockPath: string, me: LockHolder): LockHolder | null {
  const temp = `${lockPath}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(me)}\n`);
  try {
    // a few rounds only: two takers racing over a stale lock settle within one or two
    for (let round = 0; round < 3; round++) {
      try {
        linkSync(temp, lockPath);
        return null;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(lockPath);
      if (holder && holderAlive(holder)) return holder;
      rmSync(lockPath, { recursive: true, force: true });
    }
    return readHolder(lockPath) ?? { pid: 0, start: null, host: '?', runId: '?' };
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Checks every `intervalMs` that the lock still names `me`; calls `onLost` once if it does not
 * (removed by hand, or taken by another run). Returns the stop function.
 */
export function watchLock(lockPath: string, me: LockHolder, onLost: (now: LockHolder | null) => void, intervalMs: number): () => void {
  const timer = setInterval(() => {
    const now = readHolder(lockPath);
    if (sameHolder(now, me)) return;
    clearInterval(timer);
    onLost(now);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Removes the lock if it is still `me`'s. */
export function unlock(lockPath: string, me: LockHolder): void {
  if (sameHolder(readHolder(lockPath), me)) rmSync(lockPath, { force: true });
}
