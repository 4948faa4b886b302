// Replays a compressed 8-hour run into the cockpit, rendered by Ink to a null stream, and prints
// memory and CPU: an accelerated replay of the whole night, then a window at the real pace
// (telemetry at 2 Hz). Figures only; nothing is asserted.
//
//   npx tsx bench/cockpit.ts [--window 20] [--fps 10]
//
// Targets (DESIGN §9): RSS growth under 50 MB over the night; under 5 % of one core at 2 Hz.
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { seededRandom } from '../src/prng.js';

// React's development build leaks over hours; production must be chosen before React loads,
// hence the dynamic imports below.
process.env.NODE_ENV = 'production';

const { createElement } = await import('react');
const { render } = await import('ink');
const { App } = await import('../components/App.js');
const { createCockpitStore } = await import('../src/store.js');
const { parseFlags, intFlag } = await import('../src/cli/args.js');
type EngineEvent = import('../src/types.js').EngineEvent;
type CockpitController = import('../src/cockpit/controller.js').CockpitController;

const { values } = parseFlags(process.argv.slice(2), { window: { type: 'string' }, fps: { type: 'string' } });
const windowS = intFlag(values.window, 'window', 20);
const fps = intFlag(values.fps, 'fps', 10);

const HOURS = 8;
const PROMPTS = 100;
const N = 50; // 5,000 attempts
const PARALLEL = 2;
const SAMPLE_MS = 500; // 2 Hz telemetry: 57,600 samples in 8 hours
const LANE = 'qwen3-30b-moe-llamacpp-q4km';

/** A terminal that swallows output but counts it. */
class NullTerminal extends Writable {
  columns = 120;
  rows = 40;
  isTTY = true;
  bytes = 0;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void) {
    this.bytes += chunk.length;
    done();
  }
}

