// One trial of one task, as Harbor's named steps (DESIGN §12): build the environment → run the
// harness (no tests, no solution reachable) → run the grader in a fresh sandbox → read the reward
// → classify. Each step has its own timeout and its own error type; the error type is the bucket.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadyLane } from '../lanes/manager.js';
import type { Sampling } from '../types.js';
import type { EnvironmentKind, TrialEnvironment } from './environment.js';
import { testShGrader } from '../grader/index.js';
import { GraderError, type GraderResult } from '../grader/testsh.js';
import type { Harness, HarnessContext, HarnessResult } from '../harness/types.js';
import type { Task, TrialOutcome } from './types.js';

/** The environment could not be built: the harness never started (harness_error). */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

export interface TrialSpec {
  task: Task;
  harness: Harness;
  environment: EnvironmentKind;
  /** The trial's own empty host folder; removed when the trial ends. */
  scratch: string;
  transcriptPath: string;
  hide: readonly string[];
  lane?: ReadyLane;
  sampling: Sampling;
  /** Flags over task.toml: --timeout, --turn-budget. */
  timeoutS?: number;
  turnBudget?: number;
  signal?: AbortSignal;
  onProgress?: HarnessContext['onProgress'];
}

export interface TrialResult {
  outcome: TrialOutcome;
  reward: number | null;
  why: string;
  agent: HarnessResult | null;
  graderOutput: string;
  wallS: number;
}

const DEFAULT_TASK_TURN_BUDGET = 40;

async function buildEnvironment(spec: TrialSpec): Promise<TrialEnvironment> {
  try {
    return await spec.environment.create(spec.task, join(spec.scratch, 'workspace'));
  } catch (err) {
    throw new EnvironmentError(`could not build the ${spec.environment.name} environment: ${(err as Error).message}`);
  }
}

const isAbort = (err: unknown) => err instanceof Error && err.name === 'AbortError';

/** A harness that threw (not cancelled) crashed: harness_error, with its message. */
async function runAgent(spec: TrialSpec, env: TrialEnvironment): Promise<HarnessResult> {
  const { task } = spec;
  // only the oracle is told the solution folder; no harness is ever told where the tests are
  const harness = spec.harness.forSolution?.(task.solutionDir) ?? spec.harness;
  const crashed = (err: unknown): HarnessResult => {
    if (isAbort(err)) throw err;
    return { status: 'error', detail: `the ${spec.harness.name} harness crashed: ${(err as Error).message}`, toolCalls: null, toolsCalled: [], turns: 0, tokens: { prompt: 0, completion: 0 }, ttftS: null, answer: '', escapeAttempts: 0 };
  };
  return harness.run({
    instruction: task.instruction,
    taskId: task.id,
    env,
    scratch: spec.scratch,
    timeoutS: spec.timeoutS ?? task.config.agentTimeoutS,
    turnBudget: spec.turnBudget ?? task.config.turnBudget ?? DEFAULT_TASK_TURN_BUDGET,
    transcriptPath: spec.transcriptPath,
    hide: spec.hide,
    sampling: spec.sampling,
    ...(spec.lane && { lane: spec.lane }),
    ...(spec.signal && { signal: spec.signal }),
    ...(spec.onProgress && { onProgress: spec.onProgress }),
  }).catch(crashed);
}

/** Why the agent's side decides the bucket before the reward does; null when the reward decides. */
function agentBucket(agent: HarnessResult): TrialOutcome | null {
  if (agent.status === 'lane_error') return 'lane_error';
  if (agent.status === 'error') return 'harness_error';
  if (agent.status === 'timeout') return 'timeout';
  if (agent.toolCalls === 0) return 'no_tool_calls';
  return null;
}

function classify(agent: HarnessResult, graded: GraderResult | GraderError): Pick<TrialResult, 'outcome' | 'reward' | 'why'> {
  const reward = graded instanceof GraderError ? null : graded.reward;
  const bucket = agentBucket(agent);
  if (bucket) return { outcome: bucket, reward, why: agent.detail };
  if (graded instanceof GraderError) return { outcome: 'grader_error', reward: null, why: graded.message };
  return reward! >= 1 ? { outcome: 'pass', reward, why: `reward ${reward}` } : { outcome: 'grader_fail', reward, why: `reward ${reward} < 1` };
}

export async function runTrial(spec: TrialSpec): Promise<TrialResult> {
  const t0 = performance.now();
  const wallS = () => Math.round(performance.now() - t0) / 1000;
  rmSync(spec.scratch, { recursive: true, force: true });
  mkdirSync(spec.scratch, { recursive: true });
  try {
    let env: TrialEnvironment;
    try {
      env = await buildEnvironment(spec);
    } catch (err) {
      return { outcome: 'harness_error', reward: null, why: (err as Error).message, agent: null, graderOutput: '', wallS: wallS() };
    }
    const agent = await runAgent(spec, env);
    // a harness that crashed or a lane that failed is not graded: its workspace says nothing
    if (agent.status === 'error' || agent.status === 'lane_error') {
      return { ...classify(agent, new GraderError('not graded', '')), reward: null, agent, graderOutput: '', wallS: wallS() };
    }
    const graded = await testShGrader.grade({ task: spec.task, env, scratch: spec.scratch }, spec.signal).catch((err: unknown) => {
      if (err instanceof GraderError) return err;
      if (isAbort(err)) throw err;
      return new GraderError(`the grader could not run: ${(err as Error).message}`, '');
    });
    const graderOutput = graded.output;
    return { ...classify(agent, graded), agent, graderOutput, wallS: wallS() };
  } finally {
    rmSync(spec.scratch, { recursive: true, force: true });
  }
}
