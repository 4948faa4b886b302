// What drives a trial (DESIGN §13): one small interface, three kinds. `builtin` is brainbench's
// own tool loop on the workspace, `oracle` runs the task's solution/solve.sh instead of a brain,
// `null` does nothing (every grader must then score 0). The trial does not know which it holds.
import { join } from 'node:path';
import { runAttempt } from '../agent/attempt.js';
import type { ReadyLane } from '../lanes/manager.js';
import type { Prompt, Sampling } from '../types.js';
import type { TrialEnvironment } from '../tasks/environment.js';
import { copyReadable } from '../grader/testsh.js';
import { countPeeks } from './peek.js';
import type { Task } from '../tasks/types.js';

export interface HarnessContext {
  task: Task;
  env: TrialEnvironment;
  /** The trial's own host folder (not visible to the harness unless bound). */
  scratch: string;
  timeoutS: number;
  turnBudget: number;
  transcriptPath: string;
  /** Host paths the sandbox hides (the suite, the results). */
  hide: readonly string[];
  signal?: AbortSignal;
  lane?: ReadyLane;
  sampling: Sampling;
}

export interface HarnessResult {
  /** exited: the harness ended by itself (a turn budget counts); error: it could not start or crashed. */
  status: 'exited' | 'timeout' | 'lane_error' | 'error';
  detail: string;
  /** Tool calls the brain made; null for a harness without a brain (oracle, null). */
  toolCalls: number | null;
  toolsCalled: string[];
  turns: number;
  tokens: { prompt: number; completion: number };
  ttftS: number | null;
  answer: string;
  escapeAttempts: number;
  /** Tool calls that named the hidden tests, grader, solution or reward (../harness/peek.ts). */
  peekAttempts?: number;
  /** Decode rate of the brain's replies as measured (the proxy for external CLIs). */
  decodeTokS?: number | null;
}

export interface Harness {
  /** builtin, oracle, null, or an external CLI's id (../harness/). */
  readonly name: string;
  /** Whether it talks to the lane (oracle and null never start one). */
  readonly needsLane: boolean;
  /** Why it cannot run on this machine (a CLI that is not installed), before any lane starts; null when it can. */
  preflight?(): string | null;
  run(ctx: HarnessContext): Promise<HarnessResult>;
}

export const HARNESS_NAMES = ['builtin', 'oracle', 'null'] as const;

export function result(status: HarnessResult['status'], detail: string, extra: Partial<HarnessResult> = {}): HarnessResult {
  return { status, detail, toolCalls: null, toolsCalled: [], turns: 0, tokens: { prompt: 0, completion: 0 }, ttftS: null, answer: '', escapeAttempts: 0, ...extra };
}

const nullHarness: Harness = {
  name: 'null',
  needsLane: false,
  run: () => Promise.resolve(result('exited', 'did nothing (null harness)')),
};

const oracleHarness: Harness = {
  name: 'oracle',
  needsLane: false,
  async run(ctx) {
    if (!ctx.task.solutionDir) return result('error', 'the task has no solution/solve.sh');
    const solution = join(ctx.scratch, 'solution');
    copyReadable(ctx.task.solutionDir, solution);
    const exit = await ctx.env.exec(['bash', '/solution/solve.sh'], {
      binds: [{ host: solution, at: '/solution', readOnly: true }],
      timeoutMs: ctx.timeoutS * 1000,
      ...(ctx.signal && { signal: ctx.signal }),
    });
    if (exit.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    if (exit.timedOut) return result('timeout', `solve.sh ran past ${ctx.timeoutS} s`, { answer: exit.output.slice(-2048) });
    return result('exited', `solve.sh exited with code ${exit.code ?? 'killed'}`, { answer: exit.output.slice(-2048) });
  },
};

export function taskSystemPrompt(workdir: string): string {
  return [
    `You are an agent working on a software task in the folder ${workdir} (the working folder).`,
    'Use the tools to look at the files, change them and run commands (run_shell runs in that folder).',
    'Do the task; when it is done, reply with a short summary without calling a tool.',
  ].join(' ');
}

/** The instruction as a prompt the tool loop understands (graded by test.sh, not by a check). */
function promptOf(task: Task): Prompt {
  return {
    id: task.id,
    prompt: task.instruction,
    category: 'task',
    core: true,
    vibe: false,
    expect_tool_any: [],
    check: { kind: 'regex', all: [] },
    source: { file: join(task.dir, 'instruction.md'), line: 1 },
    extra: {},
  };
}

const builtinHarness: Harness = {
  name: 'builtin',
  needsLane: true,
  async run(ctx) {
    if (!ctx.lane) return result('error', 'the builtin harness needs a lane');
    // its run_shell is the bubblewrap sandbox; inside a container it would run the wrong system
    if (ctx.env.kind !== 'bwrap') return result('error', 'the builtin harness runs tasks in the bubblewrap environment only (for now)');
    const run = await runAttempt({
      baseURL: ctx.lane.baseURL,
      model: ctx.lane.model,
      ...(ctx.lane.apiKey && { apiKey: ctx.lane.apiKey }),
      prompt: promptOf(ctx.task),
      workDir: ctx.env.workspace,
      mountAt: ctx.env.workdir,
      transcriptPath: ctx.transcriptPath,
      sampling: ctx.sampling,
      turnBudget: ctx.turnBudget,
      timeoutS: ctx.timeoutS,
      shell: true,
      systemPrompt: taskSystemPrompt(ctx.env.workdir),
      hide: ctx.hide,
      ...(ctx.signal && { signal: ctx.signal }),
    });
    const common = {
      toolCalls: run.tool_calls.length,
      toolsCalled: run.tool_calls.map((c) => c.name),
      turns: run.turns,
      tokens: run.tokens,
      ttftS: run.ttft_s,
      answer: run.answer,
      escapeAttempts: run.escape_attempts,
      peekAttempts: countPeeks(run.tool_calls),
    };
    if (run.status === 'lane_error') return result('lane_error', run.error ?? 'the lane failed', common);
    if (run.status === 'runaway' && run.error?.startsWith('timeout')) return result('timeout', run.error, common);
    return result('exited', run.error ?? 'the agent gave its final answer', common);
  },
};

export function harnessNamed(name: string): Harness {
  const found = [builtinHarness, oracleHarness, nullHarness].find((h) => h.name === name);
  if (!found) throw new Error(`unknown harness '${name}' (harnesses: ${HARNESS_NAMES.join(', ')})`);
  return found;
}
