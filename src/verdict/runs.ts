// Finding kept scorecards (issue 15): every run keeps its own under results/runs/<id>/scorecards/,
// so `compare` can name a run, a lane (its latest complete scorecard) or `<run>/<lane>`, and
// `report --history` can walk a lane's runs.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { suggest, UsageError } from '../cli/args.js';
import { runDir } from '../paths.js';
import { isRunId } from '../run/plan.js';
import { loadScorecards, readScorecardDir, runScorecardsDir } from './scorecard-files.js';
import { oneLine } from '../safeText.js';
import type { LaneScorecard } from '../types.js';

type Problem = (message: string) => void;

/** The run ids under results/runs/, oldest first (ids start with their UTC time). */
export async function runIds(resultsDir: string): Promise<string[]> {
  try {
    const entries = await readdir(join(resultsDir, 'runs'), { withFileTypes: true });
    return entries.filter((d) => d.isDirectory() && isRunId(d.name)).map((d) => d.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export function runCards(resultsDir: string, runId: string, onProblem: Problem): Promise<LaneScorecard[]> {
  return readScorecardDir(runScorecardsDir(runDir(resultsDir, runId)), onProblem);
}

/** Every scorecard a lane's runs kept, complete or partial, in the order the runs started. */
export async function laneRuns(resultsDir: string, lane: string, onProblem: Problem): Promise<LaneScorecard[]> {
  const cards: LaneScorecard[] = [];
  for (const id of await runIds(resultsDir)) cards.push(...(await runCards(resultsDir, id, onProblem)).filter((c) => c.lane === lane));
  return cards.sort((a, b) => a.reproducibility.started_at.localeCompare(b.reproducibility.started_at));
}

async function fromRun(resultsDir: string, runId: string, lane: string | undefined, onProblem: Problem): Promise<LaneScorecard> {
  const cards = await runCards(resultsDir, runId, onProblem);
  const pick = lane === undefined ? cards : cards.filter((c) => c.lane === lane);
  if (pick.length === 1) return pick[0]!;
  const names = cards.map((c) => `${runId}/${oneLine(c.lane)}`).join(', ');
  if (pick.length === 0) throw new UsageError(`run ${runId} has no scorecard${lane === undefined ? '' : ` for lane ${oneLine(lane)}`}${names ? ` (it has ${names})` : ''}`);
  throw new UsageError(`run ${runId} has ${pick.length} lanes; name one: ${names}`);
}

/**
 * The scorecard an argument names: `<run-id>` (a run with one lane), `<run-id>/<lane>`, or a lane
 * id (its latest complete scorecard, results/<lane>.json, else its partial one).
 */
export async function resolveScorecard(resultsDir: string, arg: string, onProblem: Problem): Promise<LaneScorecard> {
  const slash = arg.indexOf('/');
  if (slash > 0 && isRunId(arg.slice(0, slash))) return fromRun(resultsDir, arg.slice(0, slash), arg.slice(slash + 1), onProblem);
  const runs = await runIds(resultsDir);
  if (runs.includes(arg)) return fromRun(resultsDir, arg, undefined, onProblem);
  const lanes = await loadScorecards(resultsDir, onProblem);
  const card = lanes.find((c) => c.lane === arg);
  if (card) return card;
  const hint = suggest(arg, [...runs, ...lanes.map((c) => c.lane)]);
  throw new UsageError(`no run or lane named '${oneLine(arg)}' in ${resultsDir}${hint ? `; did you mean ${oneLine(hint)}?` : ''}`);
}
