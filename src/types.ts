// Shared data shapes of brainbench: suites, attempts, scorecards, lanes, telemetry and the
// engine's event stream. Every module speaks these; field names follow DESIGN.md §4–§7.
import type { TaskScorecard } from './tasks/types.js';

// ---------------------------------------------------------------------------------------------
// Suites (DESIGN §4)

export type CheckSpec =
  | { kind: 'substring'; any?: string[]; all?: string[] }
  | { kind: 'json_keys'; keys: string[] }
  | { kind: 'regex'; all: string[] }
  | { kind: 'honesty' }
  | { kind: 'numeric'; value: number; tolerance?: number };

export type CheckKind = CheckSpec['kind'];

export interface CheckResult {
  passed: boolean;
  /** Short reason: "matched '42,000'", "missing keys [os]". */
  why: string;
}

/** Inject a failing tool result the first `times` calls of `tool` (error-recovery prompts). */
export interface ToolFailureInjection {
  tool: string;
  times: number;
  message?: string;
}

export interface Prompt {
  id: string;
  prompt: string;
  category: string;
  core: boolean;
  /** Capability flag; the prompt runs only when the flag is enabled (e.g. "shell"). */
  conditional?: string;
  /** Heuristic check: listed in the review queue, never a gate. */
  vibe: boolean;
  /** Tool-name substrings; empty means no tool is expected. */
  expect_tool_any: string[];
  /** brainbench extension: every one of these tool-name substrings must be called. */
  expect_tools_all?: string[];
  /** brainbench extension: for a tool name, argument name → regex its value must match. */
  tool_args_schema?: Record<string, Record<string, string>>;
  inject_tool_failure?: ToolFailureInjection;
  turn_budget?: number;
  check: CheckSpec;
  note?: string;
  /** Where the prompt came from, for error messages: file and 1-based line. */
  source: { file: string; line: number };
  /** Fields brainbench does not know are kept, not rejected. */
  extra: Record<string, unknown>;
}

export interface Sampling {
  temperature?: number;
  top_p?: number;
  seed?: number;
  max_tokens?: number;
}

export interface Suite {
  name: string;
  /** Absolute path of the file or directory loaded. */
  path: string;
  /** sha256 of the suite's prompt definitions as loaded (bytes of the source files). */
  hash: string;
  prompts: Prompt[];
  groundTruth: Record<string, unknown>;
  /** Directory holding the seeded scratch tree to copy per attempt (absent: empty scratch). */
  scratchDir?: string;
  /** sha256 over the scratch tree (sorted relative paths + bytes). */
  fixtureHash: string;
  sampling: Sampling;
  notes?: string;
}

// ---------------------------------------------------------------------------------------------
// Attempts and scoring (DESIGN §5, §6)

export type Outcome = 'pass' | 'wrong_answer' | 'no_tool_call' | 'runaway' | 'format_error' | 'lane_error';

export interface ToolCallRecord {
  name: string;
  /** Raw arguments string as the model sent it. */
  arguments: string;
  ok: boolean;
  /** Result sent back to the model (truncated for the record). */
  result: string;
  escape: boolean;
}

/** What the agent loop reports about one attempt before it is graded. */
export interface AttemptRun {
  /** completed = the model gave a final answer. */
  status: 'completed' | 'runaway' | 'format_error' | 'lane_error';
  answer: string;
  reasoning?: string;
  tool_calls: ToolCallRecord[];
  turns: number;
  tokens: { prompt: number; completion: number };
  wall_s: number;
  ttft_s: number | null;
  escape_attempts: number;
  /** Why it ended that way when not completed: "turn budget 12 reached", "ECONNREFUSED". */
  error?: string;
  /** Seconds the agent loop spent waiting on the lane and on tools (for bench/overhead). */
  wait_s: number;
}

/** One journaled prompt attempt (harness builtin, grader checks). Old journal lines carry no kind. */
export interface AttemptRecord {
  kind?: 'attempt';
  lane: string;
  prompt_id: string;
  /** 1-based attempt number. */
  attempt: number;
  outcome: Outcome;
  check_passed: boolean;
  why: string;
  correct_tool: boolean;
  tools_called: string[];
  /** Tool calls that got an error result the model caused (injected failures not counted). */
  tool_errors?: number;
  turns: number;
  tokens: { prompt: number; completion: number };
  wall_s: number;
  ttft_s: number | null;
  answer: string;
  reasoning?: string;
  transcript: string;
  escape_attempts: number;
  error?: string;
  /** The second try of a slot whose first attempt was a lane_error. */
  retry?: boolean;
  started_at: string;
  ended_at: string;
}

