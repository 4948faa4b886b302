import type { Command } from '../cli/args.js';

export const statusCommand: Command = {
  name: 'status',
  summary: "one screen of a detached run’s progress",
  help: `brainbench status — one screen of a detached run’s progress`,
  async run() {
    console.error('brainbench status: not built yet');
    return 1;
  },
};
