import type { Command } from '../cli/args.js';

export const reportCommand: Command = {
  name: 'report',
  summary: 'regenerate results/summary.md from the scorecards',
  help: `brainbench report — regenerate results/summary.md from the scorecards`,
  async run() {
    console.error('brainbench report: not built yet');
    return 1;
  },
};
