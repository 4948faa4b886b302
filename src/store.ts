// The one store the engine feeds (through `apply`) and the cockpit reads. Vanilla zustand, so
// the engine and tests use it without React; components read it with `useStore` and narrow
// selectors.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { attemptLogLine } from './cockpit/eventLog.js';
import { laneStateRepeats } from './lanes/state-repeats.js';
import { partialLabel } from './verdict/scorecard.js';
import { taskCardLines } from './verdict/task-scorecard.js';
import { oneLine } from './safeText.js';
import { harnessActions, type HarnessOption } from './cockpit/harnesses.js';
import { continueRun, createRunView, isRunActive, runState, updateCell, type RunState, type RunView } from './cockpit/runView.js';
import type { RunRecord, EngineEvent, LaneKind, LaneScorecard, LaneState, ProbeResult, TelemetrySample } from './types.js';

export type { Cell, RowStats, RunState, RunView } from './cockpit/runView.js';

export interface LaneEntry {
  id: string;
  kind: LaneKind;
  port: number | null;
  state: LaneState;
  detail?: string;
  /** While starting: the load's progress (lane.loading). */
  loading?: LoadingView;
  /** GB a stop of this lane did not give back (lane.memory); gone once a later stop gives memory back. */
  heldGb?: number;
}

export interface LiveRate {
  lane: string;
  tokPerSec: number | null;
  source: 'progress' | 'metrics';
}

export interface LoadingView {
  elapsedS: number;
  /** The lane's usual load time; null on a first load. */
  expectedS: number | null;
  tail: string;
}

/** What the body shows and who gets the keys (STYLE.md: overlays named in one union). */
export type View = 'matrix' | 'detail' | 'leaderboard' | 'help' | 'menu' | 'harnesses' | 'confirm' | 'error';
/** The view, or the notice that the terminal is too small, which overrides every view. */
export type Overlay = View | 'too-small';

/** The smallest terminal the cockpit draws in. */
export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  at: number;
  /** Numbers the store's lines in order: a stable key, so drawn rows stay put as the log scrolls. */
  seq: number;
}

export interface DetailState {
  promptId: string;
  attempt: number;
  record: RunRecord;
  /** The transcript text once read; null while loading. */
  transcript: string | null;
  error: string | null;
  scroll: number;
}

export interface LeaderboardState {
  /** null while loading. */
  cards: LaneScorecard[] | null;
  error: string | null;
  scroll: number;
  /** What the leaderboard draws: the rank table (when unset), the frontier, or the heatmap. */
  mode?: LeaderboardMode;
}

export const LEADERBOARD_MODES = ['table', 'frontier', 'heatmap'] as const;
export type LeaderboardMode = (typeof LEADERBOARD_MODES)[number];

/** Sizes the components measured, so key actions can keep the cursor and scroll in view. */
export interface Viewport {
  matrixRows: number;
  detailRows: number;
  detailLines: number;
  leaderboardRows: number;
  leaderboardLines: number;
  errorRows: number;
  errorLines: number;
}

/** Bounds of the rings the store keeps. */
export const TELEMETRY_RING = 120;
export const LOG_RING = 200;

export interface CockpitData {
  lanes: LaneEntry[];
  /** The lane that is up (or coming up, or crashed): what the header shows. */
  resident: string | null;
  /** Suite and N the next run will use (a run's own values win while it exists). */
  suite: string | null;
  n: number | null;
  run: RunView | null;
  telemetry: TelemetrySample[];
  latest: TelemetrySample | null;
  probe: { lane: string; result: ProbeResult } | null;
  /** The engine's live decode rate (lane.rate, telemetry/rate.ts): what the tok/s gauge shows (tokRate.ts). */
  liveRate: LiveRate | null;
  /** The store's clock (ms since epoch): event times, the run clock. */
  clock: () => number;
  /** The event log, newest last. */
  logs: LogLine[];
  /** The newest warning or error: `e` shows it in full. */
  lastError: LogLine | null;
  /** Feedback to the last key pressed, on the status line until the next key. */
  notice: LogLine | null;
  /** The run this cockpit watches without owning it (--attach); null when it runs things itself. */
  attached: string | null;
  terminal: { columns: number; rows: number };
  view: View;
  cursor: { row: number; col: number };
  /** First matrix row shown. */
  scroll: number;
  /** Keep the newest started attempt in view until the user moves the cursor. */
  follow: boolean;
  viewport: Viewport;
  menuIndex: number;
  /** Harnesses a task run can name (empty for a prompt suite), the pick `r` runs, the `h` menu's cursor. */
  harnessOptions: HarnessOption[];
  harnessPick: string[];
  harnessIndex: number;
  pendingSwap: string | null;
  detail: DetailState | null;
  leaderboard: LeaderboardState | null;
  errorScroll: number;
  quitting: boolean;
}

