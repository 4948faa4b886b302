// The per-run telemetry roll-up (DESIGN §7), kept incrementally so an overnight run needs no
// history: n_samples, GPU % mean/max, peak unified memory, peak temperature, peak power, and how
// many samples were throttled or had no fresh GPU reading.
import type { GpuSample, TelemetryRollup, TelemetrySample } from '../types.js';

export interface GpuSummary {
  /** Mean utilisation over the GPUs that report it. */
  util_pct: number | null;
  /** Hottest GPU. */
  temp_c: number | null;
  /** Total draw of the GPUs that report it. */
  power_w: number | null;
}

function present(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

/** One sample's GPUs as the box-level figures the roll-up and the gauges use. */
export function summarizeGpus(gpus: GpuSample[] | null): GpuSummary {
  const utils = present((gpus ?? []).map((g) => g.util_pct));
  const temps = present((gpus ?? []).map((g) => g.temp_c));
  const powers = present((gpus ?? []).map((g) => g.power_w));
  return {
    util_pct: utils.length ? utils.reduce((a, b) => a + b, 0) / utils.length : null,
    temp_c: temps.length ? Math.max(...temps) : null,
    power_w: powers.length ? powers.reduce((a, b) => a + b, 0) : null,
  };
}

const maxOf = (current: number | null, value: number | null) => (value === null ? current : current === null ? value : Math.max(current, value));

export interface RollupOptions {
  /**
   * Unified memory in use before the lane loaded its model (the lane manager measures it): the
   * idle baseline. Without it the first sample stands in, unmarked (the lane may already hold memory).
   */
  idleBaselineGb?: number;
}

export class RollupAccumulator {
  private n = 0;
  private utilSum = 0;
  private utilCount = 0;
  private utilMax: number | null = null;
  private unifiedMax: number | null = null;
  private tempMax: number | null = null;
  private powerMax: number | null = null;
  private unifiedIdle: number | null | undefined;
  private throttled = 0;
  private readonly throttleReasons = new Set<string>();
  private stale = 0;
  private readonly idleMeasured: boolean;

  constructor(opts: RollupOptions = {}) {
    this.idleMeasured = opts.idleBaselineGb !== undefined;
    if (this.idleMeasured) this.unifiedIdle = opts.idleBaselineGb;
  }

  add(sample: TelemetrySample): void {
    const gpu = summarizeGpus(sample.gpus);
    this.n++;
    if (gpu.util_pct !== null) {
      this.utilSum += gpu.util_pct;
      this.utilCount++;
    }
    this.utilMax = maxOf(this.utilMax, gpu.util_pct);
    this.tempMax = maxOf(this.tempMax, gpu.temp_c);
    this.powerMax = maxOf(this.powerMax, gpu.power_w);
    this.unifiedMax = maxOf(this.unifiedMax, sample.unified_used_gb);
    // No baseline from before the load: the first sample stands in (for display only, see result()).
    if (this.unifiedIdle === undefined) this.unifiedIdle = sample.unified_used_gb;
    const reasons = (sample.gpus ?? []).flatMap((g) => g.throttle ?? []);
    if (reasons.length > 0) this.throttled++;
    for (const reason of reasons) this.throttleReasons.add(reason);
    if (typeof sample.gpu_stale_since === 'number') this.stale++;
  }

  result(): TelemetryRollup {
    return {
      n_samples: this.n,
      gpu_util_mean: this.utilCount ? this.utilSum / this.utilCount : null,
      gpu_util_max: this.utilMax,
      unified_used_gb_max: this.unifiedMax,
      gpu_temp_c_max: this.tempMax,
      power_w_max: this.powerMax,
      unified_idle_gb: this.unifiedIdle ?? null,
      // only a baseline taken before the load may size the lane's next admission (lanes/memory.ts)
      ...(this.idleMeasured ? { unified_idle_basis: 'before_load' as const } : {}),
      // only when it happened: most runs are never throttled nor lose nvidia-smi
      ...(this.throttled > 0 ? { throttled_samples: this.throttled, throttle_reasons: [...this.throttleReasons].sort() } : {}),
      ...(this.stale > 0 ? { gpu_stale_samples: this.stale } : {}),
    };
  }
}

/** The roll-up of a list of samples (e.g. a telemetry.jsonl read back). */
export function rollupOf(samples: TelemetrySample[], opts: RollupOptions = {}): TelemetryRollup {
  const accumulator = new RollupAccumulator(opts);
  for (const sample of samples) accumulator.add(sample);
  return accumulator.result();
}
