// Shared by the grader's hostile tests: a one-task suite, its bwrap workspace, the agent's
// planting step (a shell script run in the trial's sandbox, as run_shell would) and the grading.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGrader, type GraderResult } from '../../src/grader/testsh.js';
import { bwrapEnvironment, type TrialEnvironment } from '../../src/tasks/environment.js';
import { loadTaskSuite } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/types.js';
import { tempDir } from '../helpers/tmp.js';

/** In /tmp, readable by the sandbox's own uid (the tests' TMPDIR is private). */
export function sandboxTemp(prefix = 'bb-grader-'): string {
  const dir = tempDir(prefix, '/tmp');
  chmodSync(dir, 0o755);
  return dir;
}

export interface HostileTask {
  dockerfile?: string;
  testSh: string;
  toml?: string;
  /** More files of the task, relative to its folder. */
  files?: Record<string, string>;
}

export interface Trial {
  task: Task;
  env: TrialEnvironment;
  scratch: string;
  suite: string;
}

export async function trialOf(spec: HostileTask): Promise<Trial> {
  const suite = sandboxTemp('bb-grader-suite-');
  const files: Record<string, string> = {
    'job/instruction.md': 'Write hello to /app/out.txt.\n',
    'job/task.toml': spec.toml ?? '[agent]\ntimeout_sec = 30\n[verifier]\ntimeout_sec = 60\n',
    'job/environment/Dockerfile': spec.dockerfile ?? 'FROM debian:bookworm-slim\nWORKDIR /app\n',
    'job/tests/test.sh': spec.testSh,
    ...spec.files,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(suite, rel, '..'), { recursive: true });
    writeFileSync(join(suite, rel), text);
  }
  const [task] = loadTaskSuite(suite).tasks;
  const root = sandboxTemp();
  const env = await bwrapEnvironment([suite]).create(task!, join(root, 'workspace'));
  return { task: task!, env, scratch: join(root, 'scratch'), suite };
}

/** What the agent does: a script in the trial's own sandbox, on the workspace. */
export async function plant(trial: Trial, script: string): Promise<void> {
  const exit = await trial.env.exec(['/bin/sh', '-c', script], { binds: [], timeoutMs: 60_000 });
  if (exit.code !== 0) throw new Error(`planting failed: ${exit.output}`);
}

export type Graded = { ok: true; result: GraderResult } | { ok: false; error: Error & { output?: string } };

export async function grade(trial: Trial): Promise<Graded> {
  mkdirSync(trial.scratch, { recursive: true });
  try {
    return { ok: true, result: await runGrader(trial.task, trial.env, trial.scratch) };
  } catch (err) {
    return { ok: false, error: err as Error };
  }
}

/** Not a pass: a reward below 1, or a grader error (whose message, when given, must match). */
export function notPass(graded: Graded): string {
  return graded.ok ? `reward ${graded.result.reward}` : `${graded.error.name}: ${graded.error.message}`;
}

/** test.sh: 1 only when /app/out.txt says hello, checked with grep (looked up on PATH). */
export const HELLO_TEST = '#!/bin/bash\nif grep -qx hello /app/out.txt 2>/dev/null; then echo 1; else echo 0; fi > /logs/verifier/reward.txt\n';