export interface CockpitActions {
  /** The single reducer of engine events. */
  apply(event: EngineEvent): void;
  log(level: LogLine['level'], message: string): void;
  /** A log line that is also the answer to the key just pressed (status line). */
  notify(level: LogLine['level'], message: string): void;
  clearNotice(): void;
  moveCursor(dRow: number, dCol: number): void;
  setFollow(follow: boolean): void;
  setViewport(viewport: Partial<Viewport>): void;
  /** Opens the attempt under the cursor; returns its transcript path, or null when it has no record. */
  openDetail(): string | null;
  setTranscript(path: string, result: { text: string } | { error: string }): void;
  scrollDetail(delta: number): void;
  back(): void;
  openMenu(): void;
  moveMenu(delta: number): void;
  openHarnessMenu(): void;
  moveHarnessMenu(delta: number): void;
  /** Picks or drops the harness under the cursor (never the last one, never one not installed). */
  toggleHarness(): void;
  openHelp(): void;
  /** null cards: loading. */
  openLeaderboard(cards: LaneScorecard[] | null, error?: string): void;
  scrollLeaderboard(delta: number): void;
  /** table → frontier → heatmap → table; the scroll starts over. */
  cycleLeaderboardMode(): void;
  /** Asks to confirm swapping to `id` while a run is active. */
  requestSwap(id: string): void;
  /** Closes the confirm; returns what to do ({ id, choice }) or null on cancel. */
  confirmSwap(choice: 'move' | 'stop' | 'cancel'): { id: string; choice: 'move' | 'stop' } | null;
  setPaused(reason: string | null): void;
  /** The user asked the run to stop. */
  requestStop(): void;
  /** The run's process went away without declaring how it ended (no run.state will come). */
  markDied(reason: string): void;
  /** Opens the last error in full (or says there is none). */
  openError(): void;
  scrollError(delta: number): void;
  setTerminal(columns: number, rows: number): void;
  setAttached(runId: string): void;
  setQuitting(quitting: boolean): void;
}

export type CockpitState = CockpitData & CockpitActions;
export type CockpitStore = StoreApi<CockpitState>;

const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));

export { liveTokPerSec } from './cockpit/tokRate.js';

/** Who owns the screen and the keys now. */
export function activeOverlay(s: Pick<CockpitData, 'view' | 'terminal'>): Overlay {
  return s.terminal.columns < MIN_COLUMNS || s.terminal.rows < MIN_ROWS ? 'too-small' : s.view;
}

/** The first row to show so that `row` is inside a window of `visible` rows. */
export function scrollToShow(scroll: number, row: number, visible: number): number {
  if (row < scroll) return row;
  if (row >= scroll + visible) return row - Math.max(1, visible) + 1;
  return scroll;
}

function without(lane: LaneEntry, key: 'loading' | 'heldGb'): LaneEntry {
  const copy = { ...lane };
  delete copy[key];
  return copy;
}

/** The progress of a lane that is still starting (a late report after ready is dropped). */
function laneLoadingUpdate(s: CockpitData, e: Extract<EngineEvent, { type: 'lane.loading' }>): Partial<CockpitData> {
  const loading: LoadingView = { elapsedS: e.elapsedS, expectedS: e.expectedS, tail: oneLine(e.tail) };
  if (!s.lanes.some((l) => l.id === e.lane && l.state === 'starting')) return {};
  return { lanes: s.lanes.map((lane) => (lane.id === e.lane ? { ...lane, loading } : lane)) };
}

/** Memory held after a stop belongs to the box: a later stop that gave memory back clears every mark. */
function laneMemoryUpdate(s: CockpitData, e: Extract<EngineEvent, { type: 'lane.memory' }>): Partial<CockpitData> {
  return { lanes: s.lanes.map((lane) => (lane.id === e.lane && e.heldGb > 0 ? { ...lane, heldGb: e.heldGb } : without(lane, 'heldGb'))) };
}

