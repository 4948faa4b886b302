// `brainbench report --from-journals`: scorecards made again from what each run folder holds —
// run.json (the plan: suite, N, lanes, capabilities), journal.jsonl (the attempts), events.jsonl
// (run.start, probe) and the run's own scorecards/ (telemetry, lane command) — through the same
// laneScorecard the queue uses, so completeness is the plan's, whatever was written before. Task
// runs (plan.tasks) are rebuilt by ./rebuild-tasks.ts and filed by the same republishing.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runDir as runDirOf } from '../paths.js';
import { loadSuite } from '../suite/load.js';
import type { AttemptRecord, EngineEvent, LaneScorecard, ProbeResult, Prompt, Suite } from '../types.js';
import { JsonlTail, eventLogPath } from '../run/event-log.js';
import { readPlan, type RunPlan } from '../run/plan.js';
import { keptProvenance, reproducibilityOf } from './reproducibility.js';
import { skipReason } from '../run/runner.js';
import { isDecided, tallyOf } from '../run/schedule.js';
import { laneScorecard, isComplete } from './scorecard.js';
import { cardKey, cardRunId, cardTimes, PARTIAL_DIR, publishedHome, readAnyScorecardDir, readScorecardDir, runScorecardsDir, scorecardFileName, TASKS_DIR, writeScorecard, type AnyScorecard } from './scorecard-files.js';
import { rebuildTaskRun } from './rebuild-tasks.js';

type Problem = (message: string) => void;

/** Prompts that adaptive stopping left with fewer than N graded attempts because they were decided. */
function decidedEarlyOf(ran: Prompt[], records: AttemptRecord[], plan: RunPlan): Set<string> {
  const decided = new Set<string>();
  if (!plan.adaptive) return decided;
  for (const p of ran) {
    const latest = new Map(records.filter((r) => r.prompt_id === p.id).map((r) => [r.attempt, r]));
    const tally = tallyOf(latest.values());
    if (tally.graded < plan.n && isDecided(tally, plan.n)) decided.add(p.id);
  }
  return decided;
}

interface RunFiles {
  plan: RunPlan;
  suite: Suite;
  records: AttemptRecord[];
  events: EngineEvent[];
  kept: Map<string, LaneScorecard>;
}

/** One lane's scorecard from its journal records, with what the run folder says of the lane. */
function laneCardOf(run: RunFiles, lane: string, records: AttemptRecord[]): LaneScorecard {
  const { plan, suite, events } = run;
  const kept = run.kept.get(lane);
  const enabled = new Set(plan.enabled);
  const skipped: Record<string, string> = {};
  for (const p of suite.prompts) {
    const reason = skipReason(p, enabled);
    if (reason) skipped[p.id] = reason;
  }
  const ran = suite.prompts.filter((p) => skipped[p.id] === undefined);
  const own = records.filter((r) => ran.some((p) => p.id === r.prompt_id));
  const start = events.find((e): e is Extract<EngineEvent, { type: 'run.start' }> => e.type === 'run.start' && e.lane === lane);
  const probe = events.findLast((e): e is Extract<EngineEvent, { type: 'probe' }> => e.type === 'probe' && e.lane === lane);
  const times = own.flatMap((r) => [r.started_at, r.ended_at]).filter((t): t is string => typeof t === 'string').sort();
  const keptProbe: ProbeResult | null = kept
    ? { requests: 0, tokens_per_sec: kept.tokens_per_sec, decode_tokens_per_sec: kept.decode_tokens_per_sec, ...(kept.probe_throttled ? { throttled: kept.probe_throttled } : {}) }
    : null;
  return laneScorecard({
    lane,
    simulated: kept?.simulated ?? start?.simulated ?? false,
    prompts: suite.prompts,
    records: own,
    skipped,
    probe: probe?.result ?? keptProbe,
    telemetry: kept?.telemetry ?? null,
    decidedEarly: decidedEarlyOf(ran, own, plan),
    reproducibility: reproducibilityOf(plan, suite, {
      laneSampling: kept?.reproducibility.sampling,
      laneCommand: kept?.reproducibility.lane_command ?? '',
      parallel: kept?.reproducibility.parallel ?? start?.parallel ?? plan.parallel ?? 1,
      startedAt: kept?.reproducibility.started_at ?? start?.startedAt ?? times[0] ?? plan.createdAt,
      endedAt: [times.at(-1), kept?.reproducibility.ended_at, plan.createdAt].filter((t): t is string => t !== undefined).sort().at(-1)!,
      ...keptProvenance(kept?.reproducibility),
    }),
  });
}

