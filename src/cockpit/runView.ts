// The run as the cockpit draws it: a prompts × attempts grid of cells with per-row stats.
// Updates copy only the row that changed, so memoized rows of the matrix skip re-rendering.
import { isComplete } from '../verdict/scorecard.js';
import { percentile } from '../stats.js';
import type { RunState } from '../run/status-file.js';
import type { RunRecord, EngineEvent, LaneScorecard, PlannedPrompt } from '../types.js';
import type { CellStatus } from './glyphs.js';
import { PROBE_ETA_S } from '../telemetry/probe.js';

export type { RunState };

export interface Cell {
  status: CellStatus;
  record?: RunRecord;
}

export interface RowStats {
  /** Graded attempts (lane errors are not the model's and do not count). */
  runs: number;
  passCount: number;
  /** max(pass, runs − pass) / runs (DESIGN §6); null before the first graded attempt. */
  agreement: number | null;
  /** Median attempt wall, seconds. */
  p50: number | null;
}

export interface RunView {
  runId: string;
  lane: string;
  suite: string;
  /** The harness driving a task run; null for a prompt run (brainbench's own loop). */
  harness: string | null;
  n: number;
  parallel: number;
  simulated: boolean;
  prompts: PlannedPrompt[];
  /** cells[row][attempt − 1]; a skipped prompt's row is empty. */
  cells: Cell[][];
  stats: RowStats[];
  rowOf: ReadonlyMap<string, number>;
  total: number;
  /** Graded attempts finished (lane errors excluded: they are retried). */
  done: number;
  running: number;
  /** ms since epoch. */
  startedAt: number;
  pausedReason: string | null;
  ended: { scorecard: LaneScorecard; scorecardPath: string; summaryPath: string; at: number } | null;
  /** The user asked to stop it (x): an end without completeness counts as stopped. */
  stopRequested: boolean;
  /**
   * How the run as a whole ended, once it has: the state its process declared at the end (a
   * run.state event: done, or stopped with the error that ended it), or died when its process
   * went away without saying so. The same word `brainbench status` shows.
   */
  final: { state: RunState; reason: string | null; at: number } | null;
  /** Sum and count of graded attempt walls, for the ETA. */
  wallSum: number;
  wallCount: number;
  /**
   * A task run's (lane, harness) cells before this one, in run order: the run announces each cell
   * as its own run.start, and the lanes × harnesses summary and the one run clock span them all.
   */
  cellsBefore: CellSummary[];
}

/** One (lane, harness) cell of a task run, as the lanes × harnesses summary shows it. */
export interface CellSummary {
  lane: string;
  harness: string;
  passes: number;
  /** Trials with a graded outcome (lane errors are retried, not graded). */
  graded: number;
  planned: number;
}

type RunStart = Extract<EngineEvent, { type: 'run.start' }>;

const isGraded = (status: CellStatus) => status !== 'pending' && status !== 'running' && status !== 'lane_error';

export function rowStats(cells: readonly Cell[]): RowStats {
  let passCount = 0;
  const walls: number[] = [];
  for (const cell of cells) {
    if (!isGraded(cell.status) || !cell.record) continue;
    walls.push(cell.record.wall_s);
    if (cell.status === 'pass') passCount++;
  }
  const runs = walls.length;
  return {
    runs,
    passCount,
    agreement: runs ? Math.max(passCount, runs - passCount) / runs : null,
    p50: percentile(walls, 50),
  };
}

export function createRunView(event: RunStart): RunView {
  const rowOf = new Map(event.prompts.map((p, i) => [p.id, i]));
  const cells = event.prompts.map((p) =>
    p.skipped ? [] : Array.from({ length: event.n }, (): Cell => ({ status: 'pending' })),
  );
  let done = 0;
  let wallSum = 0;
  let wallCount = 0;
  for (const record of event.done) {
    const row = rowOf.get(record.prompt_id);
    if (row === undefined || event.prompts[row]!.skipped || record.attempt < 1) continue;
    const rowCells = cells[row]!;
    while (rowCells.length < record.attempt) rowCells.push({ status: 'pending' });
    rowCells[record.attempt - 1] = { status: record.outcome, record };
    if (record.outcome !== 'lane_error') {
      done++;
      wallSum += record.wall_s;
      wallCount++;
    }
  }
  return {
    runId: event.runId,
    lane: event.lane,
    suite: event.suite,
    harness: event.harness ?? null,
    n: event.n,
    parallel: Math.max(1, event.parallel),
    simulated: event.simulated,
    prompts: event.prompts,
    cells,
    stats: cells.map(rowStats),
    rowOf,
    total: event.total,
    done,
    running: 0,
    startedAt: Date.parse(event.startedAt) || Date.now(),
    pausedReason: null,
    ended: null,
    stopRequested: false,
    final: null,
    wallSum,
    wallCount,
    cellsBefore: [],
  };
}

