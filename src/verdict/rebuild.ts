// `brainbench report --from-journals`: scorecards made again from what each run folder holds —
// run.json (the plan: suite, N, lanes, capabilities), journal.jsonl (the attempts), events.jsonl
// (run.start, probe) and the run's own scorecards/ (telemetry, lane command) — through the same
// laneScorecard the queue uses, so completeness is the plan's, whatever was written before.
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
import { PARTIAL_DIR, readScorecardDir, runScorecardsDir, scorecardFileName, writeScorecard } from './scorecard-files.js';

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

async function readRun(runDir: string, onProblem: Problem): Promise<RunFiles | null> {
  try {
    const plan = await readPlan(runDir);
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

/** Every lane scorecard of one run, rebuilt and written back to the run's scorecards/ folder. */
async function rebuildRun(runDir: string, onProblem: Problem): Promise<LaneScorecard[]> {
  const run = await readRun(runDir, onProblem);
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

const newest = (cards: LaneScorecard[]) =>
  cards.reduce<LaneScorecard | undefined>((best, c) => (!best || c.reproducibility.ended_at > best.reproducibility.ended_at ? c : best), undefined);

/**
 * Files one lane's rebuilt scorecards the way a run would have: the newest complete one is
 * results/<lane>.json, a partial one newer than it is results/partial/<lane>.json. A
 * results/<lane>.json that came from a run now known to be partial is taken down.
 */
async function republishLane(resultsDir: string, cards: LaneScorecard[], existing: LaneScorecard | undefined): Promise<void> {
  const complete = newest(cards.filter(isComplete));
  const partial = newest(cards.filter((c) => !isComplete(c)));
  const lane = cards[0]!.lane;
  const partialPath = join(resultsDir, PARTIAL_DIR, scorecardFileName(lane));
  if (complete) await writeScorecard(resultsDir, complete);
  else if (existing && cards.some((c) => c.reproducibility.run_id === existing.reproducibility.run_id)) {
    await rm(join(resultsDir, scorecardFileName(lane)), { force: true });
  }
  const after = complete?.reproducibility.ended_at ?? '';
  if (partial && partial.reproducibility.ended_at > after) await writeScorecard(join(resultsDir, PARTIAL_DIR), partial);
  else await rm(partialPath, { force: true });
}

/**
 * Rebuilds the scorecards of every run under results/runs/ from its journal and plan, then
 * results/<lane>.json and results/partial/ from them. Lanes no run folder mentions keep their
 * files. Returns the rebuilt scorecards, all runs, in run order.
 */
export async function rebuildFromJournals(resultsDir: string, onProblem: Problem): Promise<LaneScorecard[]> {
  let runIds: string[];
  try {
    runIds = (await readdir(join(resultsDir, 'runs'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const all: LaneScorecard[] = [];
  for (const id of runIds) all.push(...(await rebuildRun(runDirOf(resultsDir, id), onProblem)));
  const existing = new Map((await readScorecardDir(resultsDir, onProblem)).map((c) => [c.lane, c]));
  for (const lane of new Set(all.map((c) => c.lane))) {
    await republishLane(resultsDir, all.filter((c) => c.lane === lane), existing.get(lane));
  }
  return all;
}
