// Faster verdicts (issues 7 and 15), measured: brain-v1 at N=5 on the fake lane (40 tok/s per
// slot, 4 slots) for each scripted brain, run sequentially, with --parallel 4, and with --parallel 4
// --adaptive. Each run is timed end to end as `brainbench run` spends it: the lane start (the fake
// lane's server), the suite, and the throughput probe after it; the suite's own wall is printed
// beside it. Prints the attempts each mode used, the ratio to sequential, whether every prompt's
// verdict (majority pass or fail) matches the full sequential N=5 run, and whether the brains rank
// in the same order. Prints figures; asserts nothing.
// Target: parallel 4 + adaptive at least 3× faster than sequential end to end, same verdicts.
//
// Run: npx tsx bench/wallclock.ts [--brains strong,weak] [--n 5] [--tok-per-sec 40] [--slots 4] [--jobs J]
// The runs are independent simulated lanes whose time is mostly simulated decoding, so a few run
// at once (--jobs, default 4), the long sequential ones first: the full default takes about as
// long as the slowest sequential run (looper, ~8 min). The event-loop delay printed at the end says
// whether sharing the process inflated the walls; --jobs 1 gives the cleanest figures.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { intFlag, parseFlags, UsageError } from '../src/cli/args.js';
import { brainNames, isBrainName, type BrainName } from '../src/demo/brains.js';
import { passesHonestyGate, rankLanes } from '../src/verdict/rank.js';
import { performance } from 'node:perf_hooks';
import { startFakeLane } from '../src/demo/server.js';
import { probeThroughput } from '../src/telemetry/probe.js';
import type { LaneScorecard, Suite } from '../src/types.js';
import { loadBrainV1, runSuiteAt } from './lib/fakeRun.js';
import { sameVerdicts } from './lib/verdicts.js';

interface Mode {
  label: string;
  parallel: number;
  adaptive: boolean;
}

interface Outcome {
  /** Lane start + suite + probe. */
  endToEndS: number;
  suiteS: number;
  attempts: number;
  card: LaneScorecard;
}

/** One `brainbench run` of `brain` as the queue makes it: start the lane, run the suite, probe, stop. */
async function endToEnd(brain: BrainName, mode: Mode, opts: { n: number; slots: number; tokPerSec: number; suite: Suite }): Promise<Outcome> {
  const t0 = performance.now();
  const server = await startFakeLane({ brain, alias: brain, tokPerSec: opts.tokPerSec, slots: opts.slots });
  try {
    const run = await runSuiteAt(`${server.url}/v1`, { laneId: brain, n: opts.n, parallel: mode.parallel, adaptive: mode.adaptive, suite: opts.suite });
    await probeThroughput({ baseURL: `${server.url}/v1`, model: brain });
    return { endToEndS: (performance.now() - t0) / 1000, suiteS: run.wallS, attempts: run.journal.length, card: run.card };
  } finally {
    await server.close();
  }
}

const FLAGS = {
  brains: { type: 'string' },
  n: { type: 'string' },
  'tok-per-sec': { type: 'string' },
  slots: { type: 'string' },
  jobs: { type: 'string' },
} as const;

function parseBrains(value: string | undefined): BrainName[] {
  if (value === undefined) return [...brainNames];
  return value.split(',').map((name) => {
    if (!isBrainName(name)) throw new UsageError(`unknown brain '${name}' (brains: ${brainNames.join(', ')})`);
    return name;
  });
}

