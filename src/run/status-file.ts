import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { PROBE_ETA_S } from '../telemetry/probe.js';
import type { EngineEvent, LaneState, RunState } from '../types.js';

export type { RunState } from '../types.js';

/** One screen of a run's progress, kept in runs/<id>/status.json by the process running it. */
export interface RunStatus {
  runId: string;
  pid: number;
  state: RunState;
  queue: string[];
  lane: string | null;
  laneState: LaneState | null;
  /** Attempts of the current lane: finished (graded or lane_error) and planned. */
  done: number;
  total: number;
  passes: number;
  /** Seconds, from the mean attempt time of this session (and the probe that ends a prompt suite). */
  etaS: number | null;
  /** The lane's live decode rate (lane.rate); null while nothing decodes. Absent in older files. */
  tokPerSec?: number | null;
  lanesDone: string[];
  /** Each lane of the queue now in error (it failed to start, or crashed), with its own reason. Absent in older files. */
  laneErrors?: Record<string, string>;
  lastError: string | null;
  startedAt: string;
  updatedAt: string;
}

export function statusPath(runDir: string): string {
  return join(runDir, 'status.json');
}

/** The names older versions wrote. */
const LEGACY_STATE: Record<string, RunState> = { finished: 'done', failed: 'stopped' };

export async function readStatus(runDir: string): Promise<RunStatus | null> {
  try {
    const status = JSON.parse(await readFile(statusPath(runDir), 'utf8')) as RunStatus;
    return { ...status, state: LEGACY_STATE[status.state] ?? status.state };
  } catch {
    return null;
  }
}

/** Is the process that wrote a status still alive? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The state to show for a run's status.json: what it says, except that a run still marked running
 * or paused whose process is gone died (it never wrote its final state). A run that ended with an
 * error wrote `stopped` (its journal is whole; the error is its last error). `alive` defaults to
 * asking the system about status.pid.
 */
export function runStateOf(status: Pick<RunStatus, 'state' | 'pid'>, alive = isAlive(status.pid)): RunState {
  return (status.state === 'running' || status.state === 'paused') && !alive ? 'died' : status.state;
}

type StatusEvent<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

/** The counters status.json keeps, and how each event moves them. */
class StatusTracker {
  private sessionAttempts = 0;
  private sessionStartMs = Date.now();
  /** The lane whose cells (harnesses) are being counted together (run.start's laneTotal). */
  private countedLane: string | null = null;
  private probeS = 0;

  constructor(private readonly status: RunStatus) {}

  runStart(event: StatusEvent<'run.start'>) {
    const done = event.done.filter((r) => r.outcome !== 'lane_error').length;
    const passes = event.done.filter((r) => r.outcome === 'pass').length;
    // a lane's later cell carries on the lane's count; its first cell, or a new lane, starts it
    if (event.laneTotal !== undefined && this.countedLane === event.lane) {
      this.status.done += done;
      this.status.passes += passes;
    } else {
      Object.assign(this.status, { lane: event.lane, total: event.laneTotal ?? event.total, done, passes });
      this.sessionAttempts = 0;
      this.sessionStartMs = Date.now();
    }
    this.countedLane = event.laneTotal !== undefined ? event.lane : null;
    this.probeS = event.harness === undefined ? PROBE_ETA_S : 0;
    this.status.state = 'running';
  }

  attemptEnd({ record: r }: StatusEvent<'attempt.end'>) {
    if (r.outcome !== 'lane_error') this.status.done++;
    if (r.outcome === 'pass') this.status.passes++;
    if (r.outcome === 'lane_error') this.status.lastError = `${r.prompt_id} #${r.attempt}: ${r.error ?? r.why}`;
    this.sessionAttempts++;
    const perAttempt = (Date.now() - this.sessionStartMs) / 1000 / this.sessionAttempts;
    this.status.etaS = Math.round(perAttempt * Math.max(0, this.status.total - this.status.done) + this.probeS);
  }

