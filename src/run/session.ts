import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { shellAvailable } from '../agent/tools.js';
import { UsageError } from '../cli/args.js';
import type { EventBus } from '../events.js';
import { LaneManager } from '../lanes/manager.js';
import { findManifestPath, loadManifest, type Manifest } from '../lanes/manifest.js';
import { resolveSuitePath, runDir as runDirOf } from '../paths.js';
import { demoLaneId, withDemoVariants } from '../demo/identity.js';
import { loadSuite } from '../suite/load.js';
import { loadTaskSuite } from '../tasks/load.js';
import { harnessesOf, taskCells } from '../tasks/source.js';
import { newRunId, readPlan, writePlan, type RunPlan, type TaskPlan } from './plan.js';
import { promptCell } from './prompt-cell.js';
import type { Cell } from './queue.js';
import { lockResults, type LockOptions } from './results-lock.js';

/** What a user asks for on the command line (or in the cockpit) before a run exists. */
export interface RunRequest {
  lanes: string[];
  lanesFile?: string;
  suite: string;
  n: number;
  parallel: number | null;
  adaptive: boolean;
  enable: string[];
  turnBudget: number;
  timeoutS: number;
  sampling: RunPlan['sampling'];
  demo: RunPlan['demo'];
  stopAfter: boolean;
  /** A task suite's run: `suite` is then its folder, already resolved. */
  tasks?: TaskPlan;
  /** Told what the run will do otherwise than asked (a --brain some lanes of the queue ignore). */
  onWarning?: (message: string) => void;
}

/**
 * --brain plays a brain on a demo lane; a real lane runs its own model. A run with no demo lane is
 * refused (the flag would do nothing); a queue with some is told which lanes it leaves alone.
 */
export function checkBrainLanes(manifest: Manifest, lanes: readonly string[], brain: string | undefined): string | null {
  if (brain === undefined) return null;
  const kindOf = new Map(manifest.lanes.map((l) => [l.id, l.kind]));
  const real = lanes.filter((id) => kindOf.get(id) !== 'demo');
  if (real.length === lanes.length) {
    const demos = manifest.lanes.filter((l) => l.kind === 'demo').map((l) => l.id);
    throw new UsageError(
      `--brain is for the demo lane; ${real.length === 1 ? `lane '${real[0]}' runs its own model` : `lanes ${real.join(', ')} run their own models`}` +
        (demos.length ? ` (a demo lane here: ${demos.join(', ')})` : ''),
    );
  }
  return real.length > 0 ? `--brain ${brain} plays on the demo lane only; ${real.join(', ')} ${real.length === 1 ? 'runs its own model' : 'run their own models'}` : null;
}

export interface Session {
  plan: RunPlan;
  runDir: string;
  manifest: Manifest;
  /** What runs on each lane: the prompt suite, or the task suite under each harness. */
  cells: Cell[];
  manager: LaneManager;
}

/** Capability flags: "shell" when bubblewrap works here, plus what the user enabled. */
export async function capabilities(requested: string[]): Promise<string[]> {
  const flags = new Set(requested);
  if (await shellAvailable()) flags.add('shell');
  return [...flags].sort();
}

/** A new run: checks the lanes and suite first, then writes runs/<id>/run.json. */
export async function createRun(request: RunRequest, resultsDir: string, runId = newRunId()): Promise<RunPlan> {
  const lanesFile = findManifestPath(request.lanesFile);
  const manifest = withDemoVariants(await loadManifest(lanesFile, process.env, { missingEnv: 'defer' }), request.lanes);
  const known = new Set(manifest.lanes.map((l) => l.id));
  const asked = request.lanes.length > 0 ? request.lanes : manifest.lanes.map((l) => l.id);
  for (const id of asked) {
    if (!known.has(id)) throw new Error(`no lane '${id}' in ${lanesFile} (lanes: ${[...known].join(', ')})`);
  }
  const brainNote = checkBrainLanes(manifest, asked, request.demo.brain);
  // a demo lane playing another brain (--brain) is recorded as <id>+<brain>, never under the lane's own id
  const lanes = asked.map((id) => demoLaneId(manifest, id, request.demo.brain));
  const suitePath = request.tasks ? request.suite : resolveSuitePath(request.suite);
  // refuse a broken suite or an unknown harness before anything starts
  if (request.tasks) {
    harnessesOf(request.tasks, manifest);
    loadTaskSuite(suitePath);
  } else await loadSuite(suitePath);
  if (brainNote) request.onWarning?.(brainNote);
  const plan: RunPlan = {
    runId,
    createdAt: new Date().toISOString(),
    lanes,
    lanesFile,
    suite: suitePath,
    n: request.n,
    parallel: request.parallel,
    adaptive: request.adaptive,
    enabled: await capabilities(request.enable),
    turnBudget: request.turnBudget,
    timeoutS: request.timeoutS,
    sampling: request.sampling,
    demo: request.demo,
    stopAfter: request.stopAfter,
    ...(request.tasks && { tasks: request.tasks }),
  };
  const dir = runDirOf(resultsDir, runId);
  await mkdir(dir, { recursive: true });
  await writePlan(dir, plan);
  return plan;
}

/**
 * A new run planned under the results folder's lock, taken first: a busy folder is refused before
 * runs/<id>/ exists. The caller releases the lock when the run ends.
 */
export async function createLockedRun(request: RunRequest, resultsDir: string, lock: LockOptions = {}): Promise<{ plan: RunPlan; release: () => Promise<void> }> {
  const runId = newRunId();
  const release = await lockResults(resultsDir, runId, lock);
  try {
    return { plan: await createRun(request, resultsDir, runId), release };
  } catch (err) {
    await release();
    throw err;
  }
}

/** The cells every lane runs: the prompt suite as one, or the task suite under each harness. */
async function cellsOf(plan: RunPlan, manifest: Manifest, runDir: string, resultsDir: string, bus: EventBus): Promise<Cell[]> {
  const { tasks } = plan;
  if (tasks) return taskCells({ plan: { ...plan, tasks }, suite: loadTaskSuite(plan.suite), manifest, runDir, resultsDir, bus });
  return [promptCell({ plan, suite: await loadSuite(plan.suite), runDir, resultsDir, bus })];
}

/** Opens a run (new or resumed): manifest, its cells and a lane manager logging into the run folder. */
export async function openSession(resultsDir: string, runId: string, bus: EventBus): Promise<Session> {
  const runDir = runDirOf(resultsDir, runId);
  const plan = await readPlan(runDir, findManifestPath);
  const manifest = withDemoVariants(await loadManifest(plan.lanesFile, process.env, { missingEnv: 'defer' }), plan.lanes);
  const cells = await cellsOf(plan, manifest, runDir, resultsDir, bus);
  // the run leases the lanes it starts: another brainbench's swap or stop refuses (issue 16)
  const manager = new LaneManager({ manifest, bus, logDir: join(runDir, 'lanes'), demo: plan.demo, resultsDir, leaseRunId: runId });
  return { plan, runDir, manifest, cells, manager };
}
