// Scripted engine events, a fake controller that records its calls, and helpers to drive the
// cockpit in tests.
import type { CockpitController } from '../../src/cockpit/controller.js';
import { createCockpitStore, type CockpitStore, type LaneEntry } from '../../src/store.js';
import type { AttemptRecord, EngineEvent, LaneScorecard, Outcome, PlannedPrompt, PromptStats, TelemetrySample } from '../../src/types.js';

export const LANES: LaneEntry[] = [
  { id: 'qwen3-30b-moe-llamacpp-q4km', kind: 'llamacpp', port: 8080, state: 'ready' },
  { id: 'qwen3-30b-moe-vllm-fp8', kind: 'vllm', port: 8000, state: 'stopped' },
  { id: 'nim-incumbent', kind: 'nim', port: 8000, state: 'stopped' },
  { id: 'demo', kind: 'demo', port: null, state: 'stopped' },
];

export function prompts(count: number): PlannedPrompt[] {
  return Array.from({ length: count }, (_, i) => ({ id: `p${i + 1}_prompt_number_${i + 1}`, category: 'c', core: true }));
}

export function record(promptId: string, attempt: number, outcome: Outcome = 'pass', wall = 12, lane = LANES[0]!.id): AttemptRecord {
  return {
    lane,
    prompt_id: promptId,
    attempt,
    outcome,
    check_passed: outcome === 'pass',
    why: outcome === 'pass' ? "matched '42,000'" : 'missing keys [os]',
    correct_tool: true,
    tools_called: ['read_file'],
    turns: 3,
    tokens: { prompt: 900, completion: 120 },
    wall_s: wall,
    ttft_s: 0.4,
    answer: outcome === 'pass' ? 'The budget is 42,000.' : 'I think it is 41,000.',
    transcript: `/runs/r1/transcripts/${promptId}-${attempt}.json`,
    escape_attempts: 0,
    started_at: '2025-01-01T00:00:00.000Z',
    ended_at: '2025-01-01T00:00:12.000Z',
  };
}

export function runStart(list: PlannedPrompt[], opts: { n?: number; done?: AttemptRecord[]; lane?: string; parallel?: number } = {}): EngineEvent {
  const n = opts.n ?? 5;
  return {
    type: 'run.start',
    runId: 'r1',
    lane: opts.lane ?? LANES[0]!.id,
    suite: 'brain-v1',
    n,
    parallel: opts.parallel ?? 1,
    prompts: list,
    total: list.filter((p) => !p.skipped).length * n,
    done: opts.done ?? [],
    simulated: false,
    startedAt: new Date(Date.now() - 3_600_000).toISOString(),
  };
}

export function sample(util: number | null, opts: { noGpu?: boolean; t?: number } = {}): TelemetrySample {
  return {
    t: opts.t ?? Date.now(),
    gpus: opts.noGpu ? null : [{ index: 0, util_pct: util, temp_c: 71, mem_used_mb: null, mem_total_mb: null, power_w: 60 }],
    unified_used_gb: 31.8,
    unified_total_gb: 128,
    mem_pressure_some_avg10: 0,
  };
}

function promptStats(id: string, passRate: number): PromptStats {
  return {
    prompt_id: id,
    category: 'c',
    core: true,
    vibe: false,
    runs: 5,
    pass_count: Math.round(passRate * 5),
    pass_rate: passRate,
    agreement: 1,
    answer_agreement: 1,
    correct_tool_rate: 1,
    runaway_rate: 0,
    wall: { mean: 10, min: 5, max: 20 },
    wilson95: null,
    outcomes: {},
    lane_errors: 0,
  };
}

export function scorecard(lane: string, corePassRate: number, opts: { simulated?: boolean; tokPerSec?: number } = {}): LaneScorecard {
  return {
    lane,
    simulated: opts.simulated ?? false,
    core_pass: 8,
    core_n: 8,
    core_pass_rate: corePassRate,
    consistency: 0.9,
    runaway_rate: 0.05,
    honesty_pass_rate: 1,
    json_format_pass_rate: 1,
    clean_run_rate: 1,
    tokens_per_sec: opts.tokPerSec ?? 83.5,
    decode_tokens_per_sec: null,
    latency: { mean: 10, p50: 9, p95: 20, max: 30 },
    telemetry: { n_samples: 10, gpu_util_mean: 80, gpu_util_max: 99, unified_used_gb_max: 31.8, gpu_temp_c_max: 71, power_w_max: 80 },
    escape_attempts: 0,
    prompts: [promptStats('p1_read_grounding', corePassRate), promptStats('p2_multistep_chain', 0.6)],
    reproducibility: {
      suite: 'brain-v1',
      suite_hash: 'h',
      fixture_hash: 'f',
      n: 5,
      parallel: 1,
      adaptive: false,
      sampling: {},
      lane_command: '',
      brainbench_version: '0.1.0',
      started_at: '2025-01-01T00:00:00.000Z',
      ended_at: '2025-01-01T01:00:00.000Z',
      machine: 'test',
      run_id: 'r1',
    },
  };
}

export type ControllerCall = [method: keyof CockpitController, ...args: unknown[]];

/** A controller that records every call and answers from the given data. */
export function fakeController(data: { cards?: LaneScorecard[]; transcript?: string; failSwap?: string; queue?: string[] } = {}) {
  const calls: ControllerCall[] = [];
  const controller: CockpitController = {
    swapLane: async (id) => {
      calls.push(['swapLane', id]);
      if (data.failSwap) throw new Error(data.failSwap);
    },
    startRun: async (options) => void calls.push(options ? ['startRun', options] : ['startRun']),
    pauseRun: () => void calls.push(['pauseRun']),
    resumeRun: () => void calls.push(['resumeRun']),
    stopRun: async () => void calls.push(['stopRun']),
    swapDuringRun: async (id, choice) => void calls.push(['swapDuringRun', id, choice]),
    loadLeaderboard: async () => {
      calls.push(['loadLeaderboard']);
      return data.cards ?? [];
    },
    readTranscript: async (path) => {
      calls.push(['readTranscript', path]);
      return data.transcript ?? '[]';
    },
    quit: async () => void calls.push(['quit']),
    ...(data.queue
      ? {
          deferNextLane: async () => {
            calls.push(['deferNextLane']);
            return data.queue!;
          },
        }
      : {}),
  };
  return { controller, calls };
}

export function storeWithLanes(): CockpitStore {
  return createCockpitStore({ lanes: LANES.map((l) => ({ ...l })), n: 5, suite: 'brain-v1' });
}
