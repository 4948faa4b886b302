import type { Command } from '../cli/args.js';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check this box: llama-server, docker, nvidia-smi, bubblewrap, ports, disk',
  help: `brainbench doctor — check this box: llama-server, docker, nvidia-smi, bubblewrap, ports, disk`,
  async run() {
    console.error('brainbench doctor: not built yet');
    return 1;
  },
};