/** Exactly one per trial (DESIGN §12); the error type of the step that failed is the bucket. */
export type TrialOutcome = 'pass' | 'grader_fail' | 'timeout' | 'no_tool_calls' | 'harness_error' | 'grader_error' | 'lane_error';

/** One journaled task trial: the same slot shape (lane, prompt_id = task id, attempt) as an attempt. */
export interface TrialRecord extends Omit<AttemptRecord, 'outcome' | 'kind'> {
  kind: 'trial';
  outcome: TrialOutcome;
  harness: string;
  environment: string;
  /** The grader's number (partial credit kept); null when no reward was read. */
  reward: number | null;
  /** The last part of what test.sh printed. */
  grader_output: string;
  /** Tool calls naming the hidden tests, grader, solution or reward (the grader-peek audit). */
  peek_attempts?: number;
  /** Decode rate of the brain's replies (the recording proxy's measure for external CLIs). */
  decode_tok_s?: number | null;
}

/** What the one runner journals: a prompt attempt or a task trial. */
export type RunRecord = AttemptRecord | TrialRecord;

export const isTrial = (r: RunRecord): r is TrialRecord => r.kind === 'trial';
export const isAttempt = (r: RunRecord): r is AttemptRecord => r.kind !== 'trial';

export interface WilsonInterval {
  low: number;
  high: number;
}

export interface PromptStats {
  prompt_id: string;
  category: string;
  core: boolean;
  vibe: boolean;
  runs: number;
  pass_count: number;
  pass_rate: number | null;
  agreement: number | null;
  answer_agreement: number | null;
  correct_tool_rate: number | null;
  runaway_rate: number | null;
  wall: { mean: number; min: number; max: number } | null;
  wilson95: WilsonInterval | null;
  outcomes: Partial<Record<Outcome, number>>;
  lane_errors: number;
  skipped?: string;
  decided_early?: boolean;
  /** pass^k and pass@k at k = the run's N (DESIGN §14); null with fewer than k graded attempts. */
  pass_hat_k?: number | null;
  pass_at_k?: number | null;
}

/** Pass rate of one category's prompts that ran: attempts pooled, with a 95 % Wilson interval. */
export interface CategoryStats {
  category: string;
  prompts: number;
  pass_count: number;
  runs: number;
  pass_rate: number | null;
  wilson95: WilsonInterval | null;
}

/**
 * How sure a lane's figures are (issue 15, DESIGN §14), over the core prompts that ran (categories:
 * every prompt that ran). Verdict agreement is counted in prompts, never offered as a quality.
 */
export interface LaneStatistics {
  /** Graded attempts pooled: passes, attempts, their rate and its 95 % Wilson interval. */
  pass_count: number;
  runs: number;
  pass_rate: number | null;
  wilson95: WilsonInterval | null;
  /** pass^k and pass@k: means over the core prompts with at least k graded attempts (k_prompts of them). */
  k: number;
  pass_hat_k: number | null;
  pass_at_k: number | null;
  k_prompts: number;
  /** Core prompts whose graded attempts all passed, all failed, or split. */
  all_pass: number;
  all_fail: number;
  split: number;
  categories: CategoryStats[];
}

export interface TelemetryRollup {
  n_samples: number;
  gpu_util_mean: number | null;
  gpu_util_max: number | null;
  unified_used_gb_max: number | null;
  gpu_temp_c_max: number | null;
  power_w_max: number | null;
  unified_idle_gb?: number | null;
  /**
   * 'before_load': unified_idle_gb was measured before the lane loaded its model (lane manager),
   * so peak − idle is what the lane took; absent: it is the first sample, taken with the lane up.
   */
  unified_idle_basis?: 'before_load';
  /** Samples in which a GPU reported a slowdown (power cap, thermal, power brake), and which ones. */
  throttled_samples?: number;
  throttle_reasons?: string[];
  /** Samples taken while nvidia-smi gave no fresh reading (hung or restarting). */
  gpu_stale_samples?: number;
}

export interface ProbeResult {
  requests: number;
  /** Median of completion_tokens / wall over the probe requests. */
  tokens_per_sec: number | null;
  /** Median of the server's own decode rate (llama.cpp timings.predicted_per_second). */
  decode_tokens_per_sec: number | null;
  error?: string;
  /** GPU slowdowns seen while the probe ran: its figure is not the box's best. */
  throttled?: string[];
  /**
   * The probe stopped before its last request (telemetry/probe.ts): its rate was stable, or it hit
   * its ceiling on time. Stopped mid-reply, the figure is extrapolated to max_tokens.
   */
  stopped_early?: 'stable' | 'ceiling';
  /** Seconds the probe took. */
  duration_s?: number;
}

