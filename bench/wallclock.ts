// Faster verdicts (issue 7), measured: brain-v1 at N=5 on the fake lane (40 tok/s per slot,
// 4 slots) for each scripted brain, run sequentially, with --parallel 4, and with --parallel 4
// --adaptive. Prints each suite's wall time (runner start → last attempt end; the throughput probe
// is left out, it is the same in every mode), the ratio to sequential, and whether the brains
// rank in the same order in all three. Prints figures; asserts nothing.
// Target: parallel 4 + adaptive at least 3× faster than sequential, same rank order.
//
// Run: npx tsx bench/wallclock.ts [--brains strong,weak] [--n 5] [--tok-per-sec 40] [--slots 4] [--jobs J]
// The runs are independent simulated lanes whose time is mostly simulated decoding, so a few run
// at once (--jobs, default 4), the long sequential ones first: the full default takes about as
// long as the slowest sequential run (looper, ~8 min). The event-loop delay printed at the end says
// whether sharing the process inflated the walls; --jobs 1 gives the cleanest figures.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { intFlag, parseFlags, UsageError } from '../src/cli/args.js';
import { brainNames, isBrainName, type BrainName } from '../src/demo/brains.js';
import { passesHonestyGate, rankLanes } from '../src/run/rank.js';
import type { LaneScorecard } from '../src/types.js';
import { loadBrainV1, runOnFakeLane } from './lib/fakeRun.js';

interface Mode {
  label: string;
  parallel: number;
  adaptive: boolean;
}

interface Outcome {
  wallS: number;
  attempts: number;
  card: LaneScorecard;
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
      const run = await runOnFakeLane({ brain, n, parallel: mode.parallel, adaptive: mode.adaptive, slots, tokPerSec, suite });
      console.log(`  done: ${brain}, ${mode.label}: ${secs(run.wallS)}, ${run.journal.length} attempts`);
      return { wallS: run.wallS, attempts: run.journal.length, card: run.card };
    }),
  );
  const outcomes = await limited(tasks, jobs);
  loopDelay.disable();
  const at = (b: number, m: number) => outcomes[m * brains.length + b]!;

  const widths = [16, 14, 22, 26];
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('');
  console.log();
  console.log(row(['brain', ...modes.map((m) => m.label), 'attempts']));
  const totals = modes.map(() => 0);
  brains.forEach((brain, b) => {
    const seq = at(b, 0).wallS;
    const cells = modes.map((_, m) => {
      totals[m]! += at(b, m).wallS;
      return m === 0 ? secs(seq) : `${secs(at(b, m).wallS)} (${(seq / at(b, m).wallS).toFixed(1)}×)`;
    });
    console.log(row([brain, ...cells, modes.map((_, m) => at(b, m).attempts).join(' / ')]));
  });
  console.log(row(['all brains', ...totals.map((t, m) => (m === 0 ? secs(t) : `${secs(t)} (${(totals[0]! / t).toFixed(1)}×)`))]));

  console.log('\nrank order (core pass rate, consistency; the honesty gate ranks first):');
  const orders = modes.map((mode, m) => {
    const line = rankLine(brains.map((_, b) => at(b, m).card));
    console.log(`  ${mode.label.padEnd(24)}${line}`);
    return rankLanes(brains.map((_, b) => at(b, m).card)).map((c) => c.lane).join(',');
  });
  const sameOrder = orders.every((o) => o === orders[0]);
  console.log(`same rank order in all three: ${sameOrder ? 'yes' : 'NO'}`);

  const speedup = totals[0]! / totals[2]!;
  console.log(
    `\ntarget: ${modes[2]!.label} ≥ 3× faster than sequential with the same rank order: ` +
      `${speedup.toFixed(1)}× → ${speedup >= 3 && sameOrder ? 'met' : 'NOT met'}`,
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
