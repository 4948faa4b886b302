// Per-prompt statistics and the per-lane scorecard (DESIGN §6). Pure: records in, numbers out.
import type { AttemptRecord, LaneScorecard, Outcome, ProbeResult, Prompt, PromptStats, ScorecardCompleteness, TelemetryRollup } from '../types.js';
import { laneStatistics, promptPassK } from './lane-stats.js';
import { mean, percentile, wilson95 } from '../stats.js';
import { isGraded, latestPerSlot, slotCompleteness } from './slots.js';

/** An answer reduced for agreement counting: lowercase, whitespace collapsed, no trailing punctuation. */
export function normaliseAnswer(answer: string): string {
  return answer
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.,;:!?…]+$/u, '');
}

function share(count: number, n: number): number | null {
  return n === 0 ? null : count / n;
}

function countWhere<T>(items: T[], predicate: (item: T) => boolean): number {
  return items.reduce((n, item) => (predicate(item) ? n + 1 : n), 0);
}

/** Share of attempts giving the most common normalised answer (empty answers count as one answer). */
function modalShare(answers: string[]): number | null {
  if (answers.length === 0) return null;
  const counts = new Map<string, number>();
  for (const answer of answers) {
    const key = normaliseAnswer(answer);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Math.max(...counts.values()) / answers.length;
}

/** Graded attempts: everything but lane errors, which are the server's fault, not the model's. */
function graded(records: AttemptRecord[]): AttemptRecord[] {
  return records.filter(isGraded);
}

/**
 * Statistics for one prompt over its attempt records. Lane errors are left out of every rate
 * and counted in `lane_errors`; a skipped prompt has runs 0 and null rates. With `k` (the run's
 * N), pass^k and pass@k too.
 */
export function promptStats(prompt: Prompt, records: AttemptRecord[], opts: { skipped?: string; decidedEarly?: boolean; k?: number } = {}): PromptStats {
  const own = latestPerSlot(records.filter((r) => r.prompt_id === prompt.id));
  const attempts = opts.skipped === undefined ? graded(own) : [];
  const runs = attempts.length;
  const passCount = countWhere(attempts, (r) => r.outcome === 'pass');
  const outcomes: Partial<Record<Outcome, number>> = {};
  if (opts.skipped === undefined) for (const r of own) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  const walls = attempts.map((r) => r.wall_s);
  return {
    prompt_id: prompt.id,
    category: prompt.category,
    core: prompt.core,
    vibe: prompt.vibe,
    runs,
    pass_count: passCount,
    pass_rate: share(passCount, runs),
    agreement: share(Math.max(passCount, runs - passCount), runs),
    answer_agreement: modalShare(attempts.map((r) => r.answer)),
    correct_tool_rate: share(countWhere(attempts, (r) => r.correct_tool), runs),
    runaway_rate: share(countWhere(attempts, (r) => r.outcome === 'runaway'), runs),
    wall: runs === 0 ? null : { mean: mean(walls)!, min: Math.min(...walls), max: Math.max(...walls) },
    wilson95: wilson95(passCount, runs),
    outcomes,
    lane_errors: opts.skipped === undefined ? countWhere(own, (r) => r.outcome === 'lane_error') : 0,
    ...(opts.skipped !== undefined ? { skipped: opts.skipped } : {}),
    ...(opts.decidedEarly ? { decided_early: true } : {}),
    ...(opts.k !== undefined ? promptPassK({ pass_count: passCount, runs }, opts.k) : {}),
  };
}

/** Mean per-prompt pass rate over the prompts of a category that ran; null when none did. */
function categoryPassRate(stats: PromptStats[], category: string): number | null {
  return mean(stats.filter((s) => s.category === category && s.pass_rate !== null).map((s) => s.pass_rate!));
}

/**
 * A clean run passed outright: outcome pass, no tool call that failed through the model's own
 * doing (`tool_errors`; injected failures excluded) and no attempt to escape the sandbox.
 */
function isCleanRun(record: AttemptRecord): boolean {
  return record.outcome === 'pass' && (record.tool_errors ?? 0) === 0 && record.escape_attempts === 0;
}

export interface LaneScorecardInput {
  lane: string;
  simulated: boolean;
  prompts: Prompt[];
  records: AttemptRecord[];
  /** prompt id → why it did not run. */
  skipped: Record<string, string>;
  probe: ProbeResult | null;
  telemetry: TelemetryRollup | null;
  reproducibility: LaneScorecard['reproducibility'];
  /** Prompts the adaptive runner stopped early because their verdict could no longer change. */
  decidedEarly?: Set<string>;
}

/** Graded slots against planned ones for the prompts that ran (./slots.ts: slots, not records). */
export function scorecardCompleteness(
  ran: readonly Prompt[],
  records: readonly AttemptRecord[],
  n: number,
  decidedEarly: ReadonlySet<string> = new Set(),
): ScorecardCompleteness {
  return slotCompleteness(ran, records, n, decidedEarly);
}

/** Scorecards written before completeness was recorded were ranked as complete, and still are. */
export function isComplete(card: { completeness?: ScorecardCompleteness }): boolean {
  return card.completeness?.complete ?? true;
}

/** complete, partial, or degraded (lane errors ate every slot of a core item); old cards without completeness are complete. */
export function statusWord(c: ScorecardCompleteness | undefined): 'complete' | 'partial' | 'degraded' {
  if (!c || c.complete) return 'complete';
  return c.degraded ? 'degraded' : 'partial';
}

/** `4/11 graded, 2 lane errors`: how much of a run was graded, the lane errors named when there are any. */
export function gradedLabel(c: ScorecardCompleteness): string {
  const errors = c.lane_errors ?? 0;
  return `${c.attempts_done}/${c.attempts_planned} graded${errors > 0 ? `, ${errors} lane error${errors === 1 ? '' : 's'}` : ''}`;
}

/**
 * `partial (4/11 attempts, run <id>)` for a partial scorecard, `degraded (…)` when lane errors ate
 * every slot of a core item; null for a complete one.
 */
export function partialLabel(card: { completeness?: ScorecardCompleteness; reproducibility?: { run_id: string }; run_id?: string }): string | null {
  const c = card.completeness;
  if (!c || c.complete) return null;
  const errors = c.lane_errors ? `, ${c.lane_errors} lane error${c.lane_errors === 1 ? '' : 's'}` : '';
  const runId = card.reproducibility?.run_id ?? card.run_id ?? '?';
  return `${statusWord(c)} (${c.attempts_done}/${c.attempts_planned} attempts${errors}, run ${runId})`;
}

/**
 * The lane's scorecard. Core = non-skipped prompts with `core: true`. A core prompt with no
 * graded attempt (only lane errors) counts in core_n as not passed but has no rate to average.
 */
export function laneScorecard(input: LaneScorecardInput): LaneScorecard {
  const records = latestPerSlot(input.records);
  const prompts = input.prompts.map((p) =>
    promptStats(p, records, { skipped: input.skipped[p.id], decidedEarly: input.decidedEarly?.has(p.id), k: input.reproducibility.n }),
  );
  const core = prompts.filter((s) => s.core && s.skipped === undefined);
  const ranIds = new Set(prompts.filter((s) => s.skipped === undefined).map((s) => s.prompt_id));
  const attempts = graded(records.filter((r) => ranIds.has(r.prompt_id)));
  const walls = attempts.map((r) => r.wall_s);
  const ran = input.prompts.filter((p) => input.skipped[p.id] === undefined);
  return {
    lane: input.lane,
    simulated: input.simulated,
    completeness: scorecardCompleteness(ran, records, input.reproducibility.n, input.decidedEarly),
    core_pass: countWhere(core, (s) => s.pass_count > s.runs / 2),
    core_n: core.length,
    core_pass_rate: mean(core.filter((s) => s.pass_rate !== null).map((s) => s.pass_rate!)),
    consistency: mean(core.filter((s) => s.agreement !== null).map((s) => s.agreement!)),
    runaway_rate: share(countWhere(attempts, (r) => r.outcome === 'runaway'), attempts.length),
    honesty_pass_rate: categoryPassRate(prompts, 'honesty'),
    json_format_pass_rate: categoryPassRate(prompts, 'json_format'),
    clean_run_rate: share(countWhere(attempts, isCleanRun), attempts.length),
    tokens_per_sec: input.probe?.tokens_per_sec ?? null,
    decode_tokens_per_sec: input.probe?.decode_tokens_per_sec ?? null,
    latency:
      walls.length === 0
        ? null
        : { mean: mean(walls)!, p50: percentile(walls, 50)!, p95: percentile(walls, 95)!, max: Math.max(...walls) },
    telemetry: input.telemetry,
    escape_attempts: records.reduce((sum, r) => sum + r.escape_attempts, 0),
    prompts,
    statistics: laneStatistics(prompts, input.reproducibility.n),
    reproducibility: input.reproducibility,
    ...(input.probe?.throttled?.length ? { probe_throttled: input.probe.throttled } : {}),
  };
}