/**
 * How much of its plan a scorecard covers (issue 12). Planned = non-skipped prompts × N, less the
 * attempts adaptive stopping dropped; done = planned slots with a settled record (a lane_error
 * still owed its retry is not settled). Only a complete scorecard is ranked.
 */
export interface ScorecardCompleteness {
  /** Graded slots (the latest record per item × attempt, not a lane_error). */
  attempts_done: number;
  attempts_planned: number;
  complete: boolean;
  /** Slots whose latest record is a lane_error (retried and still failing, or owed its retry). */
  lane_errors?: number;
  /** A core item has no graded slot because lane errors ate them all: never ranked as whole. */
  degraded?: boolean;
}

/** The serving engine behind a lane (DESIGN §15, provenance). */
/** The model a lane served, as far as brainbench can tell (lanes/modelIdentity.ts). */
export interface ModelIdentity {
  /** One line that changes when the model does: file, size and a sampled hash, or the HF id. */
  id: string;
  bytes?: number;
  files?: number;
  mtime?: string;
}

export interface EngineInfo {
  /** llama.cpp, vllm, nim, openai-compatible, brainbench demo */
  name: string;
  /** llama-server /props build_info (e.g. b0-82bb485), vLLM /version, NIM /v1/version release. */
  version: string | null;
  /** Container lanes: the image and its id (`docker image inspect`), which pins the exact build. */
  image?: string;
  image_id?: string | null;
}

/** How much unified memory a lane's stop gave back (DESIGN §15). */
export interface MemoryRelease {
  lane: string;
  /** Used before the lane started (the idle baseline) and when the wait ended, GB. */
  baseline_gb: number;
  used_gb: number;
  /** Seconds until memory was back near the baseline; null when it was not within the wait. */
  returned_after_s: number | null;
  /** GB still held above the baseline when the wait gave up (0 when it came back). */
  held_gb: number;
}

export interface LaneScorecard {
  lane: string;
  simulated: boolean;
  /** Absent in scorecards written before issue 12: those count as complete. */
  completeness?: ScorecardCompleteness;
  core_pass: number;
  core_n: number;
  core_pass_rate: number | null;
  consistency: number | null;
  runaway_rate: number | null;
  honesty_pass_rate: number | null;
  json_format_pass_rate: number | null;
  clean_run_rate: number | null;
  tokens_per_sec: number | null;
  decode_tokens_per_sec: number | null;
  latency: { mean: number; p50: number; p95: number; max: number } | null;
  telemetry: TelemetryRollup | null;
  escape_attempts: number;
  prompts: PromptStats[];
  /** Absent in scorecards written before issue 15: readers compute it from `prompts`. */
  statistics?: LaneStatistics;
  reproducibility: {
    suite: string;
    suite_hash: string;
    fixture_hash: string;
    n: number;
    parallel: number;
    adaptive: boolean;
    sampling: Sampling;
    lane_command: string;
    brainbench_version: string;
    started_at: string;
    ended_at: string;
    machine: string;
    run_id: string;
    /** Provenance (issue 16); absent in older scorecards. engine_version: one label, e.g. `llama.cpp b0-82bb485`. */
    engine?: EngineInfo;
    engine_version?: string;
    gpu_driver?: string | null;
    cuda_version?: string | null;
    /** Memory a lane stopped before this one had not given back when this one started. */
    memory_held_before_start?: MemoryRelease;
    /** Which model file (size, mtime, sampled sha256) or HF id the lane served. */
    model_identity?: ModelIdentity;
  };
  /** GPU slowdowns seen while the throughput probe ran: tokens_per_sec is not the box's best. */
  probe_throttled?: string[];
}

// ---------------------------------------------------------------------------------------------
// Lanes (DESIGN §3)

export type LaneKind = 'llamacpp' | 'vllm' | 'nim' | 'openai' | 'demo';

export type LaneState = 'stopped' | 'starting' | 'ready' | 'stopping' | 'crashed' | 'foreign' | 'error';

// ---------------------------------------------------------------------------------------------
// Telemetry (DESIGN §7)

export interface GpuSample {
  index: number;
  util_pct: number | null;
  temp_c: number | null;
  mem_used_mb: number | null;
  mem_total_mb: number | null;
  power_w: number | null;
  sm_clock_mhz?: number | null;
  /** Active slowdowns from clocks_event_reasons (sw_power_cap, hw_thermal, …); [] none; null not reported. */
  throttle?: string[] | null;
}

