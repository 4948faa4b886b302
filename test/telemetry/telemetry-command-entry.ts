// Runs `brainbench telemetry` alone as a process (what src/cli.ts does for this command), so the
// Ctrl-C test does not depend on every other command's module loading.
import { telemetryCommand } from '../../src/commands/telemetry.js';

process.exitCode = await telemetryCommand.run(process.argv.slice(2));
