// A lease on a lane (DESIGN §15): while a run uses a lane, another brainbench's swap or stop
// says who holds it and refuses unless forced. One pid lock per lane under <state dir>/leases;
// the lease belongs to the run's process for as long as it exists (see os/pid-lock).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { currentHolder, holderAlive, readHolder, tryLock, unlock, type LockHolder } from '../os/pid-lock.js';
import { safeFileName } from '../safeText.js';

/** The same process (a run restarting its own lane, or the cockpit driving its own run). */
const isMe = (holder: LockHolder) => holder.pid === process.pid && holder.host === currentHolder('').host;

export class LaneLeases {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'leases');
  }

  private path(lane: string): string {
    return join(this.dir, `${safeFileName(lane)}.lock`);
  }

  /** The live holder of `lane`'s lease other than this process; null when free or ours. */
  otherHolder(lane: string): LockHolder | null {
    const holder = readHolder(this.path(lane));
    return holder && holderAlive(holder) && !isMe(holder) ? holder : null;
  }

  /** Takes `lane`'s lease for `runId`; `force` takes it over from another live holder. */
  take(lane: string, runId: string, force = false): void {
    mkdirSync(this.dir, { recursive: true });
    const path = this.path(lane);
    const me = currentHolder(runId);
    const holder = tryLock(path, me);
    if (holder === null || (!isMe(holder) && !force)) return;
    // ours under another run id, or taken over by force: replace it
    unlock(path, holder);
    tryLock(path, me);
  }

  /** Gives `lane`'s lease back if this process holds it. */
  release(lane: string): void {
    const holder = readHolder(this.path(lane));
    if (holder && isMe(holder)) unlock(this.path(lane), holder);
  }
}

/** "run R (pid P)" for a refusal. */
export function describeHolder(holder: LockHolder): string {
  return `run ${holder.runId} (pid ${holder.pid}${holder.host === currentHolder('').host ? '' : ` on ${holder.host}`})`;
}
