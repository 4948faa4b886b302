// Time to a verdict (issue 20 item 7): one brain-v1 run at N=5 on the fake lane (4 slots, 40 tok/s
// a slot), end to end as `brainbench run` spends it — lane start, the attempts, the throughput
// probe — with `--parallel 4 --adaptive` against `--parallel 1`. Prints both walls with their
// phases, the speedup, and whether both runs reach the same verdict (every prompt's majority
// verdict and the core pass count). Target: ≥ 3× with the same verdict. Prints figures; asserts nothing.
//
// Run: npx tsx bench/verdict-time.ts [--brain strong] [--n 5] [--tok-per-sec 40] [--slots 4] [--probe stable|full]
// --probe full: the fixed three-request probe (the figure before the probe learned to stop once
// its rate is stable), for comparison.
import { performance } from 'node:perf_hooks';
import { intFlag, parseFlags, UsageError } from '../src/cli/args.js';
import { isBrainName, type BrainName } from '../src/demo/brains.js';
import { startFakeLane } from '../src/demo/server.js';
import { probeThroughput } from '../src/telemetry/probe.js';
import type { LaneScorecard, ProbeResult, Suite } from '../src/types.js';
import { loadBrainV1, runSuiteAt } from './lib/fakeRun.js';
import { sameVerdicts } from './lib/verdicts.js';

interface Mode {
  label: string;
  parallel: number;
  adaptive: boolean;
}

interface Timed {
  laneS: number;
  suiteS: number;
  probeS: number;
  totalS: number;
  attempts: number;
  probe: ProbeResult;
  card: LaneScorecard;
}

interface Settings {
  brain: BrainName;
  n: number;
  slots: number;
  tokPerSec: number;
  suite: Suite;
  untilStable: boolean;
}

/** The lane manager's readiness wait, in short: /health answers 200 once the model is loaded. */
async function untilHealthy(url: string): Promise<void> {
  for (;;) {
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One run as the queue makes it: start the lane, run the suite, probe, stop; each phase timed. */
async function endToEnd(mode: Mode, s: Settings): Promise<Timed> {
  const t0 = performance.now();
  // the demo lane's own default load time, so the lane start is not free
  const server = await startFakeLane({ brain: s.brain, alias: s.brain, tokPerSec: s.tokPerSec, slots: s.slots, loadDelayMs: 300 });
  try {
    await untilHealthy(server.url);
    const t1 = performance.now();
    const run = await runSuiteAt(`${server.url}/v1`, { laneId: s.brain, n: s.n, parallel: mode.parallel, adaptive: mode.adaptive, suite: s.suite });
    const t2 = performance.now();
    const probe = await probeThroughput({ baseURL: `${server.url}/v1`, model: s.brain, untilStable: s.untilStable });
    const t3 = performance.now();
    return { laneS: (t1 - t0) / 1000, suiteS: (t2 - t1) / 1000, probeS: (t3 - t2) / 1000, totalS: (t3 - t0) / 1000, attempts: run.journal.length, probe, card: run.card };
  } finally {
    await server.close();
  }
}

const FLAGS = {
  brain: { type: 'string' },
  n: { type: 'string' },
  'tok-per-sec': { type: 'string' },
  slots: { type: 'string' },
  probe: { type: 'string' },
} as const;

const secs = (s: number) => `${s.toFixed(1)} s`;

function describe(mode: Mode, t: Timed): string {
  const rate = t.probe.tokens_per_sec === null ? '—' : t.probe.tokens_per_sec.toFixed(1);
  const how = t.probe.stopped_early ? `${t.probe.stopped_early} after ${t.probe.duration_s?.toFixed(1)} s` : `${t.probe.requests} requests`;
  return (
    `  ${mode.label.padEnd(26)}${secs(t.totalS).padStart(8)}   lane ${secs(t.laneS)} · attempts ${secs(t.suiteS)} (${t.attempts}) · probe ${secs(t.probeS)} ` +
    `(${rate} tok/s, ${how}) · core ${t.card.core_pass}/${t.card.core_n}`
  );
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, FLAGS);
  const name = values.brain ?? 'strong';
  if (!isBrainName(name)) throw new UsageError(`unknown brain '${name}'`);
  const brain: BrainName = name;
  if (values.probe !== undefined && values.probe !== 'stable' && values.probe !== 'full') throw new UsageError('--probe is stable or full');
  const slots = intFlag(values.slots, 'slots', 4);
  const s: Settings = {
    brain,
    n: intFlag(values.n, 'n', 5),
    slots,
    tokPerSec: intFlag(values['tok-per-sec'], 'tok-per-sec', 40),
    suite: await loadBrainV1(),
    untilStable: values.probe !== 'full',
  };
  const modes: Mode[] = [
    { label: '--parallel 1', parallel: 1, adaptive: false },
    { label: `--parallel ${slots} --adaptive`, parallel: slots, adaptive: true },
  ];
  console.log(`bench/verdict-time: ${s.suite.name} on brain ${brain}, N=${s.n}, fake lane ${slots} slots × ${s.tokPerSec} tok/s, probe ${s.untilStable ? 'until stable' : 'full (3 requests)'}`);
  // one after the other: the two runs share the run id and scratch folders, and must not share the CPU
  const serial = await endToEnd(modes[0]!, s);
  console.log(describe(modes[0]!, serial));
  const fast = await endToEnd(modes[1]!, s);
  console.log(describe(modes[1]!, fast));
  const { same, of } = sameVerdicts(fast.card, serial.card);
  const sameVerdict = same === of && fast.card.core_pass === serial.card.core_pass && fast.card.core_n === serial.card.core_n;
  const speedup = serial.totalS / fast.totalS;
  console.log(`speedup ${speedup.toFixed(2)}× (attempts only ${(serial.suiteS / fast.suiteS).toFixed(2)}×) · prompt verdicts ${same}/${of} the same · same verdict: ${sameVerdict ? 'yes' : 'NO'}`);
  console.log(`target ≥ 3× with the same verdict: ${speedup >= 3 && sameVerdict ? 'met' : 'NOT met'}`);
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`bench/verdict-time: ${err.message}`);
  process.exitCode = 2;
}