/** The cell a run view shows now; null for a prompt run. */
export function cellSummary(run: RunView): CellSummary | null {
  if (run.harness === null) return null;
  const passes = run.stats.reduce((sum, s) => sum + s.passCount, 0);
  return { lane: run.lane, harness: run.harness, passes, graded: run.done, planned: run.total };
}

/** Every cell of a task run so far, the current one last; [] for a prompt run. */
export function runCells(run: RunView | null): CellSummary[] {
  const now = run && cellSummary(run);
  return now ? [...run.cellsBefore.filter((c) => c.lane !== now.lane || c.harness !== now.harness), now] : [];
}

/**
 * The view for a new run.start: the next cell of the same run keeps the cells before it and the
 * run's first start (one clock for the whole run); another run starts afresh.
 */
export function continueRun(previous: RunView | null, next: RunView): RunView {
  if (!previous || previous.runId !== next.runId) return next;
  return { ...next, startedAt: Math.min(previous.startedAt, next.startedAt), cellsBefore: runCells(previous).filter((c) => c.lane !== next.lane || c.harness !== next.harness) };
}

/**
 * Replaces one cell and keeps the counters right. Returns the same run when the prompt is
 * unknown or skipped; otherwise a run whose `cells`/`stats` share every other row.
 */
export function updateCell(run: RunView, promptId: string, attempt: number, next: (cell: Cell) => Cell): RunView {
  const row = run.rowOf.get(promptId);
  if (row === undefined || run.prompts[row]!.skipped || attempt < 1) return run;
  const rowCells = run.cells[row]!.slice();
  while (rowCells.length < attempt) rowCells.push({ status: 'pending' });
  const before = rowCells[attempt - 1]!;
  const after = next(before);
  if (after === before) return run;
  rowCells[attempt - 1] = after;

  const cells = run.cells.slice();
  cells[row] = rowCells;
  const counters = { done: run.done, running: run.running, wallSum: run.wallSum, wallCount: run.wallCount };
  const countIn = (cell: Cell, sign: 1 | -1) => {
    if (cell.status === 'running') counters.running += sign;
    if (isGraded(cell.status)) {
      counters.done += sign;
      counters.wallSum += sign * (cell.record?.wall_s ?? 0);
      counters.wallCount += sign;
    }
  };
  countIn(before, -1);
  countIn(after, 1);

  // Only a change of outcome or record moves the row's stats; tok/s updates keep them.
  let stats = run.stats;
  if (before.status !== after.status || before.record !== after.record) {
    stats = run.stats.slice();
    stats[row] = rowStats(rowCells);
  }
  return { ...run, cells, stats, ...counters };
}

/** Seconds left: mean graded attempt wall × attempts remaining ÷ parallel; null before any. */
export function etaSeconds(run: RunView): number | null {
  // nothing left of a done run; a stopped or died one has no time to come until it is resumed
  if (run.ended || run.final) return runState(run) === 'done' ? 0 : null;
  if (run.wallCount === 0) return null;
  const remaining = Math.max(0, run.total - run.done);
  // a prompt suite ends with the throughput probe, a serial phase of its own
  return ((run.wallSum / run.wallCount) * remaining) / run.parallel + (run.harness === null ? PROBE_ETA_S : 0);
}

/** Seconds since the run started (frozen at the end of the run). */
export function elapsedSeconds(startedAt: number, endedAt: number | null, nowMs: number): number {
  return Math.max(0, ((endedAt ?? nowMs) - startedAt) / 1000);
}

export const isRunActive = (run: RunView | null): boolean => run !== null && run.ended === null && run.final === null;

/** The run's state; null without a run. */
export function runState(run: RunView | null): RunState | null {
  if (!run) return null;
  if (run.final) return run.final.state;
  if (run.ended) {
    const card = run.ended.scorecard;
    // a scorecard without completeness (older engines) is complete unless the user stopped it
    return (card.completeness ? isComplete(card) : !run.stopRequested) ? 'done' : 'stopped';
  }
  return run.pausedReason ? 'paused' : 'running';
}

/** Attempts done and planned of a run's partial scorecard; null for a complete one or none. */
export function partialMark(card: LaneScorecard | null): { done: number; planned: number } | null {
  if (!card?.completeness || isComplete(card)) return null;
  return { done: card.completeness.attempts_done, planned: card.completeness.attempts_planned };
}

/** When the run stopped advancing (ended, or died); null while it is live. */
export const runEndedAt = (run: RunView | null): number | null => run?.ended?.at ?? run?.final?.at ?? null;

export const RUN_STATE_COLOR: Record<RunState, string> = {
  running: 'cyan',
  paused: 'yellow',
  stopped: 'yellow',
  done: 'green',
  died: 'red',
};
