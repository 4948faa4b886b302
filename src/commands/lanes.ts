import type { Command } from '../cli/args.js';

export const lanesCommand: Command = {
  name: 'lanes',
  summary: 'list lanes; start, stop or swap one',
  help: `brainbench lanes — list lanes; start, stop or swap one`,
  async run() {
    console.error('brainbench lanes: not built yet');
    return 1;
  },
};
