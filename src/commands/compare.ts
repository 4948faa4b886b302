import { parseFlags, UsageError, type Command } from '../cli/args.js';
import { defaultResultsDir } from '../paths.js';
import { oneLine, stripControl } from '../safeText.js';
import { compareCards, comparisonJson, renderComparison } from '../verdict/compare.js';
import { resolveScorecard } from '../verdict/runs.js';

const HELP = `brainbench compare — two runs or lanes side by side, regressions beyond noise flagged

Usage:
  brainbench compare A B [--results DIR] [--json]

A and B each name a scorecard: a run id (a run of one lane), RUN_ID/LANE (one lane of a run),
or a lane id (its latest complete scorecard, results/<lane>.json). Every run keeps its own
scorecards under results/runs/<id>/scorecards/, so any two runs can be compared later.
A is the baseline, B the candidate.

Prints each prompt's passes in A and in B, the difference in points and the p-value of
Fisher's exact test on that prompt (two-sided; each prompt on its own). A prompt where B is
worse with p < 0.05 is flagged REGRESSION. Then the verdict on the whole suite: the paired
difference in core pass rate with a 95 % interval that treats attempts as clustered within
prompts, "separable" or "not separable" and what more would tell.

Flags:
  --results DIR   results folder (default: $BRAINBENCH_RESULTS or ./results)
  --json          print the comparison as JSON
  -h, --help      this text

Exit status: 0 when no prompt regressed beyond noise, 3 when one did, 2 for a usage problem.`;

/** Exit status when a prompt regressed beyond noise: scripts can gate on it. */
export const REGRESSION_EXIT = 3;

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare two runs or lanes, flag regressions beyond noise',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { results: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length !== 2) throw new UsageError(`compare wants two runs or lanes (A B), got ${positionals.length}`);
    const resultsDir = values.results ?? defaultResultsDir();
    const warn = (problem: string) => console.error(`brainbench compare: skipped ${oneLine(problem)}`);
    const [a, b] = [await resolveScorecard(resultsDir, positionals[0]!, warn), await resolveScorecard(resultsDir, positionals[1]!, warn)];
    const comparison = compareCards(a, b);
    // scorecards are files anyone could edit: what they hold is printed as text, never as escapes
    if (values.json) console.log(JSON.stringify(comparisonJson(comparison), null, 2));
    else console.log(stripControl(renderComparison(comparison)));
    return comparison.prompts.some((d) => d.flag === 'regression') ? REGRESSION_EXIT : 0;
  },
};
