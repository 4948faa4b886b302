// `brainbench run --suite <task suite>`: the run command's path for task suites. A task run has
// its own folder (runs/<id>/ with tasks.json, the journal, transcripts, task scorecards), holds
// the results lock, and resumes from its journal like a prompt run.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { execa } from 'execa';
import { EventBus } from '../events.js';
import { LaneManager, type ReadyLane } from '../lanes/manager.js';
import { findManifestPath, loadManifest } from '../lanes/manifest.js';
import { builtinSuitesDir, runDir as runDirOf } from '../paths.js';
import { RunControl } from '../run/control.js';
import { Journal } from '../run/journal.js';
import { newRunId } from '../run/plan.js';
import { lockResults } from '../run/results-lock.js';
import { loadScorecards, writeSummary } from '../run/summary.js';
import { formatFixed, formatPct } from '../run/stats.js';
import { oneLine } from '../safeText.js';
import { sandboxAvailable } from '../sandbox/sandbox.js';
import type { Sampling } from '../types.js';
import { bwrapEnvironment, dockerEnvironment, type EnvironmentKind, type EnvironmentName } from './environment.js';
import { harnessNamed, type HarnessName } from './harness.js';
import { isTaskSuiteDir, loadTaskSuite } from './load.js';
import { runTaskSuite } from './runner.js';
import { publishTaskScorecard, taskScorecard } from './scorecard.js';
import type { TaskScorecard, TrialRecord } from './types.js';

export interface TaskRunRequest {
  suite: string;
  harness: HarnessName;
  environment: EnvironmentName;
  lanes: string[];
  lanesFile?: string;
  n: number;
  parallel: number | null;
  /** Flags over task.toml; absent: each task's own. */
  timeoutS?: number;
  turnBudget?: number;
  sampling: Sampling;
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

async function startLane(request: TaskRunRequest, laneId: string, runDir: string, bus: EventBus): Promise<{ lane: ReadyLane; manager: LaneManager }> {
  const manifest = await loadManifest(findManifestPath(request.lanesFile), process.env, { missingEnv: 'defer' });
  const manager = new LaneManager({ manifest, bus, logDir: join(runDir, 'lanes') });
  return { lane: await manager.start(laneId), manager };
}

/** Runs (or resumes) a task run; the exit code is 0 when every lane finished. */
export async function runTaskCommand(resultsDir: string, given: TaskRunRequest | { resume: string }): Promise<number> {
  const runId = 'resume' in given ? given.resume : newRunId();
  const runDir = runDirOf(resultsDir, runId);
  const request = 'resume' in given ? (JSON.parse(readFileSync(join(runDir, REQUEST_FILE), 'utf8')) as TaskRunRequest) : given;
  const suite = loadTaskSuite(request.suite); // a broken suite is refused before anything is made
  const harness = harnessNamed(request.harness);
  const release = await lockResults(resultsDir, runId);
  const control = new RunControl();
  const onSignal = () => control.stop('interrupted');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  mkdirSync(runDir, { recursive: true });
  if (!('resume' in given)) await writeFileAtomic(join(runDir, REQUEST_FILE), `${JSON.stringify(request, null, 2)}\n`);
  const journal = new Journal(join(runDir, 'journal.jsonl'));
  const bus = new EventBus();
  let unfinished = 0;
  try {
    const environment = await environmentFor(request.environment, [suite.path, runDir, resultsDir]);
    console.log(`run ${runId}: task suite ${suite.name} (${suite.tasks.length} tasks), harness ${harness.name}, ${environment.name}, N=${request.n}`);
    for (const laneId of request.lanes) {
      const started = harness.needsLane ? await startLane(request, laneId, runDir, bus) : null;
      const startedAt = new Date().toISOString();
      try {
        const outcome = await runTaskSuite({
          runId, runDir, journal, laneId, harness, environment, suite, bus, control,
          ...(started && { lane: started.lane }),
          n: request.n,
          parallel: request.parallel ?? started?.lane.slots ?? 1,
          sampling: { ...started?.lane.sampling, ...request.sampling },
          ...(request.timeoutS !== undefined && { timeoutS: request.timeoutS }),
          ...(request.turnBudget !== undefined && { turnBudget: request.turnBudget }),
          onTrial: printTrial,
        });
        const card = taskScorecard({
          lane: laneId, harness: harness.name, environment: environment.name, simulated: started?.lane.simulated ?? false,
          suite, records: outcome.records, skipped: outcome.skipped, n: request.n, runId, startedAt, endedAt: new Date().toISOString(),
        });
        printCard(card, await publishTaskScorecard(resultsDir, runDir, card));
        await writeSummary(resultsDir, await loadScorecards(resultsDir, () => undefined));
        if (!card.completeness.complete) unfinished++;
      } finally {
        if (started?.lane.kind === 'demo') await started.manager.stop(laneId); // in-process; real lanes stay up as after a prompt run
      }
      if (control.stopped) break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    journal.close();
    await release();
  }
  if (unfinished > 0 || control.stopped) console.log(`not finished; resume with: brainbench run --resume ${runId}`);
  return unfinished > 0 || control.stopped ? 1 : 0;
}
