// `brainbench run --suite <task suite>`: the run command's path for task suites. A task run has
// its own folder (runs/<id>/ with tasks.json, the journal, transcripts, task scorecards), holds
// the results lock, and resumes from its journal like a prompt run.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { execa } from 'execa';
import { EventBus } from '../events.js';
import { LaneManager, type ReadyLane } from '../lanes/manager.js';
import { findManifestPath, loadManifest } from '../lanes/manifest.js';
import { builtinSuitesDir, runDir as runDirOf } from '../paths.js';
import { RunControl } from '../run/control.js';
import { Journal } from '../run/journal.js';
import { newRunId, resumeCommand } from '../run/plan.js';
import { lockResults } from '../run/results-lock.js';
import { loadScorecards, writeSummary } from '../verdict/summary.js';
import { formatFixed, formatPct } from '../stats.js';
import { oneLine } from '../safeText.js';
import { sandboxAvailable } from '../sandbox/sandbox.js';
import type { Sampling } from '../types.js';
import { bwrapEnvironment, dockerEnvironment, type EnvironmentKind, type EnvironmentName } from './environment.js';
import { UsageError } from '../cli/args.js';
import { harnessCatalog } from '../harness/presets.js';
import { harnessFor, knownHarnessIds } from '../harness/registry.js';
import type { Manifest } from '../lanes/manifest.js';
import type { Harness } from '../harness/kinds.js';
import { isTaskSuiteDir, loadTaskSuite } from './load.js';
import { runTaskSuite } from './runner.js';
import { watchTaskRun } from './watch.js';
import { publishTaskScorecard, taskScorecard } from '../verdict/task-scorecard.js';
import type { TaskScorecard, TaskSuite, TrialRecord } from './types.js';

export interface TaskRunRequest {
  suite: string;
  /** Harness ids in run order: builtin, oracle, null, or an external CLI of the catalog. */
  harnesses: string[];
  /** A run made before harness lists (resumed): its one harness. */
  harness?: string;
  environment: EnvironmentName;
  lanes: string[];
  lanesFile?: string;
  n: number;
  parallel: number | null;
  /** Flags over task.toml; absent: each task's own. */
  timeoutS?: number;
  turnBudget?: number;
  sampling: Sampling;
  /** Stop the last lane when the run ends, as `run --stop-after` does for prompt suites (earlier lanes always stop). */
  stopAfter?: boolean;
}

const REQUEST_FILE = 'tasks.json';

/** The task suite a --suite argument names (a built-in name such as tasks-v1, or a path); null for a prompt suite. */
export function taskSuitePath(nameOrPath: string): string | null {
  if (/^[\w.-]+$/.test(nameOrPath) && isTaskSuiteDir(join(builtinSuitesDir, nameOrPath))) return join(builtinSuitesDir, nameOrPath);
  const path = resolve(nameOrPath);
  return isTaskSuiteDir(path) ? path : null;
}

/** The run folder of a task run holds tasks.json (a prompt run's holds run.json). */
export function isTaskRun(resultsDir: string, runId: string): boolean {
  return existsSync(join(runDirOf(resultsDir, runId), REQUEST_FILE));
}

async function environmentFor(name: EnvironmentName, hide: string[]): Promise<EnvironmentKind> {
  if (name === 'docker') {
    const probe = await execa('docker', ['version'], { reject: false, stdin: 'ignore', timeout: 30_000 });
    if (probe.exitCode !== 0) throw new Error('--env docker: docker does not answer here (docker version failed); use --env bwrap');
    return dockerEnvironment();
  }
  if (!(await sandboxAvailable())) throw new Error('task suites run in bubblewrap, which does not work here (see brainbench doctor); try --env docker');
  return bwrapEnvironment(hide);
}

function printTrial(r: TrialRecord): void {
  const reward = r.reward === null ? '—' : formatFixed(r.reward, 2);
  console.log(`  ${oneLine(r.prompt_id)} #${r.attempt}  ${r.outcome}  reward ${reward}  ${r.wall_s.toFixed(1)} s  ${oneLine(r.why).slice(0, 100)}`);
}