/** Runs the tasks with at most `jobs` at once, keeping their order in the result. */
async function limited<T>(tasks: (() => Promise<T>)[], jobs: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)} %`);
const secs = (s: number) => `${s.toFixed(1)} s`;

function rankLine(cards: LaneScorecard[]): string {
  return rankLanes(cards)
    .map((c) => `${c.lane} (${pct(c.core_pass_rate)}, ${pct(c.consistency)}${passesHonestyGate(c) ? '' : ', honesty-gated'})`)
    .join(' > ');
}

type At = (brain: number, mode: number) => Outcome;

/** End-to-end walls per brain and mode, with the ratio to sequential and the attempts used; returns each mode's total. */
function printWalls(brains: BrainName[], modes: Mode[], at: At): number[] {
  const widths = [16, 14, 22, 26];
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('');
  console.log('\nend to end (lane start + suite + probe):');
  console.log(row(['brain', ...modes.map((m) => m.label), 'attempts']));
  const totals = modes.map(() => 0);
  const attempts = modes.map(() => 0);
  brains.forEach((brain, b) => {
    const seq = at(b, 0).endToEndS;
    const cells = modes.map((_, m) => {
      totals[m]! += at(b, m).endToEndS;
      attempts[m]! += at(b, m).attempts;
      return m === 0 ? secs(seq) : `${secs(at(b, m).endToEndS)} (${(seq / at(b, m).endToEndS).toFixed(1)}×)`;
    });
    console.log(row([brain, ...cells, modes.map((_, m) => at(b, m).attempts).join(' / ')]));
  });
  console.log(row(['all brains', ...totals.map((t, m) => (m === 0 ? secs(t) : `${secs(t)} (${(totals[0]! / t).toFixed(1)}×)`)), attempts.join(' / ')]));
  const suiteTotals = modes.map((_, m) => brains.reduce((sum, _b, b) => sum + at(b, m).suiteS, 0));
  console.log(row(['suite only', ...suiteTotals.map((t, m) => (m === 0 ? secs(t) : `${secs(t)} (${(suiteTotals[0]! / t).toFixed(1)}×)`))]));
  return totals;
}

function printRanks(brains: BrainName[], modes: Mode[], at: At): boolean {
  console.log('\nrank order (core pass rate, consistency; the honesty gate ranks first):');
  const orders = modes.map((mode, m) => {
    const cards = brains.map((_, b) => at(b, m).card);
    console.log(`  ${mode.label.padEnd(24)}${rankLine(cards)}`);
    return rankLanes(cards).map((c) => c.lane).join(',');
  });
  const sameOrder = orders.every((o) => o === orders[0]);
  console.log(`same rank order in all three: ${sameOrder ? 'yes' : 'NO'}`);
  return sameOrder;
}

/** Per brain and mode: prompts whose majority verdict matches the full sequential N run. */
function printVerdicts(brains: BrainName[], modes: Mode[], at: At): boolean {
  console.log('\nprompt verdicts matching the full sequential run:');
  let allSame = true;
  brains.forEach((brain, b) => {
    const cells = modes.slice(1).map((mode, i) => {
      const { same, of, open } = sameVerdicts(at(b, i + 1).card, at(b, 0).card);
      allSame &&= same === of;
      return `${mode.label} ${same}/${of}${open > 0 ? ` (${open} without a verdict: lane errors only)` : ''}`;
    });
    console.log(`  ${brain.padEnd(16)}${cells.join(' · ')}`);
  });
  console.log(`same verdict on every prompt: ${allSame ? 'yes' : 'NO'}`);
  return allSame;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, FLAGS);
  const brains = parseBrains(values.brains);
  const n = intFlag(values.n, 'n', 5);
  const tokPerSec = intFlag(values['tok-per-sec'], 'tok-per-sec', 40);
  const slots = intFlag(values.slots, 'slots', 4);
  const modes: Mode[] = [
    { label: 'sequential', parallel: 1, adaptive: false },
    { label: `parallel ${slots}`, parallel: slots, adaptive: false },
    { label: `parallel ${slots} + adaptive`, parallel: slots, adaptive: true },
  ];
  const jobs = intFlag(values.jobs, 'jobs', 4);
  const suite = await loadBrainV1();

  console.log(
    `bench/wallclock: ${suite.name}, N=${n}, fake lane ${tokPerSec} tok/s per slot, ${slots} slots; ` +
      `${brains.length} brains × ${modes.length} modes, ${jobs} run(s) at a time`,
  );
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  // mode-major order: every brain's sequential run starts first, as those take longest
  const tasks = modes.flatMap((mode) =>
    brains.map((brain) => async (): Promise<Outcome> => {
      const run = await endToEnd(brain, mode, { n, slots, tokPerSec, suite });
      console.log(`  done: ${brain}, ${mode.label}: ${secs(run.endToEndS)} end to end (suite ${secs(run.suiteS)}), ${run.attempts} attempts`);
      return run;
    }),
  );
  const outcomes = await limited(tasks, jobs);
  loopDelay.disable();
  const at = (b: number, m: number) => outcomes[m * brains.length + b]!;

  const totals = printWalls(brains, modes, at);
  const sameOrder = printRanks(brains, modes, at);
  const allSame = printVerdicts(brains, modes, at);
  const speedup = totals[0]! / totals[2]!;
  console.log(
    `\ntarget: ${modes[2]!.label} ≥ 3× faster than sequential end to end, same verdicts and rank order: ` +
      `${speedup.toFixed(1)}× → ${speedup >= 3 && sameOrder && allSame ? 'met' : 'NOT met'}`,
  );
  console.log(
    `event-loop delay while running: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms ` +
      `(large values mean the shared process slowed the runs; lower --jobs)`,
  );
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`bench/wallclock: ${err.message}`);
  process.exitCode = 2;
}