/** No keys are pressed; Ink only needs the shape of a TTY input. */
class IdleKeyboard extends EventEmitter {
  isTTY = true;
  read = () => null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

/** The night's events in time order, each with its virtual time (ms from the start). */
function night(): { at: number; event: EngineEvent }[] {
  const random = seededRandom(42); // deterministic, so runs are comparable
  const t0 = Date.parse('2025-01-01T22:00:00Z');
  const prompts = Array.from({ length: PROMPTS }, (_, i) => ({ id: `p${String(i + 1).padStart(3, '0')}_prompt`, category: 'bench', core: true }));
  const events: { at: number; event: EngineEvent }[] = [];
  events.push({
    at: 0,
    event: { type: 'run.start', runId: 'bench', lane: LANE, suite: 'brain-v1', n: N, parallel: PARALLEL, prompts, total: PROMPTS * N, done: [], simulated: true, startedAt: new Date(t0).toISOString() },
  });
  const endMs = HOURS * 3600_000;
  for (let at = 0; at < endMs; at += SAMPLE_MS) {
    const util = Math.round(60 + 40 * random());
    events.push({
      at,
      event: {
        type: 'telemetry',
        sample: {
          t: t0 + at,
          gpus: [{ index: 0, util_pct: util, temp_c: 60 + Math.round(15 * random()), mem_used_mb: null, mem_total_mb: null, power_w: 80 }],
          unified_used_gb: 31 + random(),
          unified_total_gb: 128,
          mem_pressure_some_avg10: 0,
        },
      },
    });
  }
  // Slots: the attempts in prompt order, split over PARALLEL lanes of work filling the night.
  const slots = prompts.flatMap((p) => Array.from({ length: N }, (_, a) => ({ promptId: p.id, attempt: a + 1 })));
  const meanMs = (endMs * PARALLEL) / slots.length;
  const free = Array.from({ length: PARALLEL }, () => 0);
  const outcomes = ['pass', 'pass', 'pass', 'pass', 'wrong_answer', 'no_tool_call', 'runaway', 'format_error'] as const;
  for (const slot of slots) {
    const worker = free.indexOf(Math.min(...free));
    const start = free[worker]!;
    const wall = meanMs * (0.5 + random());
    free[worker] = start + wall;
    const { promptId, attempt } = slot;
    events.push({ at: start, event: { type: 'attempt.start', lane: LANE, promptId, attempt, at: new Date(t0 + start).toISOString() } });
    for (let p = 1000; p < wall; p += 1000) {
      events.push({ at: start + p, event: { type: 'attempt.progress', lane: LANE, promptId, attempt, completionTokens: p / 12, tokPerSec: 70 + 20 * random() } });
    }
    const outcome = outcomes[Math.floor(random() * outcomes.length)]!;
    events.push({
      at: start + wall,
      event: {
        type: 'attempt.end',
        record: {
          lane: LANE, prompt_id: promptId, attempt, outcome, check_passed: outcome === 'pass', why: 'bench', correct_tool: true,
          tools_called: ['read_file'], turns: 3, tokens: { prompt: 900, completion: 200 }, wall_s: wall / 1000, ttft_s: 0.3,
          answer: 'The budget is 42,000.', transcript: `/dev/null/${promptId}-${attempt}.json`, escape_attempts: 0,
          started_at: new Date(t0 + start).toISOString(), ended_at: new Date(t0 + start + wall).toISOString(),
        },
      },
    });
  }
  events.sort((a, b) => a.at - b.at);
  return events;
}

// A full collection before each reading, so the figures are what is retained, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function memory(): { rss: number; heap: number } {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `body` and returns CPU (% of one core, and ms in all) and wall seconds it took. */
async function measure(body: () => Promise<void>): Promise<{ cpuPct: number; cpuMs: number; wallS: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await body();
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { cpuPct: (cpuMs / 1000 / wallS) * 100, cpuMs, wallS };
}

const controller: CockpitController = {
  swapLane: async () => {},
  startRun: async () => {},
  pauseRun: () => {},
  resumeRun: () => {},
  stopRun: async () => {},
  swapDuringRun: async () => {},
  loadLeaderboard: async () => [],
  readTranscript: async () => '[]',
  quit: async () => {},
};

const events = night();
const counts = events.reduce<Record<string, number>>((acc, e) => ((acc[e.event.type] = (acc[e.event.type] ?? 0) + 1), acc), {});
console.log(`replaying ${events.length} events: ${counts['attempt.end']} attempts, ${counts.telemetry} telemetry samples, ${counts['attempt.progress']} progress ticks`);
console.log(`NODE_ENV=${process.env.NODE_ENV}, ${fps} fps cap, 120×40 terminal`);

const store = createCockpitStore({
  lanes: [{ id: LANE, kind: 'llamacpp', port: 8080, state: 'ready' }, { id: 'demo', kind: 'demo', port: null, state: 'stopped' }],
  n: N,
  suite: 'brain-v1',
});
const terminal = new NullTerminal();
/** Frames Ink drew and the time it spent drawing them. */
const renders = { count: 0, ms: 0 };
const ink = render(createElement(App, { store, controller }), {
  stdout: terminal as unknown as NodeJS.WriteStream,
  stdin: new IdleKeyboard() as unknown as NodeJS.ReadStream,
  maxFps: fps,
  exitOnCtrlC: false,
  patchConsole: false,
  onRender: ({ renderTime }) => {
    renders.count++;
    renders.ms += renderTime;
  },
});
await sleep(200);
const start = memory();
console.log(`RSS at start            ${mb(start.rss)} (heap ${mb(start.heap)})`);

// Accelerated: the night as fast as the event loop allows, yielding so Ink's capped renders run.
const BATCH = 200;
const fast = await measure(async () => {
  for (let i = 0; i < events.length; i += BATCH) {
    for (const e of events.slice(i, i + BATCH)) store.getState().apply(e.event);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await sleep(200);
});
const afterNight = memory();
console.log(
  `accelerated night       ${fast.wallS.toFixed(1)} s wall, ${(events.length / fast.wallS).toFixed(0)} events/s, CPU ${fast.cpuPct.toFixed(0)} % of one core`,
);
console.log(`RSS after the night     ${mb(afterNight.rss)} (growth ${mb(afterNight.rss - start.rss)}; heap ${mb(afterNight.heap)})`);

// Real pace: the night's first seconds again (a new run.start, 2 Hz telemetry, two attempts
// streaming progress at 1 Hz, one finishing every ~6 s), at the speed they happened.
const live = events.filter((e) => e.at < windowS * 1000);
const rendersBefore = { ...renders };
const realtime = await measure(async () => {
  const t0 = performance.now();
  for (const e of live) {
    const wait = e.at - (performance.now() - t0);
    if (wait > 0) await sleep(wait);
    store.getState().apply(e.event);
  }
  await sleep(Math.max(0, windowS * 1000 - (performance.now() - t0)));
});
const frames = renders.count - rendersBefore.count;
console.log(`real pace (2 Hz)        ${realtime.wallS.toFixed(1)} s window, ${live.length} events, CPU ${realtime.cpuPct.toFixed(2)} % of one core`);
// CPU per frame moves less with the machine's load than the percentage does: compare with it
console.log(
  `                        ${(frames / realtime.wallS).toFixed(1)} frames/s, ${((renders.ms - rendersBefore.ms) / Math.max(1, frames)).toFixed(1)} ms per frame (wall), ` +
    `${(realtime.cpuMs / Math.max(1, frames)).toFixed(1)} ms CPU per frame (all work in the window)`,
);

ink.unmount();
const end = memory();
console.log(`RSS at end              ${mb(end.rss)} (growth ${mb(end.rss - start.rss)}; heap ${mb(end.heap)})`);
console.log(`output written          ${mb(terminal.bytes)}`);
console.log(`targets: RSS growth < 50 MB, CPU < 5 % of one core at 2 Hz`);
process.exit(0);
