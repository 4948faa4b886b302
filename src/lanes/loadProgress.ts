// Load progress (issue 16 §6): while a lane is starting, a throttled `lane.loading` event with the
// last line of its log and an ETA from that lane's earlier load times.
import type { EventBus } from '../events.js';
import { oneLine } from '../safeText.js';

/** Earlier loads that count toward the estimate (the newest ones). */
export const LOAD_HISTORY = 5;
/** How often a starting lane reports its progress. */
export const PROGRESS_EVERY_MS = 1000;
const TAIL_CHARS = 160;

export interface LoadEstimate {
  /** Median of the lane's earlier load times (s); null on a first load. */
  expectedS: number | null;
  /** expectedS minus the time spent so far, never below 0; null on a first load. */
  remainingS: number | null;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function loadEstimate(history: readonly number[], elapsedS: number): LoadEstimate {
  const recent = history.slice(-LOAD_HISTORY);
  if (recent.length === 0) return { expectedS: null, remainingS: null };
  const expectedS = median(recent);
  return { expectedS, remainingS: Math.max(0, expectedS - elapsedS) };
}

/** The last non-empty line of a log tail, on one line and cut to a readable length. */
export function lastLogLine(tail: string): string {
  const line = tail.split('\n').reverse().find((l) => l.trim() !== '') ?? '';
  const clean = oneLine(line).trim();
  return clean.length > TAIL_CHARS ? `${clean.slice(0, TAIL_CHARS - 1)}…` : clean;
}

export interface LoadProgressOptions {
  lane: string;
  bus: EventBus;
  /** The lane's earlier load times (s), oldest first. */
  history: readonly number[];
  /** The lane's output so far (its log tail). */
  readTail: () => Promise<string>;
  /** ms; injectable for tests. */
  now?: () => number;
  everyMs?: number;
}

export interface LoadProgress {
  /** Reads the log and emits one progress event (what the timer calls). */
  tick(): Promise<void>;
  /** Seconds since the load began. */
  elapsedS(): number;
  stop(): void;
}

/** Starts reporting; call stop() when the lane is ready or failed. */
export function startLoadProgress(opts: LoadProgressOptions): LoadProgress {
  const now = opts.now ?? Date.now;
  const started = now();
  let stopped = false;
  let busy = false;
  const elapsedS = () => (now() - started) / 1000;
  const tick = async () => {
    if (stopped || busy) return; // a slow log read never piles up reads
    busy = true;
    try {
      const tail = lastLogLine(await opts.readTail().catch(() => ''));
      if (stopped) return;
      const elapsed = elapsedS();
      opts.bus.emit({ type: 'lane.loading', lane: opts.lane, elapsedS: elapsed, ...loadEstimate(opts.history, elapsed), tail });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.everyMs ?? PROGRESS_EVERY_MS);
  timer.unref();
  return {
    tick,
    elapsedS,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
