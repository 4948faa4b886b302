// Where scorecards live (issue 12; DESIGN §8, §14: runs are kept, never overwritten):
//   results/runs/<run-id>/scorecards/<lane>.json  every scorecard a run made, partial or complete;
//                                                 a resume of the same run updates its own file
//   results/<lane>.json                           the lane's latest COMPLETE scorecard (what other
//                                                 tools read); a partial one never replaces it
//   results/partial/<lane>.json                   the lane's latest partial scorecard, while it is
//                                                 newer than the complete one (removed when a
//                                                 complete scorecard of the lane is published)
// <lane> is the lane id through safeFileName. All writes are atomic (temp + rename).
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { safeFileName } from '../safeText.js';
import type { LaneScorecard } from '../types.js';
import { isComplete } from './scorecard.js';

export const PARTIAL_DIR = 'partial';

/** The scorecard file name for a lane id: `<safe id>.json`. */
export function scorecardFileName(lane: string): string {
  return `${safeFileName(lane)}.json`;
}

export function runScorecardsDir(runDir: string): string {
  return join(runDir, 'scorecards');
}

function isScorecard(value: unknown): value is LaneScorecard {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<Record<keyof LaneScorecard, unknown>>;
  return typeof v.lane === 'string' && typeof v.core_n === 'number' && Array.isArray(v.prompts) && typeof v.reproducibility === 'object' && v.reproducibility !== null;
}

/**
 * Writes dir/<lane>.json atomically as it is, complete or not; returns its path. A run files its
 * scorecards through `publishScorecard`.
 */
export async function writeScorecard(dir: string, card: LaneScorecard): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, scorecardFileName(card.lane));
  await writeFileAtomic(path, JSON.stringify(card, null, 2) + '\n');
  return path;
}

/**
 * Files a run's scorecard: always in the run's own folder; a complete one becomes the lane's
 * results/<lane>.json and retires its partial one; a partial one goes to results/partial/ and
 * leaves results/<lane>.json alone. Returns the path of the published copy.
 */
export async function publishScorecard(resultsDir: string, runDir: string, card: LaneScorecard): Promise<string> {
  await writeScorecard(runScorecardsDir(runDir), card);
  if (!isComplete(card)) return writeScorecard(join(resultsDir, PARTIAL_DIR), card);
  const path = await writeScorecard(resultsDir, card);
  await rm(join(resultsDir, PARTIAL_DIR, scorecardFileName(card.lane)), { force: true });
  return path;
}

/**
 * Every scorecard among dir/*.json, in file-name order. Other JSON files are ignored; a file that
 * cannot be read or parsed is reported through `onProblem` with its path and skipped. A missing
 * folder holds no scorecards.
 */
export async function readScorecardDir(dir: string, onProblem: (message: string) => void): Promise<LaneScorecard[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const cards: LaneScorecard[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (isScorecard(parsed)) cards.push(parsed);
    } catch (err) {
      onProblem(`${path}: not readable as a scorecard (${(err as Error).message})`);
    }
  }
  return cards;
}

/**
 * What the summary and the leaderboard show: each lane's complete scorecard (results/*.json) and
 * its newer partial one (results/partial/*.json), complete ones first.
 */
export async function loadScorecards(resultsDir: string, onProblem: (message: string) => void = (m) => console.warn(m)): Promise<LaneScorecard[]> {
  const complete = await readScorecardDir(resultsDir, onProblem);
  const partial = await readScorecardDir(join(resultsDir, PARTIAL_DIR), onProblem);
  return [...complete, ...partial.filter((c) => !isComplete(c))];
}
