// One host uid per live sandbox when brainbench runs as root. RLIMIT_NPROC and the kernel's
// per-user accounting count every process of a uid on the box, so sandboxes that shared one uid
// could starve each other (one attempt's fork bomb failing a parallel attempt).
//
// The range 1_900_000_000 … +4095 lies in the block systemd documents as unused (1879048192 …
// 2147483647, above the container ranges), so no login, service or container user owns it.
// A lease is a file named after the uid holding the holder's pid, so two brainbench processes on
// one box never hand out the same uid; a lease left by a dead process is taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultStateDir } from '../lanes/userDirs.js';
import { defaultScratchParent } from '../run/scratch-root.js';

export const SLOT_UID_BASE = 1_900_000_000;
export const SLOT_UID_COUNT = 4096;

/**
 * Root-only, outside any sandbox's view (its /dev/shm is its own), and the same for every
 * brainbench process on the box: beside the default scratch roots, /dev/shm/brainbench-0 — never a
 * per-run or per-test override (BRAINBENCH_SCRATCH_DIR, BRAINBENCH_STATE_DIR), which two processes
 * need not share. Without /dev/shm, root's own state dir.
 */
const leaseDir = join(defaultScratchParent() ?? defaultStateDir({}), 'uid-leases');
const held = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLease(uid: number): boolean {
  const file = join(leaseDir, String(uid));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8'));
      if (holder > 0 && alive(holder)) return false;
      rmSync(file, { force: true }); // the holder died: the uid is free again
    }
  }
  return false;
}

let cleanupInstalled = false;

/** A uid no other live sandbox on this box holds; give it back with releaseUid. */
export function leaseUid(): number {
  // the parent keeps its usual mode: the sandbox's uid passes through it to the scratch roots
  mkdirSync(dirname(leaseDir), { recursive: true });
  mkdirSync(leaseDir, { recursive: true, mode: 0o700 });
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.once('exit', () => {
      for (const uid of held) rmSync(join(leaseDir, String(uid)), { force: true });
    });
  }
  for (let i = 0; i < SLOT_UID_COUNT; i++) {
    const uid = SLOT_UID_BASE + i;
    if (held.has(uid)) continue;
    if (tryLease(uid)) {
      held.add(uid);
      return uid;
    }
  }
  throw new Error(`no free sandbox uid in ${SLOT_UID_BASE}…${SLOT_UID_BASE + SLOT_UID_COUNT - 1}`);
}

export function releaseUid(uid: number): void {
  if (!held.delete(uid)) return;
  rmSync(join(leaseDir, String(uid)), { force: true });
}
