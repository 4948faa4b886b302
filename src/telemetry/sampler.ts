// The telemetry sampler (DESIGN §7): every interval (2 Hz by default) it takes the latest GPU
// reading, /proc memory and the lane's /metrics, and sends the sample to the bus, the run's
// telemetry.jsonl, a bounded ring (sparklines) and the roll-up. Each tick only reads state the
// background sources keep fresh, so a tick costs microseconds.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { EventBus } from '../events.js';
import type { TelemetryRollup, TelemetrySample } from '../types.js';
import { LaneMetricsPoller } from './lane-metrics.js';
import { readPressure, readUnifiedMemory } from './meminfo.js';
import { GpuStream } from './nvidia-smi.js';
import { RollupAccumulator } from './rollup.js';

export interface TelemetrySamplerOptions {
  bus?: EventBus;
  intervalMs?: number;
  /** runs/<id>/telemetry.jsonl; samples are appended. */
  jsonlPath?: string;
  ringSize?: number;
  /** The lane's Prometheus endpoint; null or absent: no lane metrics. */
  metricsUrl?: string | null;
  nvidiaSmiBin?: string;
  /** No GPU reading for this long: the gauges say stale and a hung nvidia-smi is restarted. */
  gpuStaleAfterMs?: number;
  /** Unified memory in use before the lane loaded (ReadyLane.idleBaselineGb): the roll-up's idle baseline. */
  idleBaselineGb?: number;
  /** Injectable for tests: /proc/meminfo and /proc/pressure/memory. */
  meminfoPath?: string;
  pressurePath?: string;
}

export class TelemetrySampler {
  private readonly intervalMs: number;
  private readonly ringSize: number;
  private readonly bus: EventBus | undefined;
  private readonly jsonlPath: string | undefined;
  private readonly gpu: GpuStream;
  private readonly lane: LaneMetricsPoller | null;
  private samples: TelemetrySample[] = [];
  private readonly accumulator: RollupAccumulator;
  private timer: NodeJS.Timeout | null = null;
  private jsonl: WriteStream | null = null;
  private readonly meminfoPath: string | undefined;
  private readonly pressurePath: string | undefined;
  /** Open throttle windows (see watchThrottle): each collects the slowdowns its samples saw. */
  private readonly throttleWindows = new Set<Set<string>>();

  constructor(opts: TelemetrySamplerOptions = {}) {
    this.intervalMs = opts.intervalMs ?? 500;
    this.ringSize = opts.ringSize ?? 240;
    this.bus = opts.bus;
    this.jsonlPath = opts.jsonlPath;
    this.gpu = new GpuStream({ bin: opts.nvidiaSmiBin, intervalMs: this.intervalMs, staleAfterMs: opts.gpuStaleAfterMs });
    this.accumulator = new RollupAccumulator({ idleBaselineGb: opts.idleBaselineGb });
    this.meminfoPath = opts.meminfoPath;
    this.pressurePath = opts.pressurePath;
    // A scrape may take at most one interval, so there is never a backlog.
    this.lane = opts.metricsUrl ? new LaneMetricsPoller(opts.metricsUrl, this.intervalMs) : null;
  }

  /** Whether nvidia-smi exists (false: "no GPU"). */
  get gpuAvailable(): boolean {
    return this.gpu.available;
  }

  /** nvidia-smi's last complaint (e.g. it cannot reach the driver), for diagnostics. */
  get gpuError(): string | null {
    return this.gpu.lastError;
  }

  start(): void {
    if (this.timer) return;
    if (this.jsonlPath) {
      mkdirSync(dirname(this.jsonlPath), { recursive: true });
      this.jsonl = createWriteStream(this.jsonlPath, { flags: 'a' });
      // A full disk must not crash the run; the bus and the ring still get every sample.
      this.jsonl.on('error', (err) => this.bus?.emit({ type: 'log', level: 'warn', message: `telemetry.jsonl: ${err.message}` }));
    }
    this.gpu.start();
    void this.lane?.poll();
    // The first tick comes one interval in, once nvidia-smi has printed its first reading.
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.gpu.stop();
    const jsonl = this.jsonl;
    this.jsonl = null;
    if (jsonl) await new Promise<void>((resolve) => jsonl.end(resolve));
  }

  /** The most recent samples, oldest first (at most ringSize). */
  ring(): TelemetrySample[] {
    return [...this.samples];
  }

  rollup(): TelemetryRollup {
    return this.accumulator.result();
  }

  /**
   * Starts collecting the GPU slowdowns the samples see (e.g. during the throughput probe); the
   * returned function ends the window and gives them, sorted ([] = none seen).
   */
  watchThrottle(): () => string[] {
    const seen = new Set<string>();
    this.throttleWindows.add(seen);
    return () => {
      this.throttleWindows.delete(seen);
      return [...seen].sort();
    };
  }

  private tick(): void {
    const memory = readUnifiedMemory(this.meminfoPath);
    const pressure = readPressure(this.pressurePath);
    const sample: TelemetrySample = {
      t: Date.now(),
      gpus: this.gpu.latest(),
      unified_used_gb: memory?.used_gb ?? null,
      unified_total_gb: memory?.total_gb ?? null,
      mem_pressure_some_avg10: pressure.some,
      mem_pressure_full_avg10: pressure.full,
      page_cache_gb: memory?.cache_gb ?? null,
      gpu_stale_since: this.gpu.staleSince(),
    };
    for (const window of this.throttleWindows) for (const gpu of sample.gpus ?? []) for (const reason of gpu.throttle ?? []) window.add(reason);
    if (this.lane) {
      sample.lane = this.lane.latest();
      void this.lane.poll();
    }
    this.samples.push(sample);
    if (this.samples.length > this.ringSize) this.samples.shift();
    this.accumulator.add(sample);
    this.jsonl?.write(`${JSON.stringify(sample)}\n`);
    this.bus?.emit({ type: 'telemetry', sample });
  }
}
