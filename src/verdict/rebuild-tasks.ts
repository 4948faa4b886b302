// `brainbench report --from-journals` for task runs (issue 20): each (lane, harness) scorecard made
// again from the run's trial records (`kind: 'trial'`: harness, reward, outcome) through the same
// taskScorecard the runner uses, so completeness counts the plan's slots whatever was written
// before. What the journal cannot say — skip reasons, provenance, simulated — comes from the card
// the run kept, where there is one.
import { join } from 'node:path';
import { loadTaskSuite } from '../tasks/load.js';
import type { TaskScorecard, TaskSuite } from '../tasks/types.js';
import { isTrial, type RunRecord, type TrialRecord } from '../types.js';
import { JsonlTail } from '../run/event-log.js';
import type { RunPlan } from '../run/plan.js';
import { cardKey, isTaskCard, readRunScorecards, runScorecardsDir, writeScorecard } from './scorecard-files.js';
import { taskScorecard } from './task-scorecard.js';

type Problem = (message: string) => void;

/** The (lane, harness) pairs a run planned or journaled, plan order first. */
function cellsOf(plan: RunPlan, trials: readonly TrialRecord[]): Array<{ lane: string; harness: string }> {
  const keys = new Map<string, { lane: string; harness: string }>();
  for (const lane of plan.lanes) for (const harness of plan.tasks?.harnesses ?? []) keys.set(`${lane}+${harness}`, { lane, harness });
  for (const t of trials) if (!keys.has(`${t.lane}+${t.harness}`)) keys.set(`${t.lane}+${t.harness}`, { lane: t.lane, harness: t.harness });
  return [...keys.values()];
}

/** Skip reasons the kept card recorded (a task its environment could not honour leaves no trial). */
function skippedOf(kept: TaskScorecard | undefined): Record<string, string> {
  return Object.fromEntries((kept?.tasks ?? []).flatMap((t) => (t.skipped === undefined ? [] : [[t.task_id, t.skipped]])));
}

function cardOf(plan: RunPlan, suite: TaskSuite, cell: { lane: string; harness: string }, own: TrialRecord[], kept: TaskScorecard | undefined): TaskScorecard {
  const times = own.flatMap((r) => [r.started_at, r.ended_at]).filter((t): t is string => typeof t === 'string').sort();
  return taskScorecard({
    lane: cell.lane,
    harness: cell.harness,
    environment: own[0]?.environment ?? kept?.environment ?? plan.tasks?.environment ?? 'bwrap',
    simulated: kept?.simulated ?? false,
    suite,
    records: own,
    skipped: skippedOf(kept),
    n: plan.n,
    runId: plan.runId,
    startedAt: kept?.started_at ?? times[0] ?? plan.createdAt,
    endedAt: [times.at(-1), kept?.ended_at, plan.createdAt].filter((t): t is string => t !== undefined).sort().at(-1)!,
    ...(kept?.reproducibility && { reproducibility: kept.reproducibility }),
  });
}

/** Every task scorecard of one run, rebuilt from its journal and written back to its scorecards/. */
export async function rebuildTaskRun(runDir: string, plan: RunPlan, onProblem: Problem): Promise<TaskScorecard[]> {
  let suite: TaskSuite;
  try {
    suite = loadTaskSuite(plan.suite);
  } catch (err) {
    onProblem(`${runDir}: ${(err as Error).message}`);
    return [];
  }
  const kept = new Map((await readRunScorecards(runDir, onProblem)).filter(isTaskCard).map((c) => [cardKey(c), c]));
  const trials = new JsonlTail<RunRecord>(join(runDir, 'journal.jsonl')).read().filter(isTrial);
  const cards: TaskScorecard[] = [];
  for (const cell of cellsOf(plan, trials)) {
    const own = trials.filter((t) => t.lane === cell.lane && t.harness === cell.harness);
    if (own.length === 0) continue;
    const held = kept.get(`${cell.lane}+${cell.harness}`);
    if (held && held.suite_hash !== suite.hash) {
      onProblem(`${runDir}: suite ${plan.suite} changed since the run; its ${held.key} scorecard is kept as written`);
      cards.push(held);
      continue;
    }
    const card = cardOf(plan, suite, cell, own, held);
    await writeScorecard(runScorecardsDir(runDir), card);
    cards.push(card);
  }
  return cards;
}
