// The one scheduler (DESIGN §16): `(item, attempt)` slots of an item source — a prompt suite
// (harness builtin, grader checks) or a task suite × harness (grader test.sh) — against one lane,
// with adaptive stopping, the lane-health check, one retry of a lane_error slot, the control gate,
// the journal and the events. The runner does not know which source it holds.
import { rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventBus } from '../events.js';
import type { ReadyLane } from '../lanes/manager.js';
import { safeFileName } from '../safeText.js';
import { isAttempt, type AttemptRecord, type PlannedPrompt, type RunRecord, type Sampling } from '../types.js';
import type { RunControl } from './control.js';
import type { Journal } from './journal.js';
import { promptSource, type PromptSourceOptions } from './prompt-source.js';
import { scratchRoot } from './scratch-root.js';
import { isDecided, pickNext, tallyOf, type Slot, type Tally } from './schedule.js';

export { skipReason } from './prompt-source.js';

/** What the runner may do about a lane that stopped answering. */
export interface LaneHealth {
  isUp(): Promise<boolean>;
  restart(): Promise<ReadyLane>;
  /** The user stopped the lane (`brainbench lanes stop`): pause its suite, never restart it. */
  stoppedByUser?(): Promise<boolean>;
}

/** One slot as the runner hands it to a source: where it works, what it writes, and to whom it reports. */
export interface SlotContext {
  /** The lane the record names (an oracle or null trial still names the lane it was asked for). */
  laneId: string;
  /** The ready lane; absent for a source that needs none. */
  lane: ReadyLane | undefined;
  itemId: string;
  attempt: number;
  retry: boolean;
  /** The slot's own scratch folder (the source fills it; the runner removes it). */
  workDir: string;
  transcriptPath: string;
  sampling: Sampling;
  onProgress(p: { completionTokens: number; tokPerSec: number | null }): void;
}

/** A suite the runner can schedule: its items and how one slot of one becomes a record. */
export interface ItemSource {
  suite: string;
  /** Task runs: the harness driving the lane (the cockpit's header names it). */
  harness?: string;
  /** Every item in suite order; a skipped one says why. */
  items: PlannedPrompt[];
  /** The folder name of this source's scratch and transcripts under a lane (the lane, or lane+harness). */
  cell(laneId: string): string;
  /** Whether a journaled record of the lane is one of this source's slots. */
  owns(record: RunRecord): boolean;
  /** Runs one slot; a failure inside brainbench becomes a lane_error record, never a throw (an abort still throws). */
  run(slot: SlotContext): Promise<{ record: RunRecord; overheadS?: number }>;
}

export interface ItemRunOptions {
  runId: string;
  runDir: string;
  journal: Journal;
  source: ItemSource;
  laneId: string;
  lane: ReadyLane | undefined;
  n: number;
  parallel: number;
  adaptive: boolean;
  sampling: Sampling;
  bus: EventBus;
  health?: LaneHealth;
  control?: RunControl;
  /** All cells of this lane together (a lane with several harnesses), for status's attempt k/total. */
  laneTotal?: number;
}

export interface ItemRunResult {
  /** Every journaled record of this source on the lane (a retried lane_error and its retry both appear). */
  records: RunRecord[];
  skipped: Record<string, string>;
  decidedEarly: Set<string>;
  /** Set when the lane crashed twice (or the user stopped it) and the rest was left for a resume. */
  paused?: string;
  stopped?: string;
}

/** What a slot that threw inside brainbench (not the lane, not the model) records as its error. */
export function internalError(err: unknown): string {
  return `internal: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300)}`;
}

const itemKey = (itemId: string, attempt: number) => `${itemId}\0${attempt}`;

/** The lane's restart-or-pause policy after a lane_error, shared by every slot in flight. */
function laneWatch(opts: ItemRunOptions, laneRef: { lane: ReadyLane | undefined }) {
  const { bus, laneId } = opts;
  let crashes = 0;
  const state = { paused: undefined as string | undefined, restarting: null as Promise<void> | null };
  const pause = (reason: string) => {
    state.paused = reason;
    bus.emit({ type: 'run.paused', lane: laneId, reason });
  };
  const check = async (health: LaneHealth) => {
    if (await health.stoppedByUser?.()) {
      bus.emit({ type: 'lane.state', lane: laneId, state: 'stopped', detail: 'stopped by the user' });
      return pause(`lane ${laneId} was stopped by the user; the rest of its suite is left for --resume`);
    }
    if (await health.isUp()) return; // the lane answered: a one-off error, not a crash
    crashes++;
    bus.emit({ type: 'lane.state', lane: laneId, state: 'crashed', detail: `crash ${crashes}` });
    if (crashes > 1) return pause(`lane ${laneId} crashed twice; the rest of its suite is left for --resume`);
    try {
      laneRef.lane = await health.restart();
    } catch (err) {
      pause(`lane ${laneId} crashed and did not restart: ${(err as Error).message}`);
    }
  };
  const onLaneError = async (): Promise<void> => {
    // a stopped run is winding down (its lane may be going away on purpose): no restarts
    if (!opts.health || !laneRef.lane || state.paused || opts.control?.stopped) return;
    state.restarting ??= check(opts.health).finally(() => {
      state.restarting = null;
    });
    return state.restarting;
  };
  return { state, onLaneError };
}

