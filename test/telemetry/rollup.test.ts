import { describe, expect, it } from 'vitest';
import { rollupOf, summarizeGpus } from '../../src/telemetry/rollup.js';
import type { GpuSample, TelemetrySample } from '../../src/types.js';

const gpu = (index: number, util: number | null, temp: number | null, power: number | null): GpuSample => ({
  index,
  util_pct: util,
  temp_c: temp,
  mem_used_mb: null,
  mem_total_mb: null,
  power_w: power,
});
const sample = (t: number, gpus: GpuSample[] | null, used: number | null): TelemetrySample => ({
  t,
  gpus,
  unified_used_gb: used,
  unified_total_gb: 128,
  mem_pressure_some_avg10: null,
});

describe('summarizeGpus', () => {
  it('averages utilisation, takes the hottest GPU and adds up power', () => {
    expect(summarizeGpus([gpu(0, 80, 70, 200), gpu(1, 20, 75, 100)])).toEqual({ util_pct: 50, temp_c: 75, power_w: 300 });
  });

  it('skips fields a GPU does not report, and is all-null without a GPU', () => {
    expect(summarizeGpus([gpu(0, 60, null, null), gpu(1, null, 50, 30)])).toEqual({ util_pct: 60, temp_c: 50, power_w: 30 });
    expect(summarizeGpus(null)).toEqual({ util_pct: null, temp_c: null, power_w: null });
  });
});

describe('rollupOf', () => {
  it('rolls up samples; the first sample is the idle memory', () => {
    const rollup = rollupOf([
      sample(1, null, 12.5), // before nvidia-smi's first reading
      sample(2, [gpu(0, 90, 71, 38.5)], 40),
      sample(3, [gpu(0, 30, 66, 35)], 31.8),
    ]);
    expect(rollup).toEqual({
      n_samples: 3,
      gpu_util_mean: 60,
      gpu_util_max: 90,
      unified_used_gb_max: 40,
      gpu_temp_c_max: 71,
      power_w_max: 38.5,
      unified_idle_gb: 12.5,
    });
  });

  it("takes the idle baseline measured before the lane's load over the first sample, and marks it so", () => {
    // the sampler starts once the lane is ready: its first sample already holds the model (issue 22)
    const samples = [sample(1, null, 66), sample(2, null, 66.4)];
    expect(rollupOf(samples, { idleBaselineGb: 6 })).toMatchObject({ unified_used_gb_max: 66.4, unified_idle_gb: 6, unified_idle_basis: 'before_load' });
    expect(rollupOf(samples).unified_idle_basis).toBeUndefined();
    expect(rollupOf([], { idleBaselineGb: 6 })).toMatchObject({ n_samples: 0, unified_idle_gb: 6, unified_idle_basis: 'before_load' });
  });

  it('is empty-handed with no samples', () => {
    expect(rollupOf([])).toEqual({
      n_samples: 0,
      gpu_util_mean: null,
      gpu_util_max: null,
      unified_used_gb_max: null,
      gpu_temp_c_max: null,
      power_w_max: null,
      unified_idle_gb: null,
    });
  });
});