  /** Moves the counters for one event; when status.json is due a write (null: not at all). */
  apply(event: EngineEvent): 'now' | 'soon' | null {
    switch (event.type) {
      case 'run.start':
        this.runStart(event);
        return 'now';
      case 'attempt.end':
        this.attemptEnd(event);
        return 'soon';
      case 'lane.state':
        this.laneState(event);
        return 'now';
      case 'run.paused':
        if (event.user) this.status.state = 'paused';
        else this.status.lastError = event.reason;
        return 'now';
      case 'run.resumed':
        this.status.state = 'running';
        return 'now';
      case 'run.end':
      case 'cell.end':
        this.laneEnd(event);
        return 'now';
      case 'lane.rate':
        if (event.lane !== this.status.lane) return null;
        this.status.tokPerSec = event.tokPerSec;
        return 'soon';
      case 'log':
        if (event.level === 'error') this.status.lastError = event.message;
        return null;
      case 'run.state':
        this.status.state = event.state;
        if (event.reason) this.status.lastError = event.reason;
        return 'now';
      default:
        return null;
    }
  }

  /** A lane stopped part-way is not done: the queue shows it unticked, for --resume. */
  laneEnd(event: StatusEvent<'run.end' | 'cell.end'>) {
    const complete = event.scorecard.completeness?.complete !== false;
    if (complete && (event.type === 'run.end' || event.laneDone)) this.status.lanesDone.push(event.lane);
    if (event.type === 'run.end') this.status.etaS = 0;
  }

  laneState(event: StatusEvent<'lane.state'>) {
    if (event.lane === this.status.lane || this.status.lane === null) {
      this.status.lane = event.lane;
      this.status.laneState = event.state;
    }
    if (event.state === 'crashed' || event.state === 'error') {
      this.status.lastError = `lane ${event.lane}: ${event.detail ?? event.state}`;
      // every failed lane keeps its own reason: a queue moves on, and the last error is only the newest
      this.status.laneErrors = { ...this.status.laneErrors, [event.lane]: event.detail ?? event.state };
    } else if (event.state === 'ready' && this.status.laneErrors?.[event.lane] !== undefined) {
      this.status.laneErrors = Object.fromEntries(Object.entries(this.status.laneErrors).filter(([id]) => id !== event.lane));
    }
  }

}

/**
 * Keeps status.json current from the event stream: written at most once a second, and at once
 * on lane changes and at the end (the run.state event that superviseQueue ends a run with).
 */
export function createStatusWriter(runDir: string, runId: string, queue: string[]) {
  const now = new Date().toISOString();
  const status: RunStatus = {
    runId, pid: process.pid, state: 'running', queue, lane: null, laneState: null, done: 0, total: 0, passes: 0, etaS: null, lanesDone: [], laneErrors: {}, lastError: null, startedAt: now, updatedAt: now,
  };
  const track = new StatusTracker(status);
  let lastWriteMs = 0;
  let writing: Promise<void> = Promise.resolve();

  const write = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastWriteMs < 1000) return;
    lastWriteMs = now;
    status.updatedAt = new Date(now).toISOString();
    const text = `${JSON.stringify(status, null, 2)}\n`;
    writing = writing.then(() => writeFileAtomic(statusPath(runDir), text)).catch(() => undefined);
  };

  // a finished attempt may wait for the once-a-second write; anything else is written at once
  const listener = (event: EngineEvent) => {
    const when = track.apply(event);
    if (when) write(when === 'now');
  };

  return {
    listener,
    setQueue(queue: string[]) {
      status.queue = queue;
      write(true);
    },
    /** The lane the queue moves on to: its state is unknown until the lane reports. */
    setLane(lane: string) {
      if (status.lane === lane) return;
      status.lane = lane;
      status.laneState = null;
      write(true);
    },
    async flush() {
      write(true);
      await writing;
    },
    /** For process exit, when nothing asynchronous runs any more: writes `state` at once. */
    writeNow(state: RunState) {
      status.state = state;
      status.updatedAt = new Date().toISOString();
      try {
        writeFileAtomic.sync(statusPath(runDir), `${JSON.stringify(status, null, 2)}\n`);
      } catch {
        // the process is leaving; status then reads as died, which is still true enough
      }
    },
  };
}
