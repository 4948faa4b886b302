// Per-prompt verdicts of a scorecard and how many match a reference run's: shared by the benches
// that ask whether a faster mode reaches the same verdict.
import type { LaneScorecard } from '../../src/types.js';

export type Verdict = 'pass' | 'fail' | 'skipped' | 'none';

/** Each prompt's verdict: a majority of its graded attempts passed, or not; none when every attempt was a lane error. */
export function verdicts(card: LaneScorecard): Map<string, Verdict> {
  const verdictOf = (p: LaneScorecard['prompts'][number]): Verdict =>
    p.skipped !== undefined ? 'skipped' : p.runs === 0 ? 'none' : p.pass_count / p.runs > 0.5 ? 'pass' : 'fail';
  return new Map(card.prompts.map((p) => [p.prompt_id, verdictOf(p)]));
}

/**
 * Prompts whose verdict in `card` is the one the full run gave, over the prompts both runs have a
 * verdict for; `open` counts those left without one (all of a prompt's attempts were lane errors).
 */
export function sameVerdicts(card: LaneScorecard, full: LaneScorecard): { same: number; of: number; open: number } {
  const mine = verdicts(card);
  const both = [...verdicts(full)].filter(([id, v]) => v !== 'none' && mine.get(id) !== 'none');
  return { same: both.filter(([id, v]) => mine.get(id) === v).length, of: both.length, open: mine.size - both.length };
}
