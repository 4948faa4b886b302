import type { Command } from '../cli/args.js';

export const cockpitCommand: Command = {
  name: 'cockpit',
  summary: 'open the cockpit (the default)',
  help: `brainbench cockpit — open the cockpit (the default)`,
  async run() {
    console.error('brainbench cockpit: not built yet');
    return 1;
  },
};
