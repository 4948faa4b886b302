import { mkdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runAttempt } from '../agent/attempt.js';
import type { EventBus } from '../events.js';
import type { ReadyLane } from '../lanes/manager.js';
import { runCheck } from '../suite/checks.js';
import { copyScratch } from '../suite/scratch.js';
import type { AttemptRecord, AttemptRun, Prompt, Sampling, Suite } from '../types.js';
import { safeFileName } from '../safeText.js';
import type { RunControl } from './control.js';
import { gradeAttempt, type Grade } from '../grader/checks.js';
import { slotKey, type Journal } from './journal.js';
import { scratchRoot } from './scratch-root.js';
import { isDecided, pickNext, tallyOf, type Slot, type Tally } from './schedule.js';

/** What the runner may do about a lane that stopped answering. */
export interface LaneHealth {
  isUp(): Promise<boolean>;
  restart(): Promise<ReadyLane>;
  /** The user stopped the lane (`brainbench lanes stop`): pause its suite, never restart it. */
  stoppedByUser?(): Promise<boolean>;
}

export interface SuiteRunOptions {
  runId: string;
  runDir: string;
  journal: Journal;
  lane: ReadyLane;
  suite: Suite;
  n: number;
  parallel: number;
  adaptive: boolean;
  /** Capability flags switched on (e.g. "shell" where bubblewrap works). */
  enabled: ReadonlySet<string>;
  turnBudget: number;
  timeoutS: number;
  /** Seconds without a byte from the lane before an attempt is a lane_error (default: the attempt loop's). */
  idleTimeoutS?: number;
  sampling: Sampling;
  /** More host paths run_shell must not see (lanes.yaml, the results folder); the suite and runDir always are. */
  hide?: readonly string[];
  bus: EventBus;
  health?: LaneHealth;
  control?: RunControl;
  /** Runs one attempt (default: the agent loop); a seam for tests. */
  attempt?: typeof runAttempt;
}

export interface SuiteRunResult {
  /** Every journaled record of this lane (a retried lane_error and its retry both appear). */
  records: AttemptRecord[];
  skipped: Record<string, string>;
  decidedEarly: Set<string>;
  /** Set when the lane crashed twice and the rest of its suite was left for a resume. */
  paused?: string;
  stopped?: string;
}

/** What an attempt that threw inside brainbench (not the lane, not the model) is recorded as. */
function internalFailure(err: unknown, wallS: number): AttemptRun {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
  return {
    status: 'lane_error',
    answer: '',
    tool_calls: [],
    turns: 0,
    tokens: { prompt: 0, completion: 0 },
    wall_s: wallS,
    ttft_s: null,
    escape_attempts: 0,
    error: `internal: ${message}`,
    wait_s: 0,
  };
}

export function skipReason(prompt: Prompt, enabled: ReadonlySet<string>): string | undefined {
  if (!prompt.conditional || enabled.has(prompt.conditional)) return undefined;
  return prompt.conditional === 'shell'
    ? "needs capability 'shell' (bubblewrap not available)"
    : `needs capability '${prompt.conditional}' (enable it with --enable ${prompt.conditional})`;
}

/**
 * Runs every prompt of the suite N times against one ready lane, journaling each finished attempt
 * before it reports it. Attempts already in the journal are kept; a lane_error slot gets one more
 * try at the end of the pass. A crashed lane is restarted once; a second crash pauses the lane.
 */
