import { parseFlags, type Command } from '../cli/args.js';
import { defaultResultsDir } from '../paths.js';
import { renderRankTable, loadScorecards, writeSummary } from '../run/summary.js';

const HELP = `brainbench report — regenerate results/summary.md from the scorecards

Usage:
  brainbench report [--results DIR]

Reads every lane scorecard (DIR/<lane>.json, written by 'brainbench run') and writes
DIR/summary.md again: the ranked table (honesty gate, then core pass rate, consistency,
fewer runaways, tok/s), per-prompt pass rates, telemetry, latency and the vibe review queue.
Nothing is re-run; use it after deleting a lane's scorecard or upgrading brainbench.
It prints where it wrote the summary and the rank table.

Flags:
  --results DIR   results folder (default: $BRAINBENCH_RESULTS or ./results)
  -h, --help      this text

Exit status: 0 when summary.md was written, 1 when there is no scorecard to report on.`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'regenerate results/summary.md from the scorecards',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, { results: { type: 'string' } });
    const resultsDir = values.results ?? defaultResultsDir();
    const cards = await loadScorecards(resultsDir, (problem) => console.error(`brainbench report: skipped ${problem}`));
    if (cards.length === 0) {
      console.error(`brainbench report: no scorecards in ${resultsDir} — run \`brainbench run --lane demo\` first`);
      return 1;
    }
    const path = await writeSummary(resultsDir, cards);
    console.log(`wrote ${path} (${cards.length} lane${cards.length === 1 ? '' : 's'})\n`);
    console.log(renderRankTable(cards));
    return 0;
  },
};
