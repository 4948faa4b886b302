// The gauges column: GPU %, temperature, unified memory, live and probe tok/s, progress and ETA, as styled
// lines no wider than the column.
import { gpuStaleText, throttleText } from '../telemetry/format.js';
import type { TelemetrySample } from '../types.js';
import { bar, clipSegments, clock, fitRight, segmentsWidth, sparkline, stringWidth, type Segment } from './format.js';
import { CELL_STYLE, LEGEND_ORDER, RUNNING_COLOR, SPINNER_FRAMES } from './glyphs.js';

export interface GaugeInput {
  telemetry: readonly TelemetrySample[];
  latest: TelemetrySample | null;
  /** The engine's live decode rate of the run's lane (lane.rate, telemetry/rate.ts); null when nothing decodes. */
  liveTokPerSec: number | null;
  /** The throughput probe's figure for the lane shown, once it has run. */
  probeTokPerSec: number | null;
  done: number | null;
  total: number | null;
  eta: number | null;
}

const LABEL = 6;

export function gpuUtil(sample: TelemetrySample): number | null {
  const values = (sample.gpus ?? []).map((g) => g.util_pct).filter((v): v is number => v !== null);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export function gpuTemp(sample: TelemetrySample): number | null {
  const values = (sample.gpus ?? []).map((g) => g.temp_c).filter((v): v is number => v !== null);
  return values.length ? Math.max(...values) : null;
}

/** Used and total memory in GB: unified memory where known (GB10), else the GPUs' own. */
export function memoryGb(sample: TelemetrySample): { used: number; total: number } | null {
  if (sample.unified_used_gb !== null && sample.unified_total_gb) {
    return { used: sample.unified_used_gb, total: sample.unified_total_gb };
  }
  const gpus = sample.gpus ?? [];
  if (gpus.length && gpus.every((g) => g.mem_used_mb !== null && g.mem_total_mb)) {
    const used = gpus.reduce((a, g) => a + g.mem_used_mb!, 0) / 1024;
    const total = gpus.reduce((a, g) => a + g.mem_total_mb!, 0) / 1024;
    return { used, total };
  }
  return null;
}

const label = (text: string): Segment => ({ text: text.padEnd(LABEL), bold: true });

export function gaugeLines(g: GaugeInput, width: number): Segment[][] {
  const lines: Segment[][] = [];
  const rest = Math.max(0, width - LABEL);
  const latest = g.latest;

  if (!latest) lines.push([label('GPU'), { text: '—', dim: true }]);
  else if (latest.gpus === null) {
    // a hung nvidia-smi (issue 16) says so instead of freezing the gauge
    const stale = gpuStaleText(latest);
    lines.push([label('GPU'), stale ? { text: stale.replace(/^GPU /, ''), color: 'yellow' } : { text: 'no GPU', dim: true }]);
  } else {
    const util = gpuUtil(latest);
    const value = util === null ? '—' : `${Math.round(util)} %`;
    lines.push([label('GPU'), { text: bar((util ?? 0) / 100, Math.max(0, rest - 6)), color: 'green' }, { text: fitRight(value, 6) }]);
    const series = g.telemetry.map((s) => gpuUtil(s));
    lines.push([{ text: ' '.repeat(LABEL) }, { text: sparkline(series, rest, 0, 100), color: 'green' }]);
    const throttled = throttleText(latest.gpus);
    if (throttled) lines.push([{ text: ' '.repeat(LABEL) }, { text: throttled, color: 'yellow' }]);
    const temp = gpuTemp(latest);
    const temps = g.telemetry.map((s) => gpuTemp(s));
    lines.push([
      label('TEMP'),
      { text: sparkline(temps, Math.max(0, rest - 7), 20, 100), color: 'yellow' },
      { text: fitRight(temp === null ? '—' : `${Math.round(temp)} °C`, 7) },
    ]);
  }

  const mem = latest ? memoryGb(latest) : null;
  if (mem) {
    const value = ` ${mem.used.toFixed(1)}/${Math.round(mem.total)} GB`;
    lines.push([label('MEM'), { text: bar(mem.used / mem.total, Math.max(0, rest - stringWidth(value))), color: 'cyan' }, { text: value }]);
  } else {
    lines.push([label('MEM'), { text: '—', dim: true }]);
  }

  lines.push([label('tok/s'), g.liveTokPerSec === null ? { text: '—', dim: true } : { text: g.liveTokPerSec.toFixed(1) }]);
  if (g.probeTokPerSec !== null) lines.push([label('probe'), { text: `${g.probeTokPerSec.toFixed(1)} tok/s` }]);
  lines.push([{ text: 'attempt ', bold: true }, { text: g.total === null ? '—' : `${g.done ?? 0}/${g.total}` }]);
  lines.push([label('ETA'), { text: g.eta === null ? '—' : clock(g.eta) }]);
  return lines.map((line) => clipSegments(line, width));
}

/** The cell legend, wrapped into lines of `width`. */
export function legendLines(width: number): Segment[][] {
  const items: Segment[][] = [
    [{ text: SPINNER_FRAMES[0], color: RUNNING_COLOR }, { text: ' running' }],
    ...LEGEND_ORDER.map((s) => [{ text: CELL_STYLE[s].glyph, color: CELL_STYLE[s].color }, { text: ` ${CELL_STYLE[s].label}` }]),
  ];
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let used = 0;
  for (const item of items) {
    const w = segmentsWidth(item);
    if (line.length && used + 2 + w > width) {
      lines.push(line);
      line = [];
      used = 0;
    }
    if (line.length) {
      line.push({ text: '  ' });
      used += 2;
    }
    line.push(...item);
    used += w;
  }
  if (line.length) lines.push(line);
  return lines.map((l) => clipSegments(l, width));
}
