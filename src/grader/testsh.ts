// The task Grader (DESIGN §12; the prompt suites' Grader is ./checks.ts): tests/ copied into a
// fresh sandbox (workspace mounted, /tests, a writable /logs/verifier, no network, the verifier's
// own timeout), `bash /tests/test.sh`, then the reward it wrote. What goes wrong is a GraderError,
// the grader_error bucket.
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TrialEnvironment } from '../tasks/environment.js';
import type { Task } from '../tasks/types.js';

export class GraderError extends Error {
  override name = 'GraderError';
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

export interface GraderResult {
  reward: number;
  output: string;
}

const REWARD_MAX_BYTES = 64 * 1024;
/** The tail of test.sh's output the record keeps. */
export const GRADER_OUTPUT_CHARS = 2048;

const tail = (text: string) => (text.length > GRADER_OUTPUT_CHARS ? `…${text.slice(-GRADER_OUTPUT_CHARS)}` : text);

/** A copy the sandbox user may read (the suite itself may sit where it cannot). */
export function copyReadable(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  chmodTree(to);
}

function chmodTree(path: string): void {
  chmodSync(path, 0o755);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) chmodTree(p);
    else if (entry.isFile()) chmodSync(p, 0o755);
  }
}

function readCapped(file: string): string {
  return readFileSync(file).subarray(0, REWARD_MAX_BYTES).toString('utf8');
}

/** reward.txt holds one number; reward.json `{"reward": n}` or a single numeric value. */
export function readReward(logsDir: string, output: string): number {
  const txt = join(logsDir, 'reward.txt');
  const json = join(logsDir, 'reward.json');
  if (existsSync(txt)) {
    const text = readCapped(txt).trim();
    const value = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(value)) throw new GraderError(`reward.txt is not a number: ${JSON.stringify(text.slice(0, 80))}`, output);
    return value;
  }
  if (existsSync(json)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readCapped(json));
    } catch (err) {
      throw new GraderError(`reward.json is not JSON: ${(err as Error).message}`, output);
    }
    const values = typeof parsed === 'object' && parsed !== null ? Object.entries(parsed as Record<string, unknown>) : [];
    const numbers = values.filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
    const reward = values.find(([k]) => k === 'reward')?.[1] ?? (numbers.length === 1 ? numbers[0]![1] : undefined);
    if (typeof reward !== 'number' || !Number.isFinite(reward)) throw new GraderError('reward.json has no numeric "reward"', output);
    return reward;
  }
  throw new GraderError('test.sh wrote no /logs/verifier/reward.txt or reward.json', output);
}

/** Runs the task's test.sh on the workspace; `scratch` is the trial's own host folder. */
export async function runGrader(task: Task, env: TrialEnvironment, scratch: string, signal?: AbortSignal): Promise<GraderResult> {
  const tests = join(scratch, 'tests');
  const logs = join(scratch, 'logs');
  copyReadable(task.testsDir, tests);
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(join(logs, 'verifier'), { recursive: true });
  chmodSync(logs, 0o777);
  chmodSync(join(logs, 'verifier'), 0o777); // the sandbox user writes its reward here
  const timeoutS = task.config.verifierTimeoutS;
  const exit = await env.exec(['bash', '/tests/test.sh'], {
    binds: [{ host: tests, at: '/tests' }, { host: logs, at: '/logs' }],
    env: task.config.verifierEnv,
    timeoutMs: timeoutS * 1000,
    ...(signal && { signal }),
  });
  const output = tail(exit.output);
  if (exit.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
  if (exit.timedOut) throw new GraderError(`test.sh ran past its ${timeoutS} s ([verifier] timeout_sec) and was killed`, output);
  return { reward: readReward(join(logs, 'verifier'), output), output };
}
