import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { defaultResultsDir } from '../paths.js';
import writeFileAtomic from 'write-file-atomic';
import type { Sampling } from '../types.js';

/** A task suite's run (DESIGN §12): its harnesses, in run order on every lane, and where trials run. */
export interface TaskPlan {
  /** builtin, oracle, null, or an external CLI of the catalog. */
  harnesses: string[];
  environment: 'bwrap' | 'docker';
  /** Flags over task.toml; absent: each task's own. */
  timeoutS?: number;
  turnBudget?: number;
}

/**
 * Everything needed to carry a run on after a kill: written once to runs/<id>/run.json when the
 * run starts, read back by --resume, so a resumed run uses the same suite, N and lanes.
 */
export interface RunPlan {
  runId: string;
  createdAt: string;
  /** Lane ids in queue order. */
  lanes: string[];
  lanesFile: string;
  suite: string;
  n: number;
  parallel: number | null;
  adaptive: boolean;
  enabled: string[];
  turnBudget: number;
  timeoutS: number;
  sampling: Sampling;
  /** Demo-lane settings (scripted brain, simulated tok/s). */
  demo: { brain?: string; tokPerSec?: number; slots?: number };
  stopAfter: boolean;
  /** Set for a task suite (the suite is then a folder of Harbor task folders). */
  tasks?: TaskPlan;
}

/** The request file task runs wrote before they ran on the one queue (runs/<id>/tasks.json). */
const LEGACY_TASK_REQUEST = 'tasks.json';

/** A task run made before the one queue, read as a plan (its tasks.json holds the same facts). */
async function legacyTaskPlan(runDir: string, lanesFile: (given?: string) => string): Promise<RunPlan> {
  type Legacy = Pick<RunPlan, 'suite' | 'lanes' | 'n' | 'parallel' | 'sampling'> & Partial<TaskPlan> & { harness?: string; lanesFile?: string; stopAfter?: boolean };
  const { harnesses, harness, environment, timeoutS, turnBudget, lanesFile: given, stopAfter, ...rest } = JSON.parse(await readFile(join(runDir, LEGACY_TASK_REQUEST), 'utf8')) as Legacy;
  const tasks: TaskPlan = { harnesses: harnesses ?? [harness ?? 'builtin'], environment: environment ?? 'bwrap', ...(timeoutS !== undefined && { timeoutS }), ...(turnBudget !== undefined && { turnBudget }) };
  const defaults = { adaptive: false, enabled: [], turnBudget: 12, timeoutS: 360, demo: {} };
  return { ...rest, ...defaults, runId: basename(runDir), createdAt: new Date().toISOString(), lanesFile: lanesFile(given), stopAfter: stopAfter ?? false, tasks };
}

/** The shape newRunId makes (20261122-221500-ab12): a run id never names anything but its own folder. */
const RUN_ID_SHAPE = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

export function isRunId(text: string): boolean {
  return RUN_ID_SHAPE.test(text);
}

/** The command that carries run `runId` on; names the results folder when it is not the default one. */
export function resumeCommand(runId: string, resultsDir: string): string {
  const results = resolve(resultsDir) === defaultResultsDir() ? '' : ` --results ${resultsDir}`;
  return `brainbench run --resume ${runId}${results}`;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export function planPath(runDir: string): string {
  return join(runDir, 'run.json');
}

export async function writePlan(runDir: string, plan: RunPlan): Promise<void> {
  await writeFileAtomic(planPath(runDir), `${JSON.stringify(plan, null, 2)}\n`);
}

export async function readPlan(runDir: string, lanesFile: (given?: string) => string = (given) => given ?? ''): Promise<RunPlan> {
  let text: string;
  try {
    text = await readFile(planPath(runDir), 'utf8');
  } catch {
    if (existsSync(join(runDir, LEGACY_TASK_REQUEST))) return legacyTaskPlan(runDir, lanesFile);
    throw new Error(`no run at ${runDir} (run.json missing) — 'ls ${join(runDir, '..')}' lists the runs`);
  }
  return JSON.parse(text) as RunPlan;
}