function laneStateUpdate(s: CockpitData, e: Extract<EngineEvent, { type: 'lane.state' }>): Partial<CockpitData> {
  const lanes = s.lanes.map((lane) =>
    lane.id === e.lane
      ? { ...without(lane, 'loading'), state: e.state, port: e.port ?? lane.port, detail: e.detail }
      : lane,
  );
  let resident = s.resident;
  if (e.state === 'starting' || e.state === 'ready' || e.state === 'stopping') resident = e.lane;
  else if (e.state === 'stopped' && resident === e.lane) resident = null;
  // crashed / error keep the lane resident so the header shows what happened to it
  return { lanes, resident };
}

export interface StoreInit {
  lanes?: LaneEntry[];
  n?: number;
  suite?: string;
  harnesses?: HarnessOption[];
  harnessPick?: string[];
  /** ms since epoch; tests pass a fake clock. */
  clock?: () => number;
}

// ---------------------------------------------------------------------------------------------
// Engine events: one named reducer per event type, grouped by family (run, attempt, lane, rest).

/** What the reducers need from the store that holds them. */
interface ReduceContext {
  clock: () => number;
  /** The log with one more line, and the last error when it is one. */
  withLog(s: CockpitData, level: LogLine['level'], message: string): Pick<CockpitData, 'logs' | 'lastError'>;
  /** A lane.state that says nothing new (lanes/state-repeats.ts). */
  isRepeat(e: Extract<EngineEvent, { type: 'lane.state' }>): boolean;
}

type EventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;
type Reducers = { [T in EngineEvent['type']]: (s: CockpitData, e: EventOf<T>, ctx: ReduceContext) => Partial<CockpitData> };

/**
 * The run's final state: what its process declared at its end (run.state), or died when the
 * process went away without doing so. An error that ended it is logged with how to go on.
 */
function finalState(s: CockpitData, state: RunState, reason: string | null, ctx: ReduceContext): Partial<CockpitData> {
  if (!s.run || s.run.final || state === 'running' || state === 'paused') return {};
  const run: RunView = { ...s.run, final: { state, reason, at: ctx.clock() }, pausedReason: null, running: 0 };
  if (!reason) return { run, liveRate: null };
  const hint = `; brainbench run --resume ${run.runId} carries it on`;
  return { run, liveRate: null, ...ctx.withLog(s, 'error', `run ${run.runId} ${state}: ${reason}${hint}`) };
}

const runReducers: Pick<Reducers, 'run.start' | 'run.paused' | 'run.resumed' | 'run.end' | 'cell.end' | 'run.state'> = {
  'run.start': (s, e, ctx) => {
    // the next (lane, harness) cell of a task run keeps the run's clock and the cells before it
    const run = continueRun(s.run, createRunView(e));
    return {
      run,
      suite: e.suite,
      n: e.n,
      liveRate: null,
      notice: null, // feedback about the previous run
      cursor: { row: 0, col: 0 },
      scroll: 0,
      follow: true,
      ...ctx.withLog(s, 'info', `run ${e.runId} on ${e.lane}${e.harness ? ` · harness ${e.harness}` : ''}${e.simulated ? ' (simulated)' : ''}: ${e.total} ${e.harness ? 'trials' : 'attempts'}${run.done ? `, ${run.done} already done` : ''}`),
    };
  },
  'run.paused': (s, e, ctx) => ({
    run: s.run ? { ...s.run, pausedReason: e.reason } : null,
    ...ctx.withLog(s, e.user ? 'info' : 'warn', `paused: ${e.reason}`),
  }),
  'run.resumed': (s, _e, ctx) => ({ run: s.run?.pausedReason ? { ...s.run, pausedReason: null } : s.run, ...ctx.withLog(s, 'info', 'resumed') }),
  'run.end': (s, e, ctx) => {
    if (!s.run) return {};
    const c = e.scorecard;
    const run: RunView = { ...s.run, ended: { scorecard: c, scorecardPath: e.scorecardPath, summaryPath: e.summaryPath, at: ctx.clock() }, pausedReason: null, running: 0 };
    const partial = partialLabel(c);
    return {
      run,
      liveRate: null,
      notice: null, // "stopping run …" is over
      ...ctx.withLog(s, 'info', `run ${e.runId} ${runState(run)}: core ${c.core_pass}/${c.core_n}${partial ? ` · ${partial}` : ''} · ${e.scorecardPath}`),
    };
  },
  // one (lane, harness) of a task run is done; the run view goes on with the next cell
  'cell.end': (s, e, ctx) => ctx.withLog(s, 'info', taskCardLines(e.scorecard, e.scorecardPath).join(' · ')),
  // a run that failed before its first lane started has no view here
  'run.state': (s, e, ctx) => (s.run?.runId === e.runId ? finalState(s, e.state, e.reason ?? null, ctx) : {}),
};

