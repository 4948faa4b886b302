// Finding kept scorecards (issue 15): every run keeps its own under results/runs/<id>/scorecards/,
// so `compare` can name a run, a lane (its latest complete scorecard) or `<run>/<lane>`, and
// `report --history` can walk a lane's runs. Task scorecards are found the same way by their key,
// `<lane>+<harness>` (issue 20).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { suggest, UsageError } from '../cli/args.js';
import { runDir } from '../paths.js';
import { isRunId } from '../run/plan.js';
import { cardKey, cardTimes, loadAnyScorecards, readRunScorecards, type AnyScorecard } from './scorecard-files.js';
import { oneLine } from '../safeText.js';

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

/** Every scorecard a run kept, prompt or task. */
export function runCards(resultsDir: string, runId: string, onProblem: Problem): Promise<AnyScorecard[]> {
  return readRunScorecards(runDir(resultsDir, runId), onProblem);
}

/** Every scorecard a lane's (or lane+harness's) runs kept, complete or partial, in the order the runs started. */
export async function laneRuns(resultsDir: string, key: string, onProblem: Problem): Promise<AnyScorecard[]> {
  const cards: AnyScorecard[] = [];
  for (const id of await runIds(resultsDir)) cards.push(...(await runCards(resultsDir, id, onProblem)).filter((c) => cardKey(c) === key));
  return cards.sort((a, b) => cardTimes(a).started.localeCompare(cardTimes(b).started));
}

/** A run's scorecards: all of them, or the one of `key`. */
async function fromRun(resultsDir: string, runId: string, key: string | undefined, onProblem: Problem): Promise<AnyScorecard[]> {
  const cards = await runCards(resultsDir, runId, onProblem);
  const pick = key === undefined ? cards : cards.filter((c) => cardKey(c) === key);
  if (pick.length > 0) return pick;
  const names = cards.map((c) => `${runId}/${oneLine(cardKey(c))}`).join(', ');
  throw new UsageError(`run ${runId} has no scorecard${key === undefined ? '' : ` for ${oneLine(key)}`}${names ? ` (it has ${names})` : ''}`);
}

/**
 * The scorecards an argument names: `<run-id>` (every scorecard of the run), `<run-id>/<key>`, or a
 * key — a lane, or `<lane>+<harness>` for a task scorecard — (its latest complete scorecard, else
 * its partial one).
 */
export async function resolveScorecards(resultsDir: string, arg: string, onProblem: Problem): Promise<AnyScorecard[]> {
  const slash = arg.indexOf('/');
  if (slash > 0 && isRunId(arg.slice(0, slash))) return fromRun(resultsDir, arg.slice(0, slash), arg.slice(slash + 1), onProblem);
  const runs = await runIds(resultsDir);
  if (runs.includes(arg)) return fromRun(resultsDir, arg, undefined, onProblem);
  const published = await loadAnyScorecards(resultsDir, onProblem);
  const card = published.find((c) => cardKey(c) === arg);
  if (card) return [card];
  const hint = suggest(arg, [...runs, ...published.map(cardKey)]);
  throw new UsageError(`no run or lane named '${oneLine(arg)}' in ${resultsDir}${hint ? `; did you mean ${oneLine(hint)}?` : ''}`);
}

/** The one scorecard an argument names; a run with several asks for `<run>/<key>`. */
export async function resolveScorecard(resultsDir: string, arg: string, onProblem: Problem): Promise<AnyScorecard> {
  const cards = await resolveScorecards(resultsDir, arg, onProblem);
  if (cards.length === 1) return cards[0]!;
  throw new UsageError(`run ${arg} has ${cards.length} scorecards; name one: ${cards.map((c) => `${arg}/${oneLine(cardKey(c))}`).join(', ')}`);
}
