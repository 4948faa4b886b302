// The task scorecard of one (lane, harness): pass rate, mean reward and how many trials fell in
// each bucket — "a 0/20 from grader_fail is a very different signal than 0/20 from
// no_tool_calls". Filed by the one publisher (./scorecard-files.ts), keyed `<lane>+<harness>`:
// runs/<id>/scorecards/, results/tasks/<key>.json, results/tasks/partial/<key>.json.
import { brainbenchVersion } from '../paths.js';
import { formatFixed, formatPct, mean } from '../stats.js';
import { mdCell, oneLine } from '../safeText.js';
import { renderHarnessMatrix } from '../tasks/matrix.js';
import type { LaneScorecard } from '../types.js';
import { TRIAL_OUTCOMES, type TaskScorecard, type TaskStats, type TaskSuite, type TrialOutcome, type TrialRecord } from '../tasks/types.js';
import { gradedLabel, isComplete, partialLabel, statusWord } from './scorecard.js';
import { provenanceTable } from './reproducibility.js';
import { isGraded, latestPerSlot, slotCompleteness } from './slots.js';

// one publisher for both kinds; kept under the old name for the task runner
export { loadTaskScorecards, publishScorecard as publishTaskScorecard, TASKS_DIR } from './scorecard-files.js';

function counts(records: readonly TrialRecord[]): Partial<Record<TrialOutcome, number>> {
  const out: Partial<Record<TrialOutcome, number>> = {};
  for (const r of records) out[r.outcome] = (out[r.outcome] ?? 0) + 1;
  return out;
}

/** lane_error trials are the lane's fault: left out of rates, counted in outcomes. */
const graded = (records: readonly TrialRecord[]) => records.filter(isGraded);
const rewardOf = (r: TrialRecord) => r.reward ?? 0;

export function taskStats(taskId: string, records: readonly TrialRecord[], skipped?: string): TaskStats {
  const own = skipped === undefined ? latestPerSlot(records.filter((r) => r.prompt_id === taskId)) : [];
  const runs = graded(own);
  const passCount = runs.filter((r) => r.outcome === 'pass').length;
  return {
    task_id: taskId,
    runs: runs.length,
    pass_count: passCount,
    pass_rate: runs.length === 0 ? null : passCount / runs.length,
    mean_reward: mean(runs.map(rewardOf)),
    outcomes: counts(own),
    ...(skipped !== undefined && { skipped }),
  };
}

/** Turns, tokens, tool calls, decode rate and peeks over a card's trials. */
function usageTotals(records: readonly TrialRecord[]): Pick<TaskScorecard, 'turns_total' | 'tokens_total' | 'tool_calls_total' | 'decode_tok_s_mean' | 'peek_attempts' | 'peek_trials'> {
  const sum = (f: (r: TrialRecord) => number) => records.reduce((s, r) => s + f(r), 0);
  const rates = records.map((r) => r.decode_tok_s).filter((v): v is number => typeof v === 'number');
  return {
    turns_total: sum((r) => r.turns),
    tokens_total: { prompt: sum((r) => r.tokens.prompt), completion: sum((r) => r.tokens.completion) },
    tool_calls_total: sum((r) => r.tools_called.length),
    decode_tok_s_mean: mean(rates),
    peek_attempts: sum((r) => r.peek_attempts ?? 0),
    peek_trials: records.filter((r) => (r.peek_attempts ?? 0) > 0).length,
  };
}

export interface TaskScorecardInput {
  lane: string;
  harness: string;
  environment: string;
  simulated: boolean;
  suite: TaskSuite;
  records: readonly TrialRecord[];
  skipped: Record<string, string>;
  n: number;
  runId: string;
  startedAt: string;
  endedAt: string;
  /** The provenance block prompt scorecards carry (./reproducibility.ts reproducibilityOf). */
  reproducibility?: LaneScorecard['reproducibility'];
}

