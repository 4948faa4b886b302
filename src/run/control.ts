/**
 * Pause / resume / stop for a run in progress. The runner awaits `gate()` before it starts each
 * attempt, so a pause lets the attempts in flight finish and starts no new ones.
 */
export class RunControl {
  private pausedReason: string | null = null;
  private resumeWaiters: Array<() => void> = [];
  private stopReason: string | null = null;

  get paused(): string | null {
    return this.pausedReason;
  }

  get stopped(): string | null {
    return this.stopReason;
  }

  pause(reason = 'paused by the user'): void {
    if (!this.stopReason) this.pausedReason = reason;
  }

  resume(): void {
    this.pausedReason = null;
    for (const wake of this.resumeWaiters.splice(0)) wake();
  }

  stop(reason = 'stopped by the user'): void {
    this.stopReason = reason;
    this.resume();
  }

  /** Resolves when attempts may start; returns false when the run was stopped. */
  async gate(): Promise<boolean> {
    while (this.pausedReason && !this.stopReason) {
      await new Promise<void>((wake) => this.resumeWaiters.push(wake));
    }
    return !this.stopReason;
  }
}
