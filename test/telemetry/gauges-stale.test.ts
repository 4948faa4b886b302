// The cockpit's gauges (issue 16): a hung nvidia-smi reads "stale since hh:mm:ss", not a frozen
// figure; a throttled GPU says which slowdown holds it back.
import { describe, expect, it } from 'vitest';
import { gaugeLines } from '../../src/cockpit/gauges.js';
import { hms } from '../../src/telemetry/format.js';
import type { TelemetrySample } from '../../src/types.js';

const base = { telemetry: [], liveTokPerSec: null, probeTokPerSec: null, done: null, total: null, eta: null };
const text = (line: { text: string }[]) => line.map((s) => s.text).join('');
const sample = (over: Partial<TelemetrySample>): TelemetrySample => ({
  t: Date.UTC(2026, 0, 1, 3, 4, 5),
  gpus: null,
  unified_used_gb: 40,
  unified_total_gb: 128,
  mem_pressure_some_avg10: 0,
  ...over,
});

describe('GPU gauge', () => {
  it('says since when the GPU reading is stale', () => {
    const since = Date.UTC(2026, 0, 1, 3, 4, 1);
    const lines = gaugeLines({ ...base, latest: sample({ gpu_stale_since: since }) }, 40).map(text);
    expect(lines[0]).toContain(`stale since ${hms(since)}`);
    expect(lines.join('\n')).not.toContain('no GPU');
  });

  it('names the slowdowns of a throttled GPU, and nothing when none', () => {
    const gpu = { index: 0, util_pct: 90, temp_c: 80, mem_used_mb: null, mem_total_mb: null, power_w: 95, sm_clock_mhz: 1200, throttle: ['hw_thermal'] };
    const lines = gaugeLines({ ...base, latest: sample({ gpus: [gpu] }) }, 40).map(text);
    expect(lines.join('\n')).toContain('throttled: hw_thermal');
    const calm = gaugeLines({ ...base, latest: sample({ gpus: [{ ...gpu, throttle: [] }] }) }, 40).map(text);
    expect(calm.join('\n')).not.toContain('throttled');
  });
});
