import { join } from 'node:path';
import { intFlag, LIMITS, parseFlags, UsageError, type Command } from '../cli/args.js';
import { defaultResultsDir } from '../paths.js';
import { oneLine, stripControl } from '../safeText.js';
import { rebuildFromJournals } from '../verdict/rebuild.js';
import { lockResults } from '../run/results-lock.js';
import { loadScorecards, loadTaskScorecards } from '../verdict/scorecard-files.js';
import { renderPartialTable, renderRankTable, writeSummary } from '../verdict/summary.js';
import { rankLanes } from '../verdict/rank.js';
import { isComplete } from '../verdict/scorecard.js';
import type { LaneScorecard } from '../types.js';
import { renderHistory } from '../verdict/history.js';
import { writeHtmlReport } from '../verdict/html-report.js';
import { renderTaskSection } from '../verdict/task-scorecard.js';
import type { TaskScorecard } from '../tasks/types.js';
import { laneRuns } from '../verdict/runs.js';
import { neighbourLines } from '../verdict/summary-sections.js';

const HELP = `brainbench report — regenerate results/summary.md from the scorecards

Usage:
  brainbench report [--results DIR] [--from-journals] [--html FILE]
  brainbench report --history LANE|LANE+HARNESS [--results DIR]

Reads every lane scorecard (DIR/<lane>.json, each lane's latest complete one, and
DIR/partial/<lane>.json, a newer run that was stopped before its last attempt) and every task
scorecard (DIR/tasks/<lane>+<harness>.json and DIR/tasks/partial/) and writes DIR/summary.md
again: complete scorecards ranked (honesty gate, then core pass rate, consistency, fewer
runaways, tok/s) with per-prompt pass rates, telemetry, latency and the vibe review queue;
partial and degraded ones (lane errors ate every attempt of a core prompt) listed apart, marked,
never ranked; graded/planned slots and lane errors for every lane; then the task suites, one
row per (lane, harness), the lane × harness table and the grader-peek audit.
Nothing is re-run; use it after deleting a lane's scorecard or upgrading brainbench.
It prints where it wrote the summary and the rank table.

With --from-journals, the scorecards are first made again from every run under DIR/runs/
(its run.json plan and journal.jsonl attempts or trials): each run's own
DIR/runs/<id>/scorecards/, then DIR/<lane>.json (the newest complete run of the lane),
DIR/tasks/<lane>+<harness>.json, and their partial/ folders. Use it after a
run was killed (kill -9, reboot) before it could write its scorecard.

With --html FILE, also writes one self-contained HTML page (inline SVG charts, nothing fetched
when it is opened): the ranking with intervals and which neighbours are separable, the
quality × speed × memory frontier (pass rate vs tok/s, point size peak memory, Pareto lanes
marked), the lanes × prompts heatmap, and for task suites the lanes × harnesses heatmap and
the task frontier (pass rate vs decode rate), each with its table beside it.

With --history LANE (or LANE+HARNESS for a task suite), prints its kept runs over time instead (DIR/runs/*/scorecards):
pass rate with its 95 % interval (clustered by prompt, CR1 with t(K−1)), tok/s, peak memory,
engine version where recorded, complete or partial, and the paired difference from the run
before over K shared prompts. Nothing is written.

Flags:
  --results DIR     results folder (default: $BRAINBENCH_RESULTS or ./results)
  --from-journals   rebuild the scorecards from the runs' journals first
  --html FILE       also write the HTML report to FILE
  --history KEY     print a lane's (or lane+harness's) runs over time
  --k K             pass^k and pass@k at k = K in summary.md and the HTML page (default: the
                    smallest N among the lanes: one k for every lane, coverage shown)
  -h, --help        this text

Exit status: 0 when summary.md was written (or the history printed), 1 when there is no
scorecard to report on (no kept run of LANE).`;

/** Rebuilds under the results lock, so a run in progress is not overwritten half-way. */
async function rebuild(resultsDir: string): Promise<void> {
  const release = await lockResults(resultsDir, 'report');
  try {
    const cards = await rebuildFromJournals(resultsDir, (problem) => console.error(`brainbench report: skipped ${oneLine(problem)}`));
    console.log(`rebuilt ${cards.length} scorecard${cards.length === 1 ? '' : 's'} from the journals in ${resultsDir}`);
  } finally {
    await release();
  }
}

/** `--history KEY`: the lane's (or lane+harness's) kept runs, oldest first; 1 when it has none. */
async function printHistory(resultsDir: string, lane: string, warn: (problem: string) => void): Promise<number> {
  const runs = await laneRuns(resultsDir, lane, warn);
  if (runs.length === 0) {
    console.error(`brainbench report: no kept run of lane ${oneLine(lane)} in ${join(resultsDir, 'runs')}`);
    return 1;
  }
  console.log(stripControl(renderHistory(lane, runs)));
  return 0;
}

/** What the terminal shows after summary.md is written: the rank table, neighbours, partial runs, then task suites. */
function printRanking(cards: LaneScorecard[], taskCards: TaskScorecard[]): void {
  // scorecards are files anyone could edit: what they hold is printed as text, never as escapes
  if (cards.length > 0) {
    console.log(stripControl(renderRankTable(cards)));
    const neighbours = neighbourLines(rankLanes(cards.filter(isComplete)));
    if (neighbours) console.log(`\n${stripControl(neighbours)}`);
    const partial = stripControl(renderPartialTable(cards));
    if (partial) console.log(`\nPartial runs (not ranked):\n${partial}`);
  }
  if (taskCards.length > 0) console.log(`${cards.length > 0 ? '\n' : ''}${stripControl(renderTaskSection(taskCards))}`);
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'regenerate results/summary.md (--html: charts page; --history: a lane over time)',
  help: HELP,
  async run(argv) {
    const flags = { results: { type: 'string' }, 'from-journals': { type: 'boolean' }, html: { type: 'string' }, history: { type: 'string' }, k: { type: 'string' } } as const;
    const { values } = parseFlags(argv, flags);
    const resultsDir = values.results ?? defaultResultsDir();
    const warn = (problem: string) => console.error(`brainbench report: skipped ${oneLine(problem)}`);
    if (values.history !== undefined) {
      if (values.html !== undefined || values['from-journals']) throw new UsageError('--history prints a lane over time; it does not combine with --html or --from-journals');
      return printHistory(resultsDir, values.history, warn);
    }
    if (values['from-journals']) await rebuild(resultsDir);
    const cards = await loadScorecards(resultsDir, warn);
    const taskCards = await loadTaskScorecards(resultsDir, warn);
    if (cards.length === 0 && taskCards.length === 0) {
      console.error(`brainbench report: no scorecards in ${resultsDir} — run \`brainbench run --lane demo\` first`);
      return 1;
    }
    const k = values.k === undefined ? undefined : intFlag(values.k, 'k', 1, LIMITS.n);
    const path = await writeSummary(resultsDir, cards, { k });
    const tasks = taskCards.length > 0 ? `, ${taskCards.length} task scorecard${taskCards.length === 1 ? '' : 's'}` : '';
    console.log(`wrote ${path} (${cards.length} lane${cards.length === 1 ? '' : 's'}${tasks})`);
    if (values.html !== undefined) console.log(`wrote ${await writeHtmlReport(values.html, cards, taskCards, k)}`);
    console.log('');
    printRanking(cards, taskCards);
    return 0;
  },
};