const attemptReducers: Pick<Reducers, 'attempt.start' | 'attempt.progress' | 'attempt.end'> = {
  'attempt.start': (s, e) => {
    if (!s.run) return {};
    const run = updateCell(s.run, e.promptId, e.attempt, () => ({ status: 'running' }));
    const row = run.rowOf.get(e.promptId);
    const follow = s.follow && row !== undefined ? { scroll: scrollToShow(s.scroll, row, s.viewport.matrixRows) } : {};
    // A new attempt starting means the run is going again.
    return { run: run.pausedReason ? { ...run, pausedReason: null } : run, ...follow };
  },
  // the engine turns progress into lane.rate (telemetry/rate.ts); the store keeps that figure only
  'attempt.progress': () => ({}),
  'attempt.end': (s, e, ctx) => {
    if (!s.run) return {};
    const r = e.record;
    const run = updateCell(s.run, r.prompt_id, r.attempt, () => ({ status: r.outcome, record: r }));
    const line = attemptLogLine(r);
    return { run, ...ctx.withLog(s, line.level, line.message) };
  },
};

const laneReducers: Pick<Reducers, 'lane.state' | 'lane.loading' | 'lane.memory' | 'lane.rate'> = {
  'lane.state': (s, e, ctx) => {
    if (ctx.isRepeat(e)) return {};
    const trouble = e.state === 'crashed' || e.state === 'error' || e.state === 'foreign';
    const message = `${e.lane}: ${e.state}${e.port ? ` :${e.port}` : ''}${e.detail ? ` — ${e.detail}` : ''}`;
    return { ...laneStateUpdate(s, e), ...ctx.withLog(s, trouble ? 'warn' : 'info', message) };
  },
  'lane.loading': (s, e) => laneLoadingUpdate(s, e),
  // the event log already has the swap guard's warning with the numbers; this marks the lane bar
  'lane.memory': (s, e) => laneMemoryUpdate(s, e),
  'lane.rate': (_s, e) => ({ liveRate: { lane: e.lane, tokPerSec: e.tokPerSec, source: e.source } }),
};

const otherReducers: Pick<Reducers, 'telemetry' | 'probe' | 'log'> = {
  telemetry: (s, e) => {
    const ring = s.telemetry.length >= TELEMETRY_RING ? s.telemetry.slice(1) : s.telemetry.slice();
    ring.push(e.sample);
    return { telemetry: ring, latest: e.sample };
  },
  probe: (_s, e) => ({ probe: { lane: e.lane, result: e.result } }),
  log: (s, e, ctx) => ctx.withLog(s, e.level, e.message),
};

const REDUCERS: Reducers = { ...runReducers, ...attemptReducers, ...laneReducers, ...otherReducers };

/** The single reducer of engine events (an event type no reducer knows changes nothing). */
export function reduceEvent(s: CockpitData, e: EngineEvent, ctx: ReduceContext): Partial<CockpitData> {
  const reducer = REDUCERS[e.type] as ((s: CockpitData, e: EngineEvent, ctx: ReduceContext) => Partial<CockpitData>) | undefined;
  return reducer ? reducer(s, e, ctx) : {};
}

// ---------------------------------------------------------------------------------------------
// Actions: the log, the views and their keys, the run's controls.

type SetState = StoreApi<CockpitState>['setState'];
type GetState = StoreApi<CockpitState>['getState'];

const rowsOf = (s: CockpitData) => s.run?.prompts.length ?? 0;
const colsOf = (s: CockpitData) => (s.run ? Math.max(s.run.n, ...s.run.cells.map((c) => c.length)) : 0);

