// How much CPU the telemetry sampler costs this process: `npx tsx bench/telemetry.ts [seconds=60]`.
// Runs the 2 Hz sampler (GPU stream from the nvidia-smi shim, /proc memory, a jsonl, the bus) and
// prints process.cpuUsage() over the window as % of one core. Target: under 1 %. Prints, never asserts.
// The nvidia-smi child's own CPU is not counted: on a real box that is the real tool's cost.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { EventBus } from '../src/events.js';
import { TelemetrySampler } from '../src/telemetry/sampler.js';

const seconds = Number(process.argv[2] ?? 60);
const WARMUP_S = 3;
if (!(seconds > 0)) {
  console.error('usage: npx tsx bench/telemetry.ts [seconds=60]');
  process.exit(2);
}

process.env.PATH = `${resolve('test/shims')}${delimiter}${process.env.PATH}`;
const dir = mkdtempSync(join(tmpdir(), 'bench-telemetry-'));
const jsonlPath = join(dir, 'telemetry.jsonl');
const bus = new EventBus();
let events = 0;
bus.on((event) => {
  if (event.type === 'telemetry') events++;
});

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const sampler = new TelemetrySampler({ bus, jsonlPath });
sampler.start();
// Module loading and first-call compilation are start-up costs, not the sampler's steady cost.
await sleep(WARMUP_S * 1000);
const samplesBefore = events;
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
await sleep(seconds * 1000);
const samplesInWindow = events - samplesBefore;
await sampler.stop();
const cpu = process.cpuUsage(cpuBefore);
const wallS = (performance.now() - wallBefore) / 1000;

const cpuS = (cpu.user + cpu.system) / 1e6;
const lines = readFileSync(jsonlPath, 'utf8').trim().split('\n').length;
rmSync(dir, { recursive: true, force: true });
console.log(`window        ${wallS.toFixed(1)} s after a ${WARMUP_S} s warm-up`);
console.log(`samples       ${samplesInWindow} in the window (${(samplesInWindow / wallS).toFixed(2)} Hz); ${lines} in telemetry.jsonl, ${events} on the bus`);
console.log(`gpu readings  ${sampler.gpuAvailable ? 'nvidia-smi shim' : 'none (shim not found)'}`);
console.log(`cpu           user ${(cpu.user / 1000).toFixed(0)} ms + system ${(cpu.system / 1000).toFixed(0)} ms`);
console.log(`sampler cost  ${((cpuS / wallS) * 100).toFixed(3)} % of one core (target < 1 %)`);
