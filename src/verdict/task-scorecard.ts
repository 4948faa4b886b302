// The task scorecard of one (lane, harness): pass rate, mean reward and how many trials fell in
// each bucket — "a 0/20 from grader_fail is a very different signal than 0/20 from
// no_tool_calls". Filed like prompt scorecards (./scorecard-files.ts), in results/tasks/:
//   runs/<id>/task-scorecards/<lane>+<harness>.json   every one a run made
//   tasks/<lane>+<harness>.json                        the latest complete one
//   tasks/partial/<lane>+<harness>.json                a newer partial one (stopped run)
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { brainbenchVersion } from '../paths.js';
import { scorecardFileName } from './scorecard-files.js';
import { formatFixed, formatPct, mean } from '../stats.js';
import { mdCell } from '../safeText.js';
import { renderHarnessMatrix } from '../tasks/matrix.js';
import { TRIAL_OUTCOMES, type TaskScorecard, type TaskStats, type TaskSuite, type TrialOutcome, type TrialRecord } from '../tasks/types.js';

export const TASKS_DIR = 'tasks';

function counts(records: readonly TrialRecord[]): Partial<Record<TrialOutcome, number>> {
  const out: Partial<Record<TrialOutcome, number>> = {};
  for (const r of records) out[r.outcome] = (out[r.outcome] ?? 0) + 1;
  return out;
}

/** lane_error trials are the lane's fault: left out of rates, counted in outcomes. */
const graded = (records: readonly TrialRecord[]) => records.filter((r) => r.outcome !== 'lane_error');
const rewardOf = (r: TrialRecord) => r.reward ?? 0;

/** The latest record of each (task, attempt). */
function latest(records: readonly TrialRecord[]): TrialRecord[] {
  const bySlot = new Map<string, TrialRecord>();
  for (const r of records) bySlot.set(`${r.prompt_id}\0${r.attempt}`, r);
  return [...bySlot.values()];
}

export function taskStats(taskId: string, records: readonly TrialRecord[], skipped?: string): TaskStats {
  const own = skipped === undefined ? records.filter((r) => r.prompt_id === taskId) : [];
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
}

export function taskScorecard(input: TaskScorecardInput): TaskScorecard {
  const records = latest(input.records);
  const ran = input.suite.tasks.filter((t) => input.skipped[t.id] === undefined);
  const ranIds = new Set(ran.map((t) => t.id));
  const own = records.filter((r) => ranIds.has(r.prompt_id));
  const runs = graded(own);
  const done = own.length;
  const planned = ran.length * input.n;
  return {
    kind: 'tasks',
    key: `${input.lane}+${input.harness}`,
    lane: input.lane,
    harness: input.harness,
    environment: input.environment,
    simulated: input.simulated,
    suite: input.suite.name,
    suite_hash: input.suite.hash,
    completeness: { attempts_done: done, attempts_planned: planned, complete: done >= planned },
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
  };
}

async function writeCard(dir: string, card: TaskScorecard): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, scorecardFileName(card.key));
  await writeFileAtomic(path, `${JSON.stringify(card, null, 2)}\n`);
  return path;
}

/** Files the card: in the run folder always; complete → results/tasks/, partial → results/tasks/partial/. */
export async function publishTaskScorecard(resultsDir: string, runDir: string, card: TaskScorecard): Promise<string> {
  await writeCard(join(runDir, 'task-scorecards'), card);
  const dir = join(resultsDir, TASKS_DIR);
  if (!card.completeness.complete) return writeCard(join(dir, 'partial'), card);
  const path = await writeCard(dir, card);
  await rm(join(dir, 'partial', scorecardFileName(card.key)), { force: true });
  return path;
}

async function readCards(dir: string): Promise<TaskScorecard[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const cards: TaskScorecard[] = [];
  for (const name of names) {
    try {
      const card = JSON.parse(await readFile(join(dir, name), 'utf8')) as TaskScorecard;
      if (card.kind === 'tasks' && Array.isArray(card.tasks)) cards.push(card);
    } catch {
      // not a task scorecard: the summary shows the ones it can read
    }
  }
  return cards;
}

/** Complete task scorecards, then partial ones. */
export async function loadTaskScorecards(resultsDir: string): Promise<TaskScorecard[]> {
  const dir = join(resultsDir, TASKS_DIR);
  return [...(await readCards(dir)), ...(await readCards(join(dir, 'partial')))];
}

const bucketCell = (card: TaskScorecard, o: TrialOutcome) => String(card.outcomes[o] ?? 0);

/** The "Task suites" section of summary.md; empty when no task suite has run. */
export function renderTaskSection(cards: readonly TaskScorecard[]): string {
  if (cards.length === 0) return '';
  const header = ['Lane', 'harness', 'suite', 'env', 'pass_rate', 'mean reward', ...TRIAL_OUTCOMES, 'mean wall'];
  const rows = cards.map((c) => [
    mdCell(c.lane) + (c.simulated ? ' (simulated)' : ''),
    mdCell(c.harness),
    mdCell(c.suite),
    c.environment,
    formatPct(c.pass_rate) + (c.completeness.complete ? '' : ` (partial ${c.completeness.attempts_done}/${c.completeness.attempts_planned})`),
    formatFixed(c.mean_reward, 2),
    ...TRIAL_OUTCOMES.map((o) => bucketCell(c, o)),
    formatFixed(c.wall_mean_s, 1, ' s'),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const intro = 'One row per (lane, harness). Every trial lands in exactly one bucket; a pass needs reward ≥ 1, and a grader_fail keeps its reward as partial credit.';
  return ['## Task suites', intro, '', line(header), line(header.map(() => '---')), ...rows.map(line), '', renderHarnessMatrix(cards)].join('\n');
}
