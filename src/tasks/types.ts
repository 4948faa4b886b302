// Task suites (DESIGN §12): Harbor / Terminal-Bench 2 task folders, loaded unmodified, and what
// one trial of a task records. Prompt suites keep their own shapes in ../types.ts.
import type { LaneScorecard, ScorecardCompleteness, TrialOutcome } from '../types.js';

export type { TrialOutcome, TrialRecord } from '../types.js';

export const TRIAL_OUTCOMES: readonly TrialOutcome[] = ['pass', 'grader_fail', 'timeout', 'no_tool_calls', 'harness_error', 'grader_error', 'lane_error'];

export interface TaskConfig {
  /** [agent] timeout_sec. */
  agentTimeoutS: number;
  /** [verifier] timeout_sec. */
  verifierTimeoutS: number;
  /** [verifier] env: variables test.sh runs with. */
  verifierEnv: Record<string, string>;
  /** [agent] turn_budget (a brainbench extension; Harbor has none). */
  turnBudget?: number;
  /** The whole parsed task.toml; fields brainbench does not know are kept. */
  raw: Record<string, unknown>;
}

export interface Task {
  /** The folder name, checked to be a safe path segment. */
  id: string;
  dir: string;
  instruction: string;
  config: TaskConfig;
  /** environment/ (the Docker build context), or null when the task has none. */
  environmentDir: string | null;
  testsDir: string;
  /** solution/ holding solve.sh, or null. */
  solutionDir: string | null;
}

export interface TaskSuite {
  name: string;
  path: string;
  /** sha256 over every task folder's files. */
  hash: string;
  tasks: Task[];
}

export interface TaskStats {
  task_id: string;
  runs: number;
  pass_count: number;
  pass_rate: number | null;
  mean_reward: number | null;
  outcomes: Partial<Record<TrialOutcome, number>>;
  skipped?: string;
}

export interface TaskScorecard {
  kind: 'tasks';
  /** `<lane>+<harness>`: what the scorecard file is named by. */
  key: string;
  lane: string;
  harness: string;
  environment: string;
  simulated: boolean;
  suite: string;
  suite_hash: string;
  completeness: ScorecardCompleteness;
  pass_rate: number | null;
  mean_reward: number | null;
  outcomes: Partial<Record<TrialOutcome, number>>;
  wall_mean_s: number | null;
  /** From the trials' records (for an external CLI: what the recording proxy saw). */
  turns_total?: number;
  tokens_total?: { prompt: number; completion: number };
  tool_calls_total?: number;
  decode_tok_s_mean?: number | null;
  /** The grader-peek audit: attempts in all, and how many trials made one. */
  peek_attempts?: number;
  peek_trials?: number;
  tasks: TaskStats[];
  run_id: string;
  n: number;
  brainbench_version: string;
  started_at: string;
  ended_at: string;
  /** What makes it reproducible (DESIGN §15): lane command, sampling, engine build, driver …; absent in cards written before. */
  reproducibility?: LaneScorecard['reproducibility'];
}
