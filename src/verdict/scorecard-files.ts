// Where scorecards live (issue 12; issue 20: one path for prompt and task scorecards; DESIGN §8,
// §14: runs are kept, never overwritten):
//   results/runs/<run-id>/scorecards/<key>.json  every scorecard a run made, partial or complete;
//                                                a resume of the same run updates its own file
//   <home>/<key>.json                            the key's latest COMPLETE scorecard (what other
//                                                tools read); a partial one never replaces it
//   <home>/partial/<key>.json                    the key's latest partial scorecard, while it is
//                                                newer than the complete one (removed when a
//                                                complete scorecard of the key is published)
// A prompt scorecard's key is its lane and its home results/; a task scorecard's key is
// `<lane>+<harness>` and its home results/tasks/ (a demo variant lane is `demo+<brain>` too, so the
// two kinds keep apart folders rather than share names). Keys go through safeFileName; every write
// is atomic (temp + rename). Task cards a run kept before issue 20 (runs/<id>/task-scorecards/) are
// still read.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { safeFileName } from '../safeText.js';
import type { LaneScorecard } from '../types.js';
import type { TaskScorecard } from '../tasks/types.js';
import { isComplete } from './scorecard.js';

export const PARTIAL_DIR = 'partial';
export const TASKS_DIR = 'tasks';
/** Where a run kept its task scorecards before issue 20; read, never written. */
const LEGACY_RUN_TASKS_DIR = 'task-scorecards';

export type AnyScorecard = LaneScorecard | TaskScorecard;

export const isTaskCard = (card: AnyScorecard): card is TaskScorecard => (card as Partial<TaskScorecard>).kind === 'tasks';

/** What a scorecard is filed and found by: the lane, or `<lane>+<harness>` for a task scorecard. */
export const cardKey = (card: AnyScorecard): string => (isTaskCard(card) ? card.key : card.lane);

/** The run a scorecard came from. */
export const cardRunId = (card: AnyScorecard): string => (isTaskCard(card) ? card.run_id : card.reproducibility.run_id);

/** When the run behind a scorecard started and ended. */
export const cardTimes = (card: AnyScorecard): { started: string; ended: string } =>
  isTaskCard(card) ? { started: card.started_at, ended: card.ended_at } : { started: card.reproducibility.started_at, ended: card.reproducibility.ended_at };

/** The scorecard file name for a key: `<safe key>.json`. */
export function scorecardFileName(key: string): string {
  return `${safeFileName(key)}.json`;
}

export function runScorecardsDir(runDir: string): string {
  return join(runDir, 'scorecards');
}

function isLaneCard(value: unknown): value is LaneScorecard {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<Record<keyof LaneScorecard, unknown>>;
  return typeof v.lane === 'string' && typeof v.core_n === 'number' && Array.isArray(v.prompts) && typeof v.reproducibility === 'object' && v.reproducibility !== null;
}

function isTaskCardValue(value: unknown): value is TaskScorecard {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<Record<keyof TaskScorecard, unknown>>;
  return v.kind === 'tasks' && typeof v.key === 'string' && typeof v.lane === 'string' && Array.isArray(v.tasks) && typeof v.completeness === 'object';
}

/** Writes dir/<key>.json atomically as it is, complete or not; returns its path. */
export async function writeScorecard(dir: string, card: AnyScorecard): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, scorecardFileName(cardKey(card)));
  await writeFileAtomic(path, JSON.stringify(card, null, 2) + '\n');
  return path;
}

/** Where a scorecard of this kind is published: results/ for prompts, results/tasks/ for tasks. */
export const publishedHome = (resultsDir: string, card: AnyScorecard): string => (isTaskCard(card) ? join(resultsDir, TASKS_DIR) : resultsDir);

/**
 * Files a run's scorecard, prompt or task: always in the run's own folder; a complete one becomes
 * <home>/<key>.json and retires its partial one; a partial one goes to <home>/partial/ and leaves
 * <home>/<key>.json alone. Returns the path of the published copy.
 */
export async function publishScorecard(resultsDir: string, runDir: string, card: AnyScorecard): Promise<string> {
  await writeScorecard(runScorecardsDir(runDir), card);
  const home = publishedHome(resultsDir, card);
  if (!isComplete(card)) return writeScorecard(join(home, PARTIAL_DIR), card);
  const path = await writeScorecard(home, card);
  await rm(join(home, PARTIAL_DIR, scorecardFileName(cardKey(card))), { force: true });
  return path;
}

/**
 * Every scorecard among dir/*.json, either kind, in file-name order. Other JSON files are ignored;
 * a file that cannot be read or parsed is reported through `onProblem` with its path and skipped.
 * A missing folder holds no scorecards.
 */
export async function readAnyScorecardDir(dir: string, onProblem: (message: string) => void): Promise<AnyScorecard[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
  const cards: AnyScorecard[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (isLaneCard(parsed) || isTaskCardValue(parsed)) cards.push(parsed);
    } catch (err) {
      onProblem(`${path}: not readable as a scorecard (${(err as Error).message})`);
    }
  }
  return cards;
}

/** The prompt scorecards among dir/*.json (see readAnyScorecardDir). */
export async function readScorecardDir(dir: string, onProblem: (message: string) => void): Promise<LaneScorecard[]> {
  return (await readAnyScorecardDir(dir, onProblem)).filter((c): c is LaneScorecard => !isTaskCard(c));
}

/** Every scorecard a run folder kept, either kind (the pre-issue-20 task folder too). */
export async function readRunScorecards(runDir: string, onProblem: (message: string) => void): Promise<AnyScorecard[]> {
  const cards = await readAnyScorecardDir(runScorecardsDir(runDir), onProblem);
  const keys = new Set(cards.map(cardKey));
  const legacy = (await readAnyScorecardDir(join(runDir, LEGACY_RUN_TASKS_DIR), onProblem)).filter((c) => !keys.has(cardKey(c)));
  return [...cards, ...legacy];
}

/** The published scorecards of dir (complete ones), then the partial ones of dir/partial. */
async function publishedIn(dir: string, onProblem: (message: string) => void): Promise<AnyScorecard[]> {
  const complete = await readAnyScorecardDir(dir, onProblem);
  const partial = await readAnyScorecardDir(join(dir, PARTIAL_DIR), onProblem);
  return [...complete, ...partial.filter((c) => !isComplete(c))];
}

/**
 * What the summary and the leaderboard show: each lane's complete scorecard (results/*.json) and
 * its newer partial one (results/partial/*.json), complete ones first. Prompt scorecards only.
 */
export async function loadScorecards(resultsDir: string, onProblem: (message: string) => void = (m) => console.warn(m)): Promise<LaneScorecard[]> {
  return (await publishedIn(resultsDir, onProblem)).filter((c): c is LaneScorecard => !isTaskCard(c));
}

/** The published task scorecards (results/tasks/), complete ones then partial ones. */
export async function loadTaskScorecards(resultsDir: string, onProblem: (message: string) => void = () => undefined): Promise<TaskScorecard[]> {
  return (await publishedIn(join(resultsDir, TASKS_DIR), onProblem)).filter(isTaskCard);
}

/** Every published scorecard of either kind. */
export async function loadAnyScorecards(resultsDir: string, onProblem: (message: string) => void): Promise<AnyScorecard[]> {
  return [...(await loadScorecards(resultsDir, onProblem)), ...(await loadTaskScorecards(resultsDir, onProblem))];
}
