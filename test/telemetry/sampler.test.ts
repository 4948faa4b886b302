import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { NVIDIA_SMI_ARGS } from '../../src/telemetry/nvidia-smi.js';
import { TelemetrySampler } from '../../src/telemetry/sampler.js';
import type { TelemetrySample } from '../../src/types.js';
import { tempDir } from '../helpers/tmp.js';

const SHIMS = resolve('test/shims');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const savedEnv = { ...process.env };
let sampler: TelemetrySampler | null = null;
let server: Server | null = null;

afterEach(async () => {
  await sampler?.stop();
  sampler = null;
  process.env = { ...savedEnv };
  if (server) await new Promise<void>((done) => server!.close(() => done()));
  server = null;
});

function readJsonl(path: string): TelemetrySample[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TelemetrySample);
}

const maxOrNull = (values: (number | null | undefined)[]) => {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length ? Math.max(...present) : null;
};

describe('TelemetrySampler', () => {
  it('samples at 2 Hz from one nvidia-smi, into the bus, the jsonl and a roll-up that matches it', async () => {
    const dir = tempDir('sampler-');
    process.env.PATH = `${SHIMS}${delimiter}${process.env.PATH}`;
    process.env.NVIDIA_SMI_SHIM_MODE = 'gb10';
    process.env.NVIDIA_SMI_SHIM_LOG = join(dir, 'argv.log');
    const bus = new EventBus();
    const events: TelemetrySample[] = [];
    bus.on((e) => e.type === 'telemetry' && events.push(e.sample));
    const jsonlPath = join(dir, 'runs', 'r1', 'telemetry.jsonl');

    sampler = new TelemetrySampler({ bus, jsonlPath });
    const startedAt = Date.now();
    sampler.start();
    await sleep(3100);
    await sampler.stop();

    const samples = readJsonl(jsonlPath);
    const elapsedS = (samples.at(-1)!.t - startedAt) / 1000;
    const hz = samples.length / elapsedS;
    expect(samples.length).toBeGreaterThanOrEqual(5);
    expect(hz).toBeGreaterThanOrEqual(1.8);
    expect(hz).toBeLessThanOrEqual(2.2);
    expect(events).toEqual(samples);
    expect(sampler.ring()).toEqual(samples);

    // GB10: GPU figures from nvidia-smi, memory.used [N/A], memory from /proc/meminfo.
    for (const sample of samples) {
      expect(sample.gpus).toHaveLength(1);
      expect(sample.gpus![0]!.mem_used_mb).toBeNull();
      expect(sample.unified_used_gb).toBeGreaterThan(0);
    }

    const utils = samples.map((s) => s.gpus![0]!.util_pct!);
    const rollup = sampler.rollup();
    expect(rollup).toEqual({
      n_samples: samples.length,
      gpu_util_mean: expect.closeTo(utils.reduce((a, b) => a + b, 0) / utils.length, 9),
      gpu_util_max: Math.max(...utils),
      unified_used_gb_max: maxOrNull(samples.map((s) => s.unified_used_gb)),
      gpu_temp_c_max: maxOrNull(samples.map((s) => s.gpus![0]!.temp_c)),
      power_w_max: maxOrNull(samples.map((s) => s.gpus![0]!.power_w)),
      unified_idle_gb: samples[0]!.unified_used_gb,
    });
    // The shim's readings vary by tick, so a constant would not pass for the mean.
    expect(new Set(utils).size).toBeGreaterThan(1);

    // One long-running nvidia-smi, not a process per sample.
    const argvLog = readFileSync(join(dir, 'argv.log'), 'utf8').trim().split('\n');
    expect(argvLog).toEqual([NVIDIA_SMI_ARGS.join(' ')]);
  });

  it('works without nvidia-smi: gpus null, memory present, lane metrics attached', async () => {
    process.env.PATH = tempDir('empty-path-');
    server = createServer((_req, res) => res.end('llamacpp:requests_processing 2\nllamacpp:predicted_tokens_seconds 41.5\n'));
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;

    sampler = new TelemetrySampler({ intervalMs: 100, metricsUrl });
    sampler.start();
    await sleep(650);
    await sampler.stop();

    const samples = sampler.ring();
    expect(samples.length).toBeGreaterThanOrEqual(4);
    expect(sampler.gpuAvailable).toBe(false);
    for (const sample of samples) {
      expect(sample.gpus).toBeNull();
      expect(sample.unified_used_gb).toBeGreaterThan(0);
      expect(sample.unified_total_gb).toBeGreaterThan(sample.unified_used_gb!);
    }
    expect(samples.at(-1)!.lane).toEqual({ gen_tokens_per_sec: 41.5, requests_running: 2, requests_waiting: null, kv_cache_usage: null });
    expect(sampler.rollup()).toMatchObject({ n_samples: samples.length, gpu_util_mean: null, gpu_util_max: null, gpu_temp_c_max: null, power_w_max: null });
    expect(sampler.rollup().unified_used_gb_max).toBeGreaterThan(0);
  });

  it('keeps the ring bounded while the roll-up counts every sample', async () => {
    process.env.PATH = tempDir('empty-path-');
    sampler = new TelemetrySampler({ intervalMs: 100, ringSize: 3 });
    sampler.start();
    await sleep(750);
    await sampler.stop();
    const ring = sampler.ring();
    expect(ring).toHaveLength(3);
    expect(ring[0]!.t).toBeLessThan(ring[2]!.t);
    expect(sampler.rollup().n_samples).toBeGreaterThanOrEqual(6);
  });

  it('keeps sampling at its pace while nvidia-smi hangs, marking the GPU stale', async () => {
    process.env.PATH = `${SHIMS}${delimiter}${process.env.PATH}`;
    process.env.NVIDIA_SMI_SHIM_HANG_AFTER = '2';
    const bus = new EventBus();
    const samples: TelemetrySample[] = [];
    bus.on((e) => e.type === 'telemetry' && samples.push(e.sample));
    sampler = new TelemetrySampler({ bus, intervalMs: 100, gpuStaleAfterMs: 300 });
    sampler.start();
    const until = Date.now() + 10_000;
    while (samples.filter((x) => typeof x.gpu_stale_since === 'number').length < 4 && Date.now() < until) await sleep(50);
    await sampler.stop();
    const firstStale = samples.findIndex((x) => typeof x.gpu_stale_since === 'number');
    const firstFresh = samples.findIndex((x) => x.gpus !== null);
    // fresh readings first, then stale ones naming when the last fresh reading came
    expect(firstFresh).toBeGreaterThanOrEqual(0);
    expect(firstStale).toBeGreaterThan(firstFresh);
    const stale = samples[firstStale]!;
    expect(stale.gpus).toBeNull();
    expect(stale.gpu_stale_since!).toBeLessThan(stale.t);
    // the sampler never waited on it: memory kept coming in every stale sample
    expect(samples.slice(firstStale).every((x) => x.unified_used_gb !== null)).toBe(true);
    expect(sampler.rollup().gpu_stale_samples).toBeGreaterThanOrEqual(4);
  });

  it('collects the slowdowns seen in a window, with PSI and page cache from injected files', async () => {
    const dir = tempDir('sampler-throttle-');
    process.env.PATH = `${SHIMS}${delimiter}${process.env.PATH}`;
    process.env.NVIDIA_SMI_SHIM_THROTTLE = '0x0000000000000044';
    const meminfoPath = join(dir, 'meminfo');
    const pressurePath = join(dir, 'pressure');
    writeFileSync(meminfoPath, 'MemTotal: 125000000 kB\nMemFree: 1000000 kB\nMemAvailable: 100000000 kB\nBuffers: 1000000 kB\nCached: 50000000 kB\n');
    writeFileSync(pressurePath, 'some avg10=3.50 avg60=1.00 avg300=0.20 total=1\nfull avg10=1.25 avg60=0.50 avg300=0.10 total=1\n');
    sampler = new TelemetrySampler({ intervalMs: 100, meminfoPath, pressurePath });
    sampler.start();
    const window = sampler.watchThrottle();
    const until = Date.now() + 10_000;
    while (!sampler.ring().some((x) => x.gpus !== null) && Date.now() < until) await sleep(50);
    expect(window()).toEqual(['hw_thermal', 'sw_power_cap']);
    await sampler.stop();
    const last = sampler.ring().at(-1)!;
    expect(last).toMatchObject({ mem_pressure_some_avg10: 3.5, mem_pressure_full_avg10: 1.25, page_cache_gb: 52.224 });
    expect(sampler.rollup().throttle_reasons).toEqual(['hw_thermal', 'sw_power_cap']);
  });

  it("rolls up against the idle baseline measured before the lane's load, not its own first sample (issue 22)", async () => {
    const meminfoPath = join(tempDir('sampler-idle-'), 'meminfo');
    // the lane is loaded: 66 GB of 128 in use from the first sample on
    writeFileSync(meminfoPath, 'MemTotal: 125000000 kB\nMemFree: 1000000 kB\nMemAvailable: 60546875 kB\nBuffers: 0 kB\nCached: 1000000 kB\n');
    sampler = new TelemetrySampler({ intervalMs: 50, meminfoPath, idleBaselineGb: 6, nvidiaSmiBin: join(tempDir('no-smi-'), 'nvidia-smi') });
    sampler.start();
    while (sampler.ring().length < 2) await sleep(20);
    await sampler.stop();
    expect(sampler.rollup()).toMatchObject({ unified_used_gb_max: 66, unified_idle_gb: 6, unified_idle_basis: 'before_load' });
  });
});