function printCard(card: TaskScorecard, path: string): void {
  const buckets = Object.entries(card.outcomes).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`${oneLine(card.key)}: pass ${formatPct(card.pass_rate)}, mean reward ${formatFixed(card.mean_reward, 2)} (${buckets || 'no trials'})`);
  for (const t of card.tasks.filter((s) => s.skipped !== undefined)) console.log(`  skipped ${oneLine(t.task_id)}: ${oneLine(t.skipped!)}`);
  console.log(`scorecard: ${path}`);
}

async function startLane(manifest: Manifest, laneId: string, runDir: string, bus: EventBus): Promise<{ lane: ReadyLane; manager: LaneManager }> {
  const manager = new LaneManager({ manifest, bus, logDir: join(runDir, 'lanes') });
  return { lane: await manager.start(laneId), manager };
}

/** Every harness the request names, resolved before anything is made; an unknown id lists the known ones. */
function harnessesOf(request: TaskRunRequest, manifest: Manifest): Harness[] {
  const catalog = harnessCatalog(manifest.harnesses);
  const ids = request.harnesses ?? [request.harness ?? 'builtin'];
  return ids.map((id) => {
    try {
      return harnessFor(id, catalog);
    } catch {
      throw new UsageError(`--harness: unknown harness '${oneLine(id)}' (harnesses: ${knownHarnessIds(catalog).join(', ')})`);
    }
  });
}

/** A CLI that is not installed is said once, up front; its trials are harness_error and no lane starts for it alone. */
function preflightHarnesses(harnesses: readonly Harness[]): Set<string> {
  const missing = new Set<string>();
  for (const h of harnesses) {
    const problem = h.preflight?.();
    if (!problem) continue;
    missing.add(h.name);
    console.log(`harness ${oneLine(h.name)}: ${oneLine(problem)} — its trials will be harness_error`);
  }
  return missing;
}

interface CellContext {
  request: TaskRunRequest;
  resultsDir: string;
  runId: string;
  runDir: string;
  journal: Journal;
  environment: EnvironmentKind;
  suite: TaskSuite;
  bus: EventBus;
  control: RunControl;
  /** lanes.yaml and the results folder: hidden from the agent wherever they are installed. */
  hide: string[];
}

/** One (lane, harness) cell of the matrix: its trials, then its scorecard; true when complete. */
async function runCell(c: CellContext, laneId: string, harness: Harness, lane: ReadyLane | undefined): Promise<boolean> {
  const { request } = c;
  const startedAt = new Date().toISOString();
  const outcome = await runTaskSuite({
    runId: c.runId, runDir: c.runDir, journal: c.journal, laneId, harness, environment: c.environment, suite: c.suite, bus: c.bus, control: c.control,
    ...(lane && harness.needsLane && { lane }),
    n: request.n,
    parallel: request.parallel ?? lane?.slots ?? 1,
    sampling: { ...lane?.sampling, ...request.sampling },
    ...(request.timeoutS !== undefined && { timeoutS: request.timeoutS }),
    ...(request.turnBudget !== undefined && { turnBudget: request.turnBudget }),
    onTrial: printTrial,
    hide: c.hide,
  });
  const card = taskScorecard({
    lane: laneId, harness: harness.name, environment: c.environment.name, simulated: lane?.simulated ?? false,
    suite: c.suite, records: outcome.records, skipped: outcome.skipped, n: request.n, runId: c.runId, startedAt, endedAt: new Date().toISOString(),
  });
  printCard(card, await publishTaskScorecard(c.resultsDir, c.runDir, card));
  await writeSummary(c.resultsDir, await loadScorecards(c.resultsDir, () => undefined));
  return card.completeness.complete;
}

/**
 * Every harness on one lane: the lane starts once (and only when a harness that can run needs it),
 * so a lanes × harnesses queue swaps lanes, not harnesses. Returns how many cells did not finish.
 */
