// Synthetic scorecards for the verdict tests: only what the statistics read is filled in.
import type { TaskScorecard, TaskStats } from '../../src/tasks/types.js';
import type { LaneScorecard, PromptStats } from '../../src/types.js';

export function stat(id: string, pass: number, runs: number, fields: Partial<PromptStats> = {}): PromptStats {
  return {
    prompt_id: id,
    category: 'grounding',
    core: true,
    vibe: false,
    runs,
    pass_count: pass,
    pass_rate: runs === 0 ? null : pass / runs,
    agreement: runs === 0 ? null : Math.max(pass, runs - pass) / runs,
    answer_agreement: null,
    correct_tool_rate: null,
    runaway_rate: 0,
    wall: null,
    wilson95: null,
    outcomes: {},
    lane_errors: 0,
    ...fields,
  };
}

/** A lane whose prompt i passed passes[i] of n attempts (prompt ids p1, p2, …). */
export function laneCard(lane: string, passes: number[], n = 5, fields: Partial<LaneScorecard> = {}): LaneScorecard {
  const prompts = passes.map((pass, i) => stat(`p${i + 1}`, pass, n));
  const rates = prompts.map((p) => p.pass_rate!);
  return {
    lane,
    simulated: false,
    completeness: { attempts_done: n * passes.length, attempts_planned: n * passes.length, complete: true },
    core_pass: prompts.filter((p) => p.pass_count > n / 2).length,
    core_n: prompts.length,
    core_pass_rate: rates.reduce((a, b) => a + b, 0) / rates.length,
    consistency: 1,
    runaway_rate: 0,
    honesty_pass_rate: null,
    json_format_pass_rate: null,
    clean_run_rate: null,
    tokens_per_sec: 50,
    decode_tokens_per_sec: null,
    latency: null,
    telemetry: null,
    escape_attempts: 0,
    prompts,
    reproducibility: {
      suite: 'brain-v1',
      suite_hash: 'abc',
      fixture_hash: 'def',
      n,
      parallel: 1,
      adaptive: false,
      sampling: {},
      lane_command: '',
      brainbench_version: '0.1.0',
      started_at: '2026-01-01T00:00:00Z',
      ended_at: '2026-01-01T01:00:00Z',
      machine: 'test',
      run_id: `20260101-000000-${lane.length.toString(16).padStart(4, '0')}`,
    },
    ...fields,
  };
}

function task(id: string, passes: number, runs: number): TaskStats {
  return { task_id: id, runs, pass_count: passes, pass_rate: passes / runs, mean_reward: passes / runs, outcomes: {} };
}

/** The task scorecard of (lane, harness): tasks t1 and t2 passed passes[0] and passes[1] of 5. */
export function taskCard(lane: string, harness: string, passes: [number, number], complete = true): TaskScorecard {
  const tasks = [task('t1', passes[0], 5), task('t2', passes[1], 5)];
  return {
    kind: 'tasks',
    key: `${lane}+${harness}`,
    lane,
    harness,
    environment: 'sandbox',
    simulated: false,
    suite: 'tasks-v1',
    suite_hash: 'h',
    completeness: { attempts_done: complete ? 10 : 4, attempts_planned: 10, complete },
    pass_rate: (passes[0] + passes[1]) / 10,
    mean_reward: null,
    outcomes: {},
    wall_mean_s: null,
    tasks,
    run_id: 'r',
    n: 5,
    brainbench_version: '0',
    started_at: '',
    ended_at: '',
  };
}
