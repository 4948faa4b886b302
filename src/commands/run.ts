import type { Command } from '../cli/args.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run a suite against a lane, headless',
  help: `brainbench run — run a suite against a lane, headless`,
  async run() {
    console.error('brainbench run: not built yet');
    return 1;
  },
};