export interface LaneMetrics {
  gen_tokens_per_sec: number | null;
  requests_running: number | null;
  requests_waiting: number | null;
  kv_cache_usage: number | null;
}

export interface TelemetrySample {
  /** ms since epoch. */
  t: number;
  /** null when nvidia-smi is absent ("no GPU"). */
  gpus: GpuSample[] | null;
  unified_used_gb: number | null;
  unified_total_gb: number | null;
  mem_pressure_some_avg10: number | null;
  /** PSI "full avg10": % of the last 10 s in which every task stalled on memory. */
  mem_pressure_full_avg10?: number | null;
  /** Page cache (Cached + Buffers), GB: on unified memory a model load competes with it. */
  page_cache_gb?: number | null;
  /** Set while nvidia-smi gives no fresh reading (hung, dead, restarting): since when, ms since epoch. */
  gpu_stale_since?: number | null;
  lane?: LaneMetrics | null;
}

// ---------------------------------------------------------------------------------------------
// Engine events: the one stream the headless reporter, the --json printer and the cockpit's
// store all consume.

export interface PlannedPrompt {
  id: string;
  category: string;
  core: boolean;
  skipped?: string;
}

/**
 * A run's state, named the same in status.json, events.jsonl, `brainbench status` and the cockpit:
 * running / paused (by the user); stopped = ended with work left for --resume (stopped by the
 * user, a lane that could not go on, or an error with the journal intact); done = every lane
 * finished; died = the process went away without saying so (see runStateOf in run/status-file).
 */
export type RunState = 'running' | 'paused' | 'stopped' | 'done' | 'died';

export type EngineEvent =
  | {
      type: 'run.start';
      runId: string;
      lane: string;
      suite: string;
      n: number;
      parallel: number;
      prompts: PlannedPrompt[];
      /** Attempts this run will make in total (including ones already journaled). */
      total: number;
      /** Attempts already journaled (resume). */
      done: RunRecord[];
      simulated: boolean;
      startedAt: string;
      /** Task runs: the harness driving the lane (builtin, oracle, null or an agent CLI); rows are tasks. */
      harness?: string;
      /** A lane that runs several cells (harnesses): attempts over all of them, for status's k/total. */
      laneTotal?: number;
    }
  | { type: 'attempt.start'; lane: string; promptId: string; attempt: number; at: string }
  | { type: 'attempt.progress'; lane: string; promptId: string; attempt: number; completionTokens: number; tokPerSec: number | null }
  /**
   * The lane's live decode rate (telemetry/rate.ts), at most one a second: tokens over the decoding
   * time of the slots in flight in the last windowS; null once decoding stopped or the run paused.
   * source: from attempt.progress, or the lane's own /metrics when no progress arrives.
   */
  | { type: 'lane.rate'; lane: string; tokPerSec: number | null; windowS: number; inFlight: number; source: 'progress' | 'metrics' }
  /** overheadS: brainbench's own time in the attempt (wall minus waiting on the lane and tools). */
  | { type: 'attempt.end'; record: RunRecord; overheadS?: number }
  | { type: 'lane.state'; lane: string; state: LaneState; port?: number; detail?: string }
  /** A starting lane's progress (each second): time so far, the estimate from its earlier loads (null on a first load), its log's last line. */
  | { type: 'lane.loading'; lane: string; elapsedS: number; expectedS: number | null; remainingS: number | null; tail: string }
  /** After a stop: memory the lane had not given back (heldGb 0: it came back, after returnedAfterS). */
  | { type: 'lane.memory'; lane: string; heldGb: number; returnedAfterS: number | null; waitedS: number }
  | { type: 'telemetry'; sample: TelemetrySample }
  | { type: 'probe'; lane: string; result: ProbeResult }
  /** user: paused on request (the run resumes with run.resumed); else the lane was given up on. */
  | { type: 'run.paused'; lane: string; reason: string; user?: boolean }
  | { type: 'run.resumed'; lane: string }
  | { type: 'run.end'; runId: string; lane: string; scorecard: LaneScorecard; scorecardPath: string; summaryPath: string }
  /** A task suite under one harness finished on a lane; laneDone: it was the lane's last cell. */
  | { type: 'cell.end'; runId: string; lane: string; harness: string; scorecard: TaskScorecard; scorecardPath: string; summaryPath: string; laneDone: boolean }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** The run's final state, as the process running it ends it (stopped or done); reason: the error that ended it. */
  | { type: 'run.state'; runId: string; state: RunState; reason?: string };

export type EventListener = (event: EngineEvent) => void;
