import { parseFlags, UsageError, type Command } from '../cli/args.js';
import { defaultResultsDir } from '../paths.js';
import { oneLine, stripControl } from '../safeText.js';
import { compareCards, comparisonJson, renderComparison, type Comparison } from '../verdict/compare.js';
import { resolveScorecards } from '../verdict/runs.js';
import { cardKey, isTaskCard, type AnyScorecard } from '../verdict/scorecard-files.js';

const HELP = `brainbench compare — two runs or lanes side by side, regressions beyond noise flagged

Usage:
  brainbench compare A B [--results DIR] [--json]

A and B each name scorecards: a run id (every scorecard of the run), RUN_ID/KEY (one of them),
or a KEY (its latest complete scorecard). A KEY is a lane id for a prompt suite and
LANE+HARNESS for a task suite (results/tasks/<lane>+<harness>.json). Every run keeps its own
scorecards under results/runs/<id>/scorecards/, so any two runs can be compared later. Two
runs with several scorecards are compared key by key (each lane, or each lane+harness, both
ran). A is the baseline, B the candidate. Task scorecards compare task by task, the same way.

Prints each prompt's passes in A and in B, the difference in points, the p-value of Fisher's
exact test on that prompt (two-sided) and that p Holm-adjusted over every prompt both graded, so
the chance of flagging any unchanged prompt stays under 5 %. A prompt where B is worse with a
Holm-adjusted p < 0.05 is flagged REGRESSION. Then the verdict on the whole suite: the paired
difference in core pass rate over the K shared prompts, with a cluster-robust (CR1) 95 % interval
on t(K−1), "separable" or "not separable" and what more would tell (at 80 % power). Notes name
any difference in suite or fixture hash, N, sampling, engine or model between A and B.

The regression gate fires when the suite verdict puts B below A beyond noise, or a prompt is
flagged REGRESSION; on equal lanes it fires about 5 % of the time or less (bench/calibration.ts).
Where it cannot fire at this N (too few attempts for any prompt, or too few prompts) it says so
and how large N would have to be.

Flags:
  --results DIR   results folder (default: $BRAINBENCH_RESULTS or ./results)
  --json          print the comparison as JSON (several keys: {"comparisons": [...]})
  -h, --help      this text

Exit status: 0 when the gate is clear, 3 when it fired, 2 for a usage problem.`;

/** Exit status when the regression gate fired (../verdict/gate.ts): scripts can gate on it. */
export const REGRESSION_EXIT = 3;

/** One pair when each side names one scorecard; else every key both sides have, A's order. */
function pairsOf(a: AnyScorecard[], b: AnyScorecard[]): Array<[AnyScorecard, AnyScorecard]> {
  const pairs: Array<[AnyScorecard, AnyScorecard]> =
    a.length === 1 && b.length === 1 ? [[a[0]!, b[0]!]] : a.flatMap((x) => b.filter((y) => cardKey(y) === cardKey(x)).map((y): [AnyScorecard, AnyScorecard] => [x, y]));
  const keys = (cards: AnyScorecard[]) => cards.map((c) => oneLine(cardKey(c))).join(', ');
  if (pairs.length === 0) throw new UsageError(`A and B share no lane or lane+harness (A has ${keys(a)}; B has ${keys(b)}); name one of each as RUN_ID/KEY`);
  const mixed = pairs.find(([x, y]) => isTaskCard(x) !== isTaskCard(y));
  if (mixed) throw new UsageError(`${oneLine(cardKey(mixed[0]))} and ${oneLine(cardKey(mixed[1]))}: a prompt-suite scorecard and a task-suite scorecard cannot be compared`);
  return pairs;
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare two runs or lanes, flag regressions beyond noise',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { results: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length !== 2) throw new UsageError(`compare wants two runs or lanes (A B), got ${positionals.length}`);
    const resultsDir = values.results ?? defaultResultsDir();
    const warn = (problem: string) => console.error(`brainbench compare: skipped ${oneLine(problem)}`);
    const [a, b] = [await resolveScorecards(resultsDir, positionals[0]!, warn), await resolveScorecards(resultsDir, positionals[1]!, warn)];
    const comparisons: Comparison[] = pairsOf(a, b).map(([x, y]) => compareCards(x, y));
    // scorecards are files anyone could edit: what they hold is printed as text, never as escapes
    if (values.json) {
      const json = comparisons.length === 1 ? comparisonJson(comparisons[0]!) : { comparisons: comparisons.map(comparisonJson) };
      console.log(JSON.stringify(json, null, 2));
    } else console.log(stripControl(comparisons.map(renderComparison).join('\n\n')));
    return comparisons.some((c) => c.gate.fired) ? REGRESSION_EXIT : 0;
  },
};
