// Runs a task suite against one (lane, harness): every task N times, trials in flight up to
// `parallel`, each journaled (the prompt runner's Journal and slots) before it is reported, so a
// killed run resumes where it stopped. Tasks the environment cannot honour are skipped with why.
import { mkdirSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventBus } from '../events.js';
import type { ReadyLane } from '../lanes/manager.js';
import { safeFileName } from '../safeText.js';
import type { AttemptRecord, Sampling } from '../types.js';
import type { RunControl } from '../run/control.js';
import { slotKey, type Journal } from '../run/journal.js';
import { scratchRoot } from '../run/scratch-root.js';
import type { EnvironmentKind } from './environment.js';
import { GRADER_OUTPUT_CHARS } from '../grader/testsh.js';
import type { Harness } from '../harness/kinds.js';
import { runTrial, type TrialResult } from './trial.js';
import type { Task, TaskSuite, TrialRecord } from './types.js';

export interface TaskRunOptions {
  runId: string;
  runDir: string;
  journal: Journal;
  /** The lane id the records carry (oracle and null runs still name the lane they were asked for). */
  laneId: string;
  lane?: ReadyLane;
  harness: Harness;
  environment: EnvironmentKind;
  suite: TaskSuite;
  n: number;
  parallel: number;
  sampling: Sampling;
  timeoutS?: number;
  turnBudget?: number;
  bus: EventBus;
  control?: RunControl;
  /** Told about each trial as it is journaled. */
  onTrial?: (record: TrialRecord) => void;
  /** More host paths the agent's sandbox hides (lanes.yaml, the results folder), as for prompt runs. */
  hide?: readonly string[];
}

export interface TaskRunResult {
  records: TrialRecord[];
  skipped: Record<string, string>;
  stopped?: string;
}

/** Trial records share the prompt journal; only trials of this lane and harness are ours. */
export function trialRecords(records: readonly AttemptRecord[], lane: string, harness: string): TrialRecord[] {
  return (records as readonly unknown[] as readonly TrialRecord[]).filter((r) => r.kind === 'trial' && r.lane === lane && r.harness === harness);
}

function recordOf(opts: TaskRunOptions, task: Task, attempt: number, trial: TrialResult, startedAt: Date, transcript: string): TrialRecord {
  const agent = trial.agent;
  return {
    kind: 'trial',
    lane: opts.laneId,
    prompt_id: task.id,
    attempt,
    outcome: trial.outcome,
    harness: opts.harness.name,
    environment: opts.environment.name,
    reward: trial.reward,
    why: trial.why,
    grader_output: trial.graderOutput.slice(-GRADER_OUTPUT_CHARS),
    check_passed: trial.outcome === 'pass',
    correct_tool: true,
    tools_called: agent?.toolsCalled ?? [],
    turns: agent?.turns ?? 0,
    tokens: agent?.tokens ?? { prompt: 0, completion: 0 },
    wall_s: trial.wallS,
    ttft_s: agent?.ttftS ?? null,
    answer: agent?.answer ?? '',
    transcript,
    escape_attempts: agent?.escapeAttempts ?? 0,
    peek_attempts: agent?.peekAttempts ?? 0,
    decode_tok_s: agent?.decodeTokS ?? null,
    started_at: startedAt.toISOString(),
    ended_at: new Date().toISOString(),
  };
}

/** The cockpit's view of one (lane, harness) cell: a run whose rows are the suite's tasks. */
function announce(opts: TaskRunOptions, runnable: readonly Task[], skipped: Record<string, string>): void {
  const done = trialRecords(opts.journal.all(), opts.laneId, opts.harness.name) as readonly unknown[] as AttemptRecord[];
  opts.bus.emit({
    type: 'run.start', runId: opts.runId, lane: opts.laneId, suite: opts.suite.name, harness: opts.harness.name, n: opts.n, parallel: opts.parallel,
    prompts: opts.suite.tasks.map((t) => ({ id: t.id, category: 'task', core: false, ...(skipped[t.id] !== undefined && { skipped: skipped[t.id] }) })),
    total: runnable.length * opts.n, done, simulated: opts.lane?.simulated ?? false, startedAt: new Date().toISOString(),
  });
}

export async function runTaskSuite(opts: TaskRunOptions): Promise<TaskRunResult> {
  const { suite, journal, harness } = opts;
  const skipped: Record<string, string> = {};
  const runnable = suite.tasks.filter((task) => {
    const reason = opts.environment.skipReason(task);
    if (reason) skipped[task.id] = reason;
    return !reason;
  });
  announce(opts, runnable, skipped);
  const done = new Set(trialRecords(journal.all(), opts.laneId, harness.name).map((r) => slotKey(r.lane, r.prompt_id, r.attempt)));
  const todo = runnable.flatMap((task) => Array.from({ length: opts.n }, (_, i) => ({ task, attempt: i + 1 })));
  const pending = todo.filter((s) => !done.has(slotKey(opts.laneId, s.task.id, s.attempt)));
  const key = safeFileName(`${opts.laneId}+${harness.name}`);
  const workRoot = join(scratchRoot(opts.runDir, opts.runId), key);
  const transcripts = join(opts.runDir, 'transcripts', key);
  if (harness.needsLane) mkdirSync(transcripts, { recursive: true });

  const runSlot = async ({ task, attempt }: { task: Task; attempt: number }) => {
    const startedAt = new Date();
    const name = `${safeFileName(task.id)}-${attempt}`;
    const transcript = join(transcripts, `${name}.json`);
    opts.bus.emit({ type: 'attempt.start', lane: opts.laneId, promptId: task.id, attempt, at: startedAt.toISOString() });
    const trial = await runTrial({
      task,
      harness,
      environment: opts.environment,
      scratch: join(workRoot, name),
      transcriptPath: transcript,
      hide: [suite.path, opts.runDir, ...(opts.hide ?? [])],
      sampling: opts.sampling,
      ...(opts.lane && { lane: opts.lane }),
      ...(opts.timeoutS !== undefined && { timeoutS: opts.timeoutS }),
      ...(opts.turnBudget !== undefined && { turnBudget: opts.turnBudget }),
    });
    const record = recordOf(opts, task, attempt, trial, startedAt, harness.needsLane ? transcript : '');
    journal.append(record as unknown as AttemptRecord); // the journal stores slots; the trial fields ride along
    opts.bus.emit({ type: 'attempt.end', record: record as unknown as AttemptRecord });
    opts.onTrial?.(record);
  };

  const inFlight = new Set<Promise<void>>();
  for (const slot of pending) {
    if (!(await (opts.control?.gate() ?? true))) break;
    const job = runSlot(slot).finally(() => inFlight.delete(job));
    inFlight.add(job);
    if (inFlight.size >= opts.parallel) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  for (const dir of [workRoot, dirname(workRoot)]) {
    try {
      rmdirSync(dir); // this lane × harness's scratch, then the run's scratch root once nothing uses it
    } catch {
      // not empty or already gone
    }
  }
  return {
    records: trialRecords(journal.all(), opts.laneId, harness.name),
    skipped,
    ...(opts.control?.stopped ? { stopped: opts.control.stopped } : {}),
  };
}
