// Plain-text renderings of telemetry for the headless `brainbench telemetry` printer.
import { formatFixed } from '../stats.js';
import type { GpuSample, LaneMetrics, TelemetryRollup, TelemetrySample } from '../types.js';

const two = (n: number) => String(n).padStart(2, '0');

/** hh:mm:ss, local time. */
export function hms(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function clockTime(ms: number): string {
  return `${hms(ms)}.${String(new Date(ms).getMilliseconds()).padStart(3, '0')}`;
}

/** "stale since hh:mm:ss" while nvidia-smi gives no fresh reading, else null. */
export function gpuStaleText(sample: Pick<TelemetrySample, 'gpu_stale_since'>): string | null {
  return typeof sample.gpu_stale_since === 'number' ? `GPU stale since ${hms(sample.gpu_stale_since)}` : null;
}

/** "throttled: sw_power_cap, hw_thermal" when any GPU reports a slowdown, else null. */
export function throttleText(gpus: GpuSample[] | null): string | null {
  const reasons = [...new Set((gpus ?? []).flatMap((g) => g.throttle ?? []))];
  return reasons.length > 0 ? `throttled: ${reasons.join(', ')}` : null;
}

function formatGpu(gpu: GpuSample, label: string): string {
  const parts = [label, formatFixed(gpu.util_pct, 0, ' %'), formatFixed(gpu.temp_c, 0, ' °C'), formatFixed(gpu.power_w, 1, ' W')];
  if (gpu.sm_clock_mhz !== undefined) parts.push(formatFixed(gpu.sm_clock_mhz, 0, ' MHz'));
  // Discrete GPUs report their own memory; GB10 says [N/A] and the unified figure covers it.
  if (gpu.mem_used_mb !== null && gpu.mem_total_mb !== null) {
    parts.push(`vram ${formatFixed(gpu.mem_used_mb / 1000, 1)}/${formatFixed(gpu.mem_total_mb / 1000, 1, ' GB')}`);
  }
  return parts.join('  ');
}

function formatLane(lane: LaneMetrics | null): string {
  if (!lane) return 'lane —';
  const kv = lane.kv_cache_usage === null ? null : lane.kv_cache_usage * 100;
  return `lane ${formatFixed(lane.gen_tokens_per_sec, 1, ' tok/s')}  run ${formatFixed(lane.requests_running, 0)}  wait ${formatFixed(lane.requests_waiting, 0)}  kv ${formatFixed(kv, 0, ' %')}`;
}

/** One line per sample: time, GPU % / °C / W (or "no GPU"), unified memory, memory pressure. */
export function formatSampleLine(sample: TelemetrySample): string {
  const gpus = sample.gpus;
  const gpuText = gpuStaleText(sample) ?? (gpus === null ? 'no GPU' : gpus.map((g) => formatGpu(g, gpus.length === 1 ? 'GPU' : `GPU${g.index}`)).join('  '));
  const parts = [clockTime(sample.t), gpuText];
  const throttle = throttleText(gpus);
  if (throttle) parts.push(throttle);
  parts.push(`mem ${formatFixed(sample.unified_used_gb, 1)}/${formatFixed(sample.unified_total_gb, 1, ' GB')}`);
  if (sample.page_cache_gb !== undefined) parts.push(`cache ${formatFixed(sample.page_cache_gb, 1, ' GB')}`);
  const full = sample.mem_pressure_full_avg10;
  parts.push(`psi ${formatFixed(sample.mem_pressure_some_avg10, 2)}${full === undefined ? '' : `/${formatFixed(full, 2)}`}`);
  if (sample.lane !== undefined) parts.push(formatLane(sample.lane));
  return parts.join('  ');
}

export function formatRollup(rollup: TelemetryRollup): string {
  return [
    `${rollup.n_samples} samples`,
    `GPU mean ${formatFixed(rollup.gpu_util_mean, 0, ' %')} max ${formatFixed(rollup.gpu_util_max, 0, ' %')}`,
    `peak temp ${formatFixed(rollup.gpu_temp_c_max, 0, ' °C')}`,
    `peak power ${formatFixed(rollup.power_w_max, 1, ' W')}`,
    `peak unified ${formatFixed(rollup.unified_used_gb_max, 1, ' GB')} (idle ${formatFixed(rollup.unified_idle_gb, 1, ' GB')})`,
    ...(rollup.throttled_samples ? [`throttled in ${rollup.throttled_samples} (${(rollup.throttle_reasons ?? []).join(', ')})`] : []),
    ...(rollup.gpu_stale_samples ? [`no GPU reading in ${rollup.gpu_stale_samples}`] : []),
  ].join(' · ');
}
