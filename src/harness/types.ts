// What drives a trial (DESIGN §13): one small interface. Its input is the instruction and the
// environment, never the task: the hidden tests cannot reach a harness by type. The oracle, which
// alone needs a task's solution folder, is built for each task from that folder (./oracle.ts).
import type { ReadyLane } from '../lanes/manager.js';
import type { TrialEnvironment } from '../tasks/environment.js';
import type { Sampling } from '../types.js';

export interface HarnessContext {
  /** What the agent is told (instruction.md, verbatim). */
  instruction: string;
  /** A label for records and trajectories (the task's folder name); never a path. */
  taskId: string;
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
  /** Tokens so far and the decode rate, as the builtin loop reports them (attempt.progress events). */
  onProgress?: (p: { completionTokens: number; tokPerSec: number | null }) => void;
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
  /** Tool calls that named the hidden tests, grader, solution or reward (./peek.ts). */
  peekAttempts?: number;
  /** Decode rate of the brain's replies as measured (the proxy for external CLIs). */
  decodeTokS?: number | null;
}

export interface Harness {
  /** builtin, oracle, null, or an external CLI's id. */
  readonly name: string;
  /** Whether it talks to the lane (oracle and null never start one). */
  readonly needsLane: boolean;
  /** Why it cannot run on this machine (a CLI that is not installed), before any lane starts; null when it can. */
  preflight?(): string | null;
  /** The oracle only: itself, built for one task's solution folder (null: the task has none). */
  forSolution?(solutionDir: string | null): Harness;
  run(ctx: HarnessContext): Promise<HarnessResult>;
}

export function result(status: HarnessResult['status'], detail: string, extra: Partial<HarnessResult> = {}): HarnessResult {
  return { status, detail, toolCalls: null, toolsCalled: [], turns: 0, tokens: { prompt: 0, completion: 0 }, ttftS: null, answer: '', escapeAttempts: 0, ...extra };
}
