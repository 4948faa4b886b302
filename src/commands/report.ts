import { parseFlags, type Command } from '../cli/args.js';
import { defaultResultsDir } from '../paths.js';
import { oneLine, stripControl } from '../safeText.js';
import { rebuildFromJournals } from '../run/rebuild.js';
import { lockResults } from '../run/results-lock.js';
import { loadScorecards } from '../run/scorecard-files.js';
import { renderPartialTable, renderRankTable, writeSummary } from '../run/summary.js';

const HELP = `brainbench report — regenerate results/summary.md from the scorecards

Usage:
  brainbench report [--results DIR] [--from-journals]

Reads every lane scorecard (DIR/<lane>.json, each lane's latest complete one, and
DIR/partial/<lane>.json, a newer run that was stopped before its last attempt) and writes
DIR/summary.md again: complete scorecards ranked (honesty gate, then core pass rate,
consistency, fewer runaways, tok/s) with per-prompt pass rates, telemetry, latency and the
vibe review queue; partial ones listed apart, marked, never ranked.
Nothing is re-run; use it after deleting a lane's scorecard or upgrading brainbench.
It prints where it wrote the summary and the rank table.

With --from-journals, the scorecards are first made again from every run under DIR/runs/
(its run.json plan and journal.jsonl attempts): each run's own DIR/runs/<id>/scorecards/,
then DIR/<lane>.json (the newest complete run of the lane) and DIR/partial/. Use it after a
run was killed (kill -9, reboot) before it could write its scorecard.

Flags:
  --results DIR     results folder (default: $BRAINBENCH_RESULTS or ./results)
  --from-journals   rebuild the scorecards from the runs' journals first
  -h, --help        this text

Exit status: 0 when summary.md was written, 1 when there is no scorecard to report on.`;

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

export const reportCommand: Command = {
  name: 'report',
  summary: 'regenerate results/summary.md from the scorecards',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, { results: { type: 'string' }, 'from-journals': { type: 'boolean' } });
    const resultsDir = values.results ?? defaultResultsDir();
    if (values['from-journals']) await rebuild(resultsDir);
    const cards = await loadScorecards(resultsDir, (problem) => console.error(`brainbench report: skipped ${oneLine(problem)}`));
    if (cards.length === 0) {
      console.error(`brainbench report: no scorecards in ${resultsDir} — run \`brainbench run --lane demo\` first`);
      return 1;
    }
    const path = await writeSummary(resultsDir, cards);
    console.log(`wrote ${path} (${cards.length} lane${cards.length === 1 ? '' : 's'})\n`);
    // scorecards are files anyone could edit: what they hold is printed as text, never as escapes
    console.log(stripControl(renderRankTable(cards)));
    const partial = stripControl(renderPartialTable(cards));
    if (partial) console.log(`\nPartial runs (not ranked):\n${partial}`);
    return 0;
  },
};
