import type { LaneScorecard } from '../types.js';

/** What `r` asks for beyond the cockpit's run settings. */
export interface StartRunOptions {
  /** Task suites: the harness ids picked in the `h` menu (default: builtin). */
  harnesses?: string[];
}

/**
 * What the cockpit asks of the engine. The cockpit never starts lanes or runs by itself: every
 * key that changes the world goes through this interface, and the engine reports back through
 * EngineEvents fed to the store. A rejected promise is shown on the status line.
 */
export interface CockpitController {
  /** Stop the resident lane, start `id`. When a run is active the UI asks first (swapDuringRun). */
  swapLane(id: string): Promise<void>;
  /** Run the suite on the resident lane (a task suite under each of `harnesses`, in order). */
  startRun(options?: StartRunOptions): Promise<void>;
  pauseRun(): void;
  resumeRun(): void;
  stopRun(): Promise<void>;
  /** During a run: 'move' = pause, swap, resume the run on the new lane; 'stop' = stop the run, then swap. */
  swapDuringRun(id: string, choice: 'move' | 'stop'): Promise<void>;
  /** Scorecards of every lane with results (the cockpit ranks them). */
  loadLeaderboard(): Promise<LaneScorecard[]>;
  /** The attempt's transcript JSON text. */
  readTranscript(path: string): Promise<string>;
  /** Stops what the cockpit started (never a detached run). */
  quit(): Promise<void>;
  /** A queue run only: the lane due next moves to the end of the queue; returns the new order. */
  deferNextLane?(): Promise<string[]>;
}
