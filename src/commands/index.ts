import type { Command } from '../cli/args.js';
import { cockpitCommand } from './cockpit.js';
import { compareCommand } from './compare.js';
import { doctorCommand } from './doctor.js';
import { lanesCommand } from './lanes.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { telemetryCommand } from './telemetry.js';

/** Every subcommand, in the order --help lists them. */
export const commands: Command[] = [
  runCommand,
  reportCommand,
  compareCommand,
  statusCommand,
  lanesCommand,
  doctorCommand,
  telemetryCommand,
  cockpitCommand,
];