async function readRun(runDir: string, plan: RunPlan, onProblem: Problem): Promise<RunFiles | null> {
  try {
    const suite = await loadSuite(plan.suite);
    const kept = new Map((await readScorecardDir(runScorecardsDir(runDir), onProblem)).map((c) => [c.lane, c]));
    const records = new JsonlTail<AttemptRecord>(join(runDir, 'journal.jsonl')).read();
    const events = new JsonlTail<EngineEvent>(eventLogPath(runDir)).read();
    return { plan, suite, records, events, kept };
  } catch (err) {
    onProblem(`${runDir}: ${(err as Error).message}`);
    return null;
  }
}

/** Every scorecard of one run, prompt or task, rebuilt and written back to the run's scorecards/ folder. */
async function rebuildRun(runDir: string, onProblem: Problem): Promise<AnyScorecard[]> {
  let plan: RunPlan;
  try {
    plan = await readPlan(runDir);
  } catch (err) {
    onProblem(`${runDir}: ${(err as Error).message}`);
    return [];
  }
  if (plan.tasks) return rebuildTaskRun(runDir, plan, onProblem);
  const run = await readRun(runDir, plan, onProblem);
  if (!run) return [];
  const cards: LaneScorecard[] = [];
  for (const lane of run.plan.lanes) {
    const records = run.records.filter((r) => r.lane === lane);
    if (records.length === 0) continue;
    const kept = run.kept.get(lane);
    if (kept && kept.reproducibility.suite_hash !== run.suite.hash) {
      onProblem(`${runDir}: suite ${run.plan.suite} changed since the run; its ${lane} scorecard is kept as written`);
      cards.push(kept);
      continue;
    }
    const card = laneCardOf(run, lane, records);
    await writeScorecard(runScorecardsDir(runDir), card);
    cards.push(card);
  }
  return cards;
}

const newest = (cards: AnyScorecard[]) => cards.reduce<AnyScorecard | undefined>((best, c) => (!best || cardTimes(c).ended > cardTimes(best).ended ? c : best), undefined);

/**
 * Files one key's rebuilt scorecards (a lane's, or a lane+harness's) the way a run would have: the
 * newest complete one is <home>/<key>.json, a partial one newer than it is <home>/partial/<key>.json.
 * A <home>/<key>.json that came from a run now known to be partial is taken down.
 */
async function republishKey(resultsDir: string, cards: AnyScorecard[], existing: AnyScorecard | undefined): Promise<void> {
  const complete = newest(cards.filter(isComplete));
  const partial = newest(cards.filter((c) => !isComplete(c)));
  const home = publishedHome(resultsDir, cards[0]!);
  const name = scorecardFileName(cardKey(cards[0]!));
  if (complete) await writeScorecard(home, complete);
  else if (existing && cards.some((c) => cardRunId(c) === cardRunId(existing))) await rm(join(home, name), { force: true });
  const after = complete ? cardTimes(complete).ended : '';
  if (partial && cardTimes(partial).ended > after) await writeScorecard(join(home, PARTIAL_DIR), partial);
  else await rm(join(home, PARTIAL_DIR, name), { force: true });
}

/** Where a card is published and under which name: one entry per published file. */
const homeKey = (resultsDir: string, card: AnyScorecard) => `${publishedHome(resultsDir, card)}\u0000${cardKey(card)}`;

/**
 * Rebuilds the scorecards of every run under results/runs/ from its journal and plan, then
 * results/<lane>.json and results/partial/ from them. Lanes no run folder mentions keep their
 * files. Returns the rebuilt scorecards, all runs, in run order.
 */
export async function rebuildFromJournals(resultsDir: string, onProblem: Problem): Promise<AnyScorecard[]> {
  let runIds: string[];
  try {
    runIds = (await readdir(join(resultsDir, 'runs'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const all: AnyScorecard[] = [];
  for (const id of runIds) all.push(...(await rebuildRun(runDirOf(resultsDir, id), onProblem)));
  const published = [...(await readAnyScorecardDir(resultsDir, onProblem)), ...(await readAnyScorecardDir(join(resultsDir, TASKS_DIR), onProblem))];
  const existing = new Map(published.map((c) => [homeKey(resultsDir, c), c]));
  for (const key of new Set(all.map((c) => homeKey(resultsDir, c)))) {
    await republishKey(resultsDir, all.filter((c) => homeKey(resultsDir, c) === key), existing.get(key));
  }
  return all;
}