export async function runSuite(opts: SuiteRunOptions): Promise<SuiteRunResult> {
  const { suite, n, bus, journal } = opts;
  const attempt = opts.attempt ?? runAttempt;
  let lane = opts.lane;
  const skipped: Record<string, string> = {};
  const runnable: Prompt[] = [];
  for (const p of suite.prompts) {
    const reason = skipReason(p, opts.enabled);
    if (reason) skipped[p.id] = reason;
    else runnable.push(p);
  }
  const promptsById = new Map(runnable.map((p) => [p.id, p]));

  const latest = new Map<string, AttemptRecord>();
  for (const [key, r] of journal.latestBySlot()) if (r.lane === lane.id) latest.set(key, r);

  const tallies = new Map<string, Tally>();
  for (const p of runnable) {
    const records = [...latest.values()].filter((r) => r.prompt_id === p.id);
    tallies.set(p.id, tallyOf(records));
  }

  bus.emit({
    type: 'run.start',
    runId: opts.runId,
    lane: lane.id,
    suite: suite.name,
    n,
    parallel: opts.parallel,
    prompts: suite.prompts.map((p) => ({ id: p.id, category: p.category, core: p.core, skipped: skipped[p.id] })),
    total: runnable.length * n,
    done: [...latest.values()],
    simulated: lane.simulated,
    startedAt: new Date().toISOString(),
  });

  const workRoot = scratchRoot(opts.runDir, opts.runId);
  let crashes = 0;
  let paused: string | undefined;
  let restarting: Promise<void> | null = null;

  const onLaneError = async (): Promise<void> => {
    // a stopped run is winding down (its lane may be going away on purpose): no restarts
    if (!opts.health || paused || opts.control?.stopped) return;
    if (restarting) return restarting;
    restarting = (async () => {
      if (await opts.health!.stoppedByUser?.()) {
        paused = `lane ${lane.id} was stopped by the user; the rest of its suite is left for --resume`;
        bus.emit({ type: 'lane.state', lane: lane.id, state: 'stopped', detail: 'stopped by the user' });
        bus.emit({ type: 'run.paused', lane: lane.id, reason: paused });
        return;
      }
      if (await opts.health!.isUp()) return; // the lane answered: a one-off error, not a crash
      crashes++;
      bus.emit({ type: 'lane.state', lane: lane.id, state: 'crashed', detail: `crash ${crashes}` });
      if (crashes > 1) {
        paused = `lane ${lane.id} crashed twice; the rest of its suite is left for --resume`;
        bus.emit({ type: 'run.paused', lane: lane.id, reason: paused });
        return;
      }
      try {
        lane = await opts.health!.restart();
      } catch (err) {
        paused = `lane ${lane.id} crashed and did not restart: ${(err as Error).message}`;
        bus.emit({ type: 'run.paused', lane: lane.id, reason: paused });
      }
    })().finally(() => {
      restarting = null;
    });
    return restarting;
  };

  const runSlot = async (slot: Slot, retry: boolean): Promise<void> => {
    const prompt = promptsById.get(slot.promptId)!;
    const laneDir = safeFileName(lane.id);
    const workDir = join(workRoot, laneDir, `${safeFileName(slot.promptId)}-${slot.attempt}`);
    const transcript = join(opts.runDir, 'transcripts', laneDir, `${safeFileName(slot.promptId)}-${slot.attempt}${retry ? '-retry' : ''}.json`);
    const startedAt = new Date();
    const t0 = performance.now();
    bus.emit({ type: 'attempt.start', lane: lane.id, promptId: slot.promptId, attempt: slot.attempt, at: startedAt.toISOString() });
    let run: AttemptRun;
    let graded: Grade;
    try {
      await copyScratch(suite, workDir);
      await mkdir(join(opts.runDir, 'transcripts', laneDir), { recursive: true });
      run = await attempt({
        baseURL: lane.baseURL,
        model: lane.model,
        ...(lane.apiKey ? { apiKey: lane.apiKey } : {}),
        prompt,
        workDir,
        transcriptPath: transcript,
        sampling: opts.sampling,
        turnBudget: prompt.turn_budget ?? opts.turnBudget,
        timeoutS: opts.timeoutS,
        idleTimeoutS: opts.idleTimeoutS,
        shell: opts.enabled.has('shell'),
        // run_shell must not see them, wherever they are installed
        hide: [suite.path, opts.runDir, ...(opts.hide ?? [])],
        onProgress: (p) =>
          bus.emit({ type: 'attempt.progress', lane: lane.id, promptId: slot.promptId, attempt: slot.attempt, completionTokens: p.completionTokens, tokPerSec: p.tokPerSec }),
      });
      const check = run.status === 'completed' ? await runCheck(prompt.check, run.answer) : null;
      graded = await gradeAttempt(prompt, run, check);
    } catch (err) {
      if (err instanceof Error && err.name === 'AbortError') throw err;
      // brainbench's own failure must not end the run: the slot gets a record (retried once, like any lane_error)
      run = internalFailure(err, (performance.now() - t0) / 1000);
      graded = await gradeAttempt(prompt, run, null);
    }
    const record: AttemptRecord = {
      lane: lane.id,
      prompt_id: slot.promptId,
      attempt: slot.attempt,
      ...graded,
      turns: run.turns,
      tokens: run.tokens,
      wall_s: run.wall_s,
      ttft_s: run.ttft_s,
      answer: run.answer,
      ...(run.reasoning ? { reasoning: run.reasoning } : {}),
      transcript,
      escape_attempts: run.escape_attempts,
      ...(run.error ? { error: run.error } : {}),
      ...(retry ? { retry: true } : {}),
      started_at: startedAt.toISOString(),
      ended_at: new Date().toISOString(),
    };
    journal.append(record);
    // brainbench's own share of the attempt, up to the journal append (bench/overhead.ts)
    const overheadS = (performance.now() - t0) / 1000 - run.wait_s;
    await rm(workDir, { recursive: true, force: true });
    latest.set(slotKey(lane.id, slot.promptId, slot.attempt), record);
    const tally = tallies.get(slot.promptId)!;
    if (record.outcome !== 'lane_error') {
      tally.graded++;
      if (record.outcome === 'pass') tally.passes++;
    }
    bus.emit({ type: 'attempt.end', record, overheadS });
    if (record.outcome === 'lane_error') await onLaneError();
  };

  /** Runs the given slots with at most `parallel` in flight. */
  const pass = async (slots: Slot[], retry: boolean): Promise<void> => {
    const pending = [...slots];
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      if (restarting) await restarting;
      if (paused || !(await (opts.control?.gate() ?? true))) break;
      const next = inFlight.size < opts.parallel ? pickNext(pending, tallies, n, opts.adaptive) : undefined;
      if (next) {
        pending.splice(pending.indexOf(next), 1);
        const tally = tallies.get(next.promptId)!;
        tally.inFlight++;
        const job = runSlot(next, retry).finally(() => {
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
  };

  const todo: Slot[] = [];
  for (const p of runnable) {
    for (let attempt = 1; attempt <= n; attempt++) {
      if (!latest.has(slotKey(lane.id, p.id, attempt))) todo.push({ promptId: p.id, attempt });
    }
  }
  await pass(todo, false);

  const laneErrors = [...latest.values()].filter((r) => r.outcome === 'lane_error' && promptsById.has(r.prompt_id));
  const retry = laneErrors
    .filter((r) => !r.retry)
    .map((r) => ({ promptId: r.prompt_id, attempt: r.attempt }));
  if (retry.length > 0 && !paused) await pass(retry, true);

  await rm(join(workRoot, safeFileName(lane.id)), { recursive: true, force: true });
  await rmdir(workRoot).catch(() => undefined); // the run's scratch root, once no lane uses it
  const decidedEarly = new Set<string>();
  if (opts.adaptive) {
    for (const p of runnable) {
      const t = tallies.get(p.id)!;
      if (t.graded < n && isDecided(t, n)) decidedEarly.add(p.id);
    }
  }
  return {
    // every record, so a lane_error that a retry superseded still counts in lane_errors
    records: journal.all().filter((r) => r.lane === lane.id && promptsById.has(r.prompt_id)),
    skipped,
    decidedEarly,
    ...(paused ? { paused } : {}),
    ...(opts.control?.stopped ? { stopped: opts.control.stopped } : {}),
  };
}