function initialData(init: StoreInit, clock: () => number): CockpitData {
  return {
    lanes: init.lanes ?? [],
    resident: init.lanes?.find((l) => l.state === 'ready' || l.state === 'starting')?.id ?? null,
    suite: init.suite ?? null,
    n: init.n ?? null,
    run: null,
    telemetry: [],
    latest: null,
    probe: null,
    liveRate: null,
    clock,
    logs: [],
    lastError: null,
    notice: null,
    attached: null,
    terminal: { columns: MIN_COLUMNS, rows: MIN_ROWS },
    view: 'matrix',
    cursor: { row: 0, col: 0 },
    scroll: 0,
    follow: true,
    viewport: { matrixRows: 10, detailRows: 10, detailLines: 0, leaderboardRows: 10, leaderboardLines: 0, errorRows: 10, errorLines: 0 },
    menuIndex: 0,
    harnessOptions: init.harnesses ?? [],
    harnessPick: init.harnessPick ?? ['builtin'],
    harnessIndex: 0,
    pendingSwap: null,
    detail: null,
    leaderboard: null,
    errorScroll: 0,
    quitting: false,
  };
}

/** The matrix cursor, its scroll and the measured sizes. */
function matrixActions(set: SetState): Pick<CockpitActions, 'moveCursor' | 'setFollow' | 'setViewport' | 'setTerminal'> {
  return {
    moveCursor: (dRow, dCol) =>
      set((s) => {
        const rows = rowsOf(s);
        if (rows === 0) return {};
        const row = clamp(s.cursor.row + dRow, 0, rows - 1);
        const col = clamp(s.cursor.col + dCol, 0, Math.max(0, colsOf(s) - 1));
        return { cursor: { row, col }, follow: false, scroll: scrollToShow(s.scroll, row, s.viewport.matrixRows) };
      }),
    setFollow: (follow) => set({ follow }),
    setViewport: (viewport) =>
      set((s) => {
        const next = { ...s.viewport, ...viewport };
        const same = (Object.keys(next) as (keyof Viewport)[]).every((k) => next[k] === s.viewport[k]);
        if (same) return {};
        const scroll = s.follow ? clamp(s.scroll, 0, Math.max(0, rowsOf(s) - next.matrixRows)) : scrollToShow(s.scroll, s.cursor.row, next.matrixRows);
        return { viewport: next, scroll };
      }),
    setTerminal: (columns, rows) =>
      set((s) => (s.terminal.columns === columns && s.terminal.rows === rows ? {} : { terminal: { columns, rows } })),
  };
}

/** The attempt detail view. */
function detailActions(set: SetState, get: GetState): Pick<CockpitActions, 'openDetail' | 'setTranscript' | 'scrollDetail'> {
  return {
    openDetail: () => {
      const s = get();
      const row = s.run?.prompts[s.cursor.row];
      const cell = s.run?.cells[s.cursor.row]?.[s.cursor.col];
      if (!row || !cell?.record) {
        get().notify('info', row ? `${row.id} #${s.cursor.col + 1}: no finished attempt yet` : 'no run yet');
        return null;
      }
      const record = cell.record;
      set({ view: 'detail', detail: { promptId: row.id, attempt: record.attempt, record, transcript: null, error: null, scroll: 0 } });
      return record.transcript;
    },
    setTranscript: (path, result) =>
      set((s) => {
        if (!s.detail || s.detail.record.transcript !== path) return {}; // a stale read
        return 'text' in result
          ? { detail: { ...s.detail, transcript: result.text, error: null } }
          : { detail: { ...s.detail, transcript: '', error: result.error } };
      }),
    scrollDetail: (delta) =>
      set((s) => {
        if (!s.detail) return {};
        const max = Math.max(0, s.viewport.detailLines - s.viewport.detailRows);
        return { detail: { ...s.detail, scroll: clamp(s.detail.scroll + delta, 0, max) } };
      }),
  };
}

