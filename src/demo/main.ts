import { UsageError } from '../cli/args.js';
import { parseServerArgs } from './flags.js';
import { startFakeLane } from './server.js';
import { loadSolutions } from './solutions.js';

// The fake lane as a process that stands in for `llama-server`: same flags, same log lines on
// stderr, same stop behaviour as measured on a real one (shared/reference/llama-server).

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const args = parseServerArgs(process.argv.slice(2));
  log(`fake-llama-server: simulated lane, brain '${args.brain}', ${args.tokPerSec || 'unlimited'} tok/s per slot, no model is loaded`);
  if (args.faults.length > 0) log(`fake-llama-server: faults ${args.faults.join(', ')}`);
  log(`main: loading model '${args.modelPath}'`);
  const lane = await startFakeLane({
    host: args.host,
    port: args.port,
    brain: args.brain,
    alias: args.alias,
    modelPath: args.modelPath,
    ctx: args.ctx,
    slots: args.slots,
    metrics: args.metrics,
    tokPerSec: args.tokPerSec,
    loadDelayMs: args.loadDelayMs,
    faults: args.faults,
    solutions: args.solutionsPath ? loadSolutions(args.solutionsPath) : undefined,
    crash: 'exit',
    log,
  });

  // As measured on llama-server: idle, SIGTERM exits at once; with a non-streaming request in
  // flight the first SIGTERM is ignored and a second exits with code 1; with only streams in
  // flight the streams are cut (no [DONE]) and the process exits shortly after.
  let signalled = false;
  const stop = (signal: NodeJS.Signals) => {
    const { inFlight, streaming } = lane.stats();
    if (signalled) {
      log(`srv    operator(): received second ${signal}, terminating`);
      process.exit(1);
    }
    signalled = true;
    if (inFlight === 0) {
      log(`srv    operator(): received ${signal}, cleaning up before exit...`);
      void lane.close().then(() => process.exit(0));
    } else if (inFlight > streaming) {
      log(`srv    operator(): received ${signal} with ${inFlight - streaming} request(s) in flight; waiting (send it again to force)`);
    } else {
      log(`srv    operator(): received ${signal}, cutting ${streaming} stream(s)`);
      void lane.close();
      setTimeout(() => process.exit(0), 1000);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  log(`error: ${(err as Error).message}`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
