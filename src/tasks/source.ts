// A task suite × one harness as an item source of the one runner (src/run/runner.ts): each slot is
// a trial (./trial.ts) graded by test.sh. Tasks the environment cannot honour are skipped with why.
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../cli/args.js';
import type { EventBus } from '../events.js';
import { GRADER_OUTPUT_CHARS } from '../grader/testsh.js';
import type { Harness } from '../harness/types.js';
import { harnessCatalog } from '../harness/presets.js';
import { harnessFor, knownHarnessIds } from '../harness/registry.js';
import type { Manifest } from '../lanes/manifest.js';
import type { RunPlan, TaskPlan } from '../run/plan.js';
import type { Cell } from '../run/queue.js';
import { internalError, type ItemSource, type SlotContext } from '../run/runner.js';
import { oneLine } from '../safeText.js';
import { sandboxAvailable } from '../sandbox/sandbox.js';
import { isTrial, type TrialRecord } from '../types.js';
import { loadScorecards, writeSummary } from '../verdict/summary.js';
import { publishTaskScorecard, taskScorecard } from '../verdict/task-scorecard.js';
import { builtinSuitesDir } from '../paths.js';
import { bwrapEnvironment, dockerEnvironment, type EnvironmentKind } from './environment.js';
import { isTaskSuiteDir } from './load.js';
import { runTrial, type TrialResult } from './trial.js';
import { cellProvenance } from '../run/cell-provenance.js';
import type { Task, TaskSuite } from './types.js';

export interface TaskSourceOptions {
  suite: TaskSuite;
  harness: Harness;
  environment: EnvironmentKind;
  runDir: string;
  /** Flags over task.toml; absent: each task's own. */
  timeoutS?: number;
  turnBudget?: number;
  /** More host paths the agent's sandbox hides (lanes.yaml, the results folder), as for prompt runs. */
  hide?: readonly string[];
}

function recordOf(opts: TaskSourceOptions, slot: SlotContext, trial: TrialResult, startedAt: Date): TrialRecord {
  const agent = trial.agent;
  return {
    kind: 'trial',
    lane: slot.laneId,
    prompt_id: slot.itemId,
    attempt: slot.attempt,
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
    transcript: opts.harness.needsLane ? slot.transcriptPath : '',
    escape_attempts: agent?.escapeAttempts ?? 0,
    peek_attempts: agent?.peekAttempts ?? 0,
    decode_tok_s: agent?.decodeTokS ?? null,
    ...(slot.retry ? { retry: true } : {}),
    started_at: startedAt.toISOString(),
    ended_at: new Date().toISOString(),
  };
}

/** A trial that threw inside brainbench: a lane_error record (retried once), as for prompt attempts. */
function internalFailure(err: unknown, wallS: number): TrialResult {
  return { outcome: 'lane_error', reward: null, why: internalError(err), agent: null, graderOutput: '', wallS };
}

export function taskSource(opts: TaskSourceOptions): ItemSource {
  const { suite, harness } = opts;
  const byId = new Map<string, Task>(suite.tasks.map((t) => [t.id, t]));
  return {
    suite: suite.name,
    harness: harness.name,
    items: suite.tasks.map((t) => {
      const skipped = opts.environment.skipReason(t);
      return { id: t.id, category: 'task', core: false, ...(skipped !== null && { skipped }) };
    }),
    cell: (laneId) => `${laneId}+${harness.name}`,
    owns: (record) => record.kind === 'trial' && record.harness === harness.name,
    async run(slot) {
      const startedAt = new Date();
      const t0 = performance.now();
      let trial: TrialResult;
      try {
        if (harness.needsLane) await mkdir(dirname(slot.transcriptPath), { recursive: true });
        trial = await runTrial({
          task: byId.get(slot.itemId)!,
          harness,
          environment: opts.environment,
          scratch: slot.workDir,
          transcriptPath: slot.transcriptPath,
          hide: [suite.path, opts.runDir, ...(opts.hide ?? [])],
          sampling: slot.sampling,
          onProgress: slot.onProgress,
          ...(slot.lane && harness.needsLane && { lane: slot.lane }),
          ...(opts.timeoutS !== undefined && { timeoutS: opts.timeoutS }),
          ...(opts.turnBudget !== undefined && { turnBudget: opts.turnBudget }),
        });
      } catch (err) {
        if (err instanceof Error && err.name === 'AbortError') throw err;
        trial = internalFailure(err, Math.round(performance.now() - t0) / 1000);
      }
      return { record: recordOf(opts, slot, trial, startedAt) };
    },
  };
}

