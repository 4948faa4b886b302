import type { Command } from '../cli/args.js';

export const telemetryCommand: Command = {
  name: 'telemetry',
  summary: 'print live GPU, temperature and unified-memory samples',
  help: `brainbench telemetry — print live GPU, temperature and unified-memory samples`,
  async run() {
    console.error('brainbench telemetry: not built yet');
    return 1;
  },
};