/** Slots, not records (./slots.ts): complete only when every trial of every task that ran is graded. */
export function taskScorecard(input: TaskScorecardInput): TaskScorecard {
  const records = latestPerSlot(input.records);
  const ran = input.suite.tasks.filter((t) => input.skipped[t.id] === undefined);
  const ranIds = new Set(ran.map((t) => t.id));
  const own = records.filter((r) => ranIds.has(r.prompt_id));
  const runs = graded(own);
  return {
    kind: 'tasks',
    key: `${input.lane}+${input.harness}`,
    lane: input.lane,
    harness: input.harness,
    environment: input.environment,
    simulated: input.simulated,
    suite: input.suite.name,
    suite_hash: input.suite.hash,
    completeness: slotCompleteness(ran.map((t) => ({ id: t.id, core: true })), own, input.n),
    pass_rate: runs.length === 0 ? null : runs.filter((r) => r.outcome === 'pass').length / runs.length,
    mean_reward: mean(runs.map(rewardOf)),
    outcomes: counts(own),
    wall_mean_s: mean(runs.map((r) => r.wall_s)),
    ...usageTotals(own),
    tasks: input.suite.tasks.map((t) => taskStats(t.id, records, input.skipped[t.id])),
    run_id: input.runId,
    n: input.n,
    brainbench_version: brainbenchVersion,
    started_at: input.startedAt,
    ended_at: input.endedAt,
    ...(input.reproducibility && { reproducibility: input.reproducibility }),
  };
}

/** The provenance table of the task scorecards that carry one (cards from before issue 20 do not). */
function taskProvenance(cards: readonly TaskScorecard[]): string[] {
  const rows = cards.flatMap((c) => (c.reproducibility ? [{ lane: c.key, simulated: c.simulated, reproducibility: c.reproducibility }] : []));
  return rows.length === 0 ? [] : ['', '### Task provenance', '', provenanceTable(rows)];
}

const bucketCell = (card: TaskScorecard, o: TrialOutcome) => String(card.outcomes[o] ?? 0);

/** The "Task suites" section of summary.md; empty when no task suite has run. */
export function renderTaskSection(cards: readonly TaskScorecard[]): string {
  if (cards.length === 0) return '';
  const header = ['Lane', 'harness', 'suite', 'env', 'pass_rate', 'graded/planned', 'mean reward', ...TRIAL_OUTCOMES, 'mean wall'];
  const rows = cards.map((c) => [
    mdCell(c.lane) + (c.simulated ? ' (simulated)' : ''),
    mdCell(c.harness),
    mdCell(c.suite),
    c.environment,
    formatPct(c.pass_rate) + (isComplete(c) ? '' : ` (${statusWord(c.completeness)})`),
    gradedLabel(c.completeness),
    formatFixed(c.mean_reward, 2),
    ...TRIAL_OUTCOMES.map((o) => bucketCell(c, o)),
    formatFixed(c.wall_mean_s, 1, ' s'),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const intro = 'One row per (lane, harness). Every trial lands in exactly one bucket; a pass needs reward ≥ 1, and a grader_fail keeps its reward as partial credit.';
  return ['## Task suites', intro, '', line(header), line(header.map(() => '---')), ...rows.map(line), '', renderHarnessMatrix(cards), ...taskProvenance(cards)].join('\n');
}

/** What a finished (lane, harness) cell says: pass rate, mean reward, the buckets, skips and where its card is. */
export function taskCardLines(card: TaskScorecard, path: string): string[] {
  const buckets = Object.entries(card.outcomes).map(([k, v]) => `${k} ${v}`).join(', ');
  const partial = partialLabel(card);
  return [
    `${oneLine(card.key)}: pass ${formatPct(card.pass_rate)}, mean reward ${formatFixed(card.mean_reward, 2)} (${buckets || 'no trials'})${partial ? ` · ${partial}` : ''}`,
    ...card.tasks.filter((t) => t.skipped !== undefined).map((t) => `  skipped ${oneLine(t.task_id)}: ${oneLine(t.skipped!)}`),
    `scorecard: ${oneLine(path)}`,
  ];
}