/** The task suite a --suite argument names (a built-in name such as tasks-v1, or a path); null for a prompt suite. */
export function taskSuitePath(nameOrPath: string): string | null {
  if (/^[\w.-]+$/.test(nameOrPath) && isTaskSuiteDir(join(builtinSuitesDir, nameOrPath))) return join(builtinSuitesDir, nameOrPath);
  const path = resolve(nameOrPath);
  return isTaskSuiteDir(path) ? path : null;
}

/** Every harness the plan names, resolved before anything is made; an unknown id lists the known ones. */
export function harnessesOf(tasks: TaskPlan, manifest: Manifest): Harness[] {
  const catalog = harnessCatalog(manifest.harnesses);
  return tasks.harnesses.map((id) => {
    try {
      return harnessFor(id, catalog);
    } catch {
      throw new UsageError(`--harness: unknown harness '${oneLine(id)}' (harnesses: ${knownHarnessIds(catalog).join(', ')})`);
    }
  });
}

async function environmentFor(name: TaskPlan['environment'], hide: string[]): Promise<EnvironmentKind> {
  if (name === 'docker') {
    const probe = await execa('docker', ['version'], { reject: false, stdin: 'ignore', timeout: 30_000 });
    if (probe.exitCode !== 0) throw new Error('--env docker: docker does not answer here (docker version failed); use --env bwrap');
    return dockerEnvironment();
  }
  if (!(await sandboxAvailable())) throw new Error('task suites run in bubblewrap, which does not work here (see brainbench doctor); try --env docker');
  return bwrapEnvironment(hide);
}

export interface TaskCellsOptions {
  plan: RunPlan & { tasks: TaskPlan };
  suite: TaskSuite;
  manifest: Manifest;
  runDir: string;
  resultsDir: string;
  bus: EventBus;
}

/**
 * One cell per harness, in the plan's order: a lane starts once for all of them (and only when a
 * harness that can run needs it). A CLI that is not installed is said once, up front; its trials
 * are harness_error and no lane starts for it alone.
 */
export async function taskCells(opts: TaskCellsOptions): Promise<Cell[]> {
  const { plan, suite, bus } = opts;
  const hide = [plan.lanesFile, opts.resultsDir];
  const environment = await environmentFor(plan.tasks.environment, [suite.path, opts.runDir, ...hide]);
  const say = (message: string) => bus.emit({ type: 'log', level: 'info', message });
  return harnessesOf(plan.tasks, opts.manifest).map((harness) => {
    const problem = harness.preflight?.() ?? null;
    if (problem) say(`harness ${oneLine(harness.name)}: ${oneLine(problem)} — its trials will be harness_error`);
    return {
      source: taskSource({ suite, harness, environment, runDir: opts.runDir, hide, ...(plan.tasks.timeoutS !== undefined && { timeoutS: plan.tasks.timeoutS }), ...(plan.tasks.turnBudget !== undefined && { turnBudget: plan.tasks.turnBudget }) }),
      needsLane: harness.needsLane && problem === null,
      sampling: {},
      async finish(end) {
        const card = taskScorecard({
          lane: end.laneId, harness: harness.name, environment: environment.name, simulated: end.lane?.simulated ?? false, suite,
          records: end.outcome.records.filter(isTrial), skipped: end.outcome.skipped, n: plan.n, runId: plan.runId, startedAt: end.startedAt, endedAt: new Date().toISOString(),
          reproducibility: await cellProvenance(plan, suite, end),
        });
        const scorecardPath = await publishTaskScorecard(opts.resultsDir, opts.runDir, card);
        const summaryPath = await writeSummary(opts.resultsDir, await loadScorecards(opts.resultsDir, () => undefined));
        bus.emit({ type: 'cell.end', runId: plan.runId, lane: end.laneId, harness: harness.name, scorecard: card, scorecardPath, summaryPath, laneDone: end.last });
      },
    };
  });
}
