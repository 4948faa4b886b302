import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defaultResultsDir } from '../paths.js';
import writeFileAtomic from 'write-file-atomic';
import type { Sampling } from '../types.js';

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

export async function readPlan(runDir: string): Promise<RunPlan> {
  let text: string;
  try {
    text = await readFile(planPath(runDir), 'utf8');
  } catch {
    throw new Error(`no run at ${runDir} (run.json missing) — 'ls ${join(runDir, '..')}' lists the runs`);
  }
  return JSON.parse(text) as RunPlan;
}