async function runLane(c: CellContext, manifest: Manifest, laneId: string, harnesses: readonly Harness[], missing: ReadonlySet<string>, stopAfter: boolean): Promise<number> {
  const wantsLane = harnesses.some((h) => h.needsLane && !missing.has(h.name));
  const started = wantsLane ? await startLane(manifest, laneId, c.runDir, c.bus) : null;
  let unfinished = 0;
  try {
    for (const harness of harnesses) {
      if (!(await runCell(c, laneId, harness, started?.lane))) unfinished++;
      if (c.control.stopped) break;
    }
  } finally {
    // the in-process demo lane always stops; a real one stays resident unless asked (or a later lane follows)
    if (started && (started.lane.kind === 'demo' || stopAfter)) await started.manager.stop(laneId);
  }
  return unfinished;
}

/** Runs (or resumes) a task run; the exit code is 0 when every (lane, harness) finished. */
export async function runTaskCommand(resultsDir: string, given: TaskRunRequest | { resume: string }): Promise<number> {
  const runId = 'resume' in given ? given.resume : newRunId();
  const runDir = runDirOf(resultsDir, runId);
  const request = 'resume' in given ? (JSON.parse(readFileSync(join(runDir, REQUEST_FILE), 'utf8')) as TaskRunRequest) : given;
  const suite = loadTaskSuite(request.suite); // a broken suite is refused before anything is made
  const manifestPath = findManifestPath(request.lanesFile);
  const manifest = await loadManifest(manifestPath, process.env, { missingEnv: 'defer' });
  const harnesses = harnessesOf(request, manifest);
  const release = await lockResults(resultsDir, runId);
  const control = new RunControl();
  const onSignal = () => control.stop('interrupted');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  mkdirSync(runDir, { recursive: true });
  if (!('resume' in given)) await writeFileAtomic(join(runDir, REQUEST_FILE), `${JSON.stringify(request, null, 2)}\n`);
  const journal = new Journal(join(runDir, 'journal.jsonl'));
  const bus = new EventBus();
  const watched = watchTaskRun(bus, runDir, runId, request.lanes, control); // for `brainbench status` and an attaching cockpit
  let unfinished = 0;
  let failure: string | undefined;
  try {
    const hide = [manifestPath, resultsDir];
    const environment = await environmentFor(request.environment, [suite.path, runDir, ...hide]);
    const names = harnesses.map((h) => h.name).join(', ');
    console.log(`run ${runId}: task suite ${suite.name} (${suite.tasks.length} tasks), harnesses ${names}, ${environment.name}, N=${request.n}`);
    const missing = preflightHarnesses(harnesses);
    const cell: CellContext = { request, resultsDir, runId, runDir, journal, environment, suite, bus, control, hide };
    for (const [i, laneId] of request.lanes.entries()) {
      const last = i === request.lanes.length - 1;
      unfinished += await runLane(cell, manifest, laneId, harnesses, missing, !last || (request.stopAfter ?? false));
      if (control.stopped) break;
    }
  } catch (err) {
    failure = (err as Error).message;
    throw err;
  } finally {
    await watched.end(failure !== undefined || unfinished > 0 || control.stopped ? 'stopped' : 'done', failure ?? control.stopped ?? undefined);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    journal.close();
    await release();
  }
  if (unfinished > 0 || control.stopped) console.log(`not finished; resume with: ${resumeCommand(runId, resultsDir)}`);
  return unfinished > 0 || control.stopped ? 1 : 0;
}

/** `--detach`: the run is made (tasks.json) and checked here; a background `run --resume <id>` runs it. */
export async function planTaskRun(resultsDir: string, request: TaskRunRequest): Promise<string> {
  loadTaskSuite(request.suite);
  harnessesOf(request, await loadManifest(findManifestPath(request.lanesFile), process.env, { missingEnv: 'defer' }));
  const runId = newRunId();
  const runDir = runDirOf(resultsDir, runId);
  mkdirSync(runDir, { recursive: true });
  await writeFileAtomic(join(runDir, REQUEST_FILE), `${JSON.stringify(request, null, 2)}\n`);
  return runId;
}

/** The suite (its folder name) and N of a task run, for a cockpit attaching to it. */
export function taskRunHeading(runDir: string): { suite: string; n: number } {
  const request = JSON.parse(readFileSync(join(runDir, REQUEST_FILE), 'utf8')) as TaskRunRequest;
  return { suite: basename(request.suite), n: request.n };
}