/** Runs the given slots with at most `parallel` in flight, the next one picked by the schedule; a pause or stop starts no more. */
async function runPass(slots: Slot[], ctx: { opts: ItemRunOptions; tallies: Map<string, Tally>; watch: ReturnType<typeof laneWatch> }, runSlot: (slot: Slot) => Promise<void>): Promise<void> {
  const { opts, tallies, watch } = ctx;
  const pending = [...slots];
  const inFlight = new Set<Promise<void>>();
  for (;;) {
    if (watch.state.restarting) await watch.state.restarting;
    if (watch.state.paused || !(await (opts.control?.gate() ?? true))) break;
    const next = inFlight.size < opts.parallel ? pickNext(pending, tallies, opts.n, opts.adaptive) : undefined;
    if (next) {
      pending.splice(pending.indexOf(next), 1);
      const tally = tallies.get(next.promptId)!;
      tally.inFlight++;
      const job = runSlot(next).finally(() => {
        tally.inFlight--;
        inFlight.delete(job);
      });
      inFlight.add(job);
      continue;
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

/**
 * Runs every item of the source N times against one lane, journaling each finished slot before
 * it reports it. Slots already in the journal are kept; a lane_error slot gets one more try at the
 * end of the pass. A crashed lane is restarted once; a second crash pauses the lane.
 */
export async function runItems(opts: ItemRunOptions): Promise<ItemRunResult> {
  const { source, n, bus, journal, laneId } = opts;
  const skipped = Object.fromEntries(source.items.filter((p) => p.skipped !== undefined).map((p) => [p.id, p.skipped!]));
  const runnable = source.items.filter((p) => p.skipped === undefined).map((p) => p.id);
  const runnableIds = new Set(runnable);
  const mine = () => journal.all().filter((r) => r.lane === laneId && source.owns(r) && runnableIds.has(r.prompt_id));
  const latest = new Map(mine().map((r) => [itemKey(r.prompt_id, r.attempt), r]));
  const tallies = new Map<string, Tally>(runnable.map((id) => [id, tallyOf([...latest.values()].filter((r) => r.prompt_id === id))]));
  bus.emit({
    type: 'run.start', runId: opts.runId, lane: laneId, suite: source.suite, n, parallel: opts.parallel, prompts: source.items,
    total: runnable.length * n, done: [...latest.values()], simulated: opts.lane?.simulated ?? false, startedAt: new Date().toISOString(),
    ...(source.harness !== undefined && { harness: source.harness }),
    ...(opts.laneTotal !== undefined && { laneTotal: opts.laneTotal }),
  });
  const laneRef = { lane: opts.lane };
  const watch = laneWatch(opts, laneRef);
  const cell = safeFileName(source.cell(laneId));
  const workRoot = scratchRoot(opts.runDir, opts.runId);

  const runSlot = async (slot: Slot, retry: boolean): Promise<void> => {
    const name = `${safeFileName(slot.promptId)}-${slot.attempt}`;
    bus.emit({ type: 'attempt.start', lane: laneId, promptId: slot.promptId, attempt: slot.attempt, at: new Date().toISOString() });
    const workDir = join(workRoot, cell, name);
    const { record, overheadS } = await source.run({
      laneId, lane: laneRef.lane, itemId: slot.promptId, attempt: slot.attempt, retry, workDir, sampling: opts.sampling,
      transcriptPath: join(opts.runDir, 'transcripts', cell, `${name}${retry ? '-retry' : ''}.json`),
      onProgress: (p) => bus.emit({ type: 'attempt.progress', lane: laneId, promptId: slot.promptId, attempt: slot.attempt, completionTokens: p.completionTokens, tokPerSec: p.tokPerSec }),
    });
    journal.append(record);
    await rm(workDir, { recursive: true, force: true });
    latest.set(itemKey(slot.promptId, slot.attempt), record);
    const tally = tallies.get(slot.promptId)!;
    if (record.outcome !== 'lane_error') {
      tally.graded++;
      if (record.outcome === 'pass') tally.passes++;
    }
    bus.emit({ type: 'attempt.end', record, ...(overheadS !== undefined && { overheadS }) });
    if (record.outcome === 'lane_error') await watch.onLaneError();
  };

  const pass = (slots: Slot[], retry: boolean) => runPass(slots, { opts, tallies, watch }, (slot) => runSlot(slot, retry));

  const todo = runnable.flatMap((id) => Array.from({ length: n }, (_, i) => ({ promptId: id, attempt: i + 1 }))).filter((s) => !latest.has(itemKey(s.promptId, s.attempt)));
  await pass(todo, false);
  const retry = [...latest.values()].filter((r) => r.outcome === 'lane_error' && !r.retry).map((r) => ({ promptId: r.prompt_id, attempt: r.attempt }));
  if (retry.length > 0 && !watch.state.paused) await pass(retry, true);

  await rm(join(workRoot, cell), { recursive: true, force: true });
  await rmdir(workRoot).catch(() => undefined); // the run's scratch root, once no lane uses it
  const decidedEarly = new Set(opts.adaptive ? runnable.filter((id) => tallies.get(id)!.graded < n && isDecided(tallies.get(id)!, n)) : []);
  return {
    // every record, so a lane_error that a retry superseded still counts in lane_errors
    records: mine(),
    skipped,
    decidedEarly,
    ...(watch.state.paused ? { paused: watch.state.paused } : {}),
    ...(opts.control?.stopped ? { stopped: opts.control.stopped } : {}),
  };
}

/** A prompt suite's result: its records are attempts. */
export type SuiteRunResult = Omit<ItemRunResult, 'records'> & { records: AttemptRecord[] };

export interface SuiteRunOptions extends PromptSourceOptions, Omit<ItemRunOptions, 'source' | 'laneId' | 'lane'> {
  lane: ReadyLane;
}

/** A prompt suite on one ready lane: the runner over the prompt source. */
export async function runSuite(opts: SuiteRunOptions): Promise<SuiteRunResult> {
  const result = await runItems({ ...opts, source: promptSource(opts), laneId: opts.lane.id, lane: opts.lane });
  return { ...result, records: result.records.filter(isAttempt) };
}