/** The overlays: menu, help, leaderboard, error viewer, and back to the matrix. */
function overlayActions(set: SetState, get: GetState): Pick<CockpitActions, 'back' | 'openMenu' | 'moveMenu' | 'openHelp' | 'openLeaderboard' | 'scrollLeaderboard' | 'cycleLeaderboardMode' | 'openError' | 'scrollError'> {
  return {
    back: () => set({ view: 'matrix', pendingSwap: null, detail: null }),
    openMenu: () => set((s) => ({ view: 'menu', menuIndex: Math.max(0, s.lanes.findIndex((l) => l.id === s.resident)) })),
    moveMenu: (delta) => set((s) => ({ menuIndex: clamp(s.menuIndex + delta, 0, Math.max(0, s.lanes.length - 1)) })),
    openHelp: () => set({ view: 'help' }),
    openLeaderboard: (cards, error) =>
      set((s) => ({ view: 'leaderboard', leaderboard: { cards, error: error ?? null, scroll: cards && s.leaderboard?.cards ? s.leaderboard.scroll : 0 } })),
    cycleLeaderboardMode: () =>
      set((s) => {
        if (!s.leaderboard) return {};
        const next = LEADERBOARD_MODES[(LEADERBOARD_MODES.indexOf(s.leaderboard.mode ?? 'table') + 1) % LEADERBOARD_MODES.length];
        return { leaderboard: { ...s.leaderboard, mode: next, scroll: 0 } };
      }),
    scrollLeaderboard: (delta) =>
      set((s) => {
        if (!s.leaderboard) return {};
        const max = Math.max(0, s.viewport.leaderboardLines - s.viewport.leaderboardRows);
        return { leaderboard: { ...s.leaderboard, scroll: clamp(s.leaderboard.scroll + delta, 0, max) } };
      }),
    openError: () => {
      if (get().lastError) set({ view: 'error', errorScroll: 0 });
      else get().notify('info', 'no error or warning so far');
    },
    scrollError: (delta) =>
      set((s) => ({ errorScroll: clamp(s.errorScroll + delta, 0, Math.max(0, s.viewport.errorLines - s.viewport.errorRows)) })),
  };
}

/** What the keys ask of the run and the lanes. */
function controlActions(set: SetState, get: GetState, ctx: ReduceContext): Pick<CockpitActions, 'requestSwap' | 'confirmSwap' | 'setPaused' | 'requestStop' | 'markDied' | 'setAttached' | 'setQuitting'> {
  return {
    requestSwap: (id) => set({ view: 'confirm', pendingSwap: id }),
    confirmSwap: (choice) => {
      const id = get().pendingSwap;
      set({ view: 'matrix', pendingSwap: null });
      return id && choice !== 'cancel' ? { id, choice } : null;
    },
    setPaused: (reason) => set((s) => (isRunActive(s.run) ? { run: { ...s.run!, pausedReason: reason } } : {})),
    requestStop: () => set((s) => (isRunActive(s.run) ? { run: { ...s.run!, stopRequested: true } } : {})),
    markDied: (reason) => set((s) => finalState(s, 'died', reason, ctx)),
    setAttached: (runId) => set({ attached: runId }),
    setQuitting: (quitting) => set({ quitting }),
  };
}

export function createCockpitStore(init: StoreInit = {}): CockpitStore {
  const clock = init.clock ?? Date.now;
  let seq = 0;
  const ctx: ReduceContext = {
    clock,
    isRepeat: laneStateRepeats(),
    withLog: (s, level, message) => {
      const line = { level, message, at: clock(), seq: ++seq };
      const logs = s.logs.length >= LOG_RING ? s.logs.slice(s.logs.length - LOG_RING + 1) : s.logs.slice();
      logs.push(line);
      return { logs, lastError: level === 'info' ? s.lastError : line };
    },
  };
  return createStore<CockpitState>()((set, get) => ({
    ...initialData(init, clock),
    apply: (event) => set((s) => reduceEvent(s, event, ctx)),
    log: (level, message) => set((s) => ctx.withLog(s, level, message)),
    notify: (level, message) =>
      set((s) => {
        const logged = ctx.withLog(s, level, message);
        return { ...logged, notice: logged.logs[logged.logs.length - 1]! };
      }),
    clearNotice: () => set((s) => (s.notice ? { notice: null } : {})),
    ...matrixActions(set),
    ...detailActions(set, get),
    ...overlayActions(set, get),
    ...controlActions(set, get, ctx),
    ...harnessActions(set, get),
  }));
}
