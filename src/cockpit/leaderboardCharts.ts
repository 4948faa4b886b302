// The leaderboard's pictures drawn with characters (issue 15 item 4a, DESIGN §14): the quality ×
// speed × memory frontier as a scatter plot and the lanes × prompts heatmap in shade glyphs.
// Lanes are keyed A, B, C … in board order (ranked, then partial) in both pictures.
import { isComplete } from '../verdict/scorecard.js';
import { formatFixed, formatPct } from '../stats.js';
import { oneLine } from '../safeText.js';
import type { LaneScorecard } from '../types.js';
import { frontierPoints } from '../verdict/frontier.js';
import { fit, truncate } from './format.js';

export const PARETO_MARK = '★';
/** Point glyphs by peak memory as a share of the largest peak: small, middle, large; none read. */
export const SIZE_GLYPHS = ['·', '•', '●'] as const;
export const NO_MEMORY_GLYPH = '∘';
/** Shades for pass rates 0–24 %, 25–49 %, 50–74 %, 75–100 %. */
export const SHADES = ['░', '▒', '▓', '█'] as const;

const KEYS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const laneKey = (index: number) => KEYS[index] ?? '?';

export function shadeOf(rate: number): string {
  return SHADES[Math.min(3, Math.floor(rate * 4))]!;
}

function sizeGlyph(peak: number | null, largest: number): string {
  if (peak === null || largest <= 0) return NO_MEMORY_GLYPH;
  return SIZE_GLYPHS[Math.min(2, Math.floor((peak / largest) * 3 - 1e-9))]!;
}

/** A rounded-up axis maximum: 1, 2 or 5 times a power of ten. */
function niceMax(x: number): number {
  if (x <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  return ([1, 2, 5, 10].find((m) => m * power >= x) ?? 10) * power;
}

/**
 * The frontier in `width` × `height` cells: pass rate up, tok/s across; each lane is its size glyph
 * then its key, `★` after the Pareto ones; a legend below names the keys (as many as fit).
 */
export function frontierLines(order: readonly LaneScorecard[], width: number, height: number): string[] {
  const points = frontierPoints(order);
  if (points.length === 0) return [fit(' No lane has both a pass rate and a tok/s yet: nothing to draw.', width)];
  const keyOf = new Map(order.map((c, i) => [c.lane, laneKey(i)]));
  const largest = Math.max(0, ...points.map((p) => p.peak_gb ?? 0));
  const legendRoom = Math.max(1, Math.min(points.length + 1, height - 8));
  const rows = Math.max(3, height - legendRoom - 2);
  const axis = 6; // "100 %┤"
  const plotWidth = Math.max(10, width - axis - 1);
  const xMax = niceMax(Math.max(...points.map((p) => p.tok_s)));
  const grid = Array.from({ length: rows }, () => Array<string>(plotWidth).fill(' '));
  for (const p of points) {
    const mark = [...`${sizeGlyph(p.peak_gb, largest)}${keyOf.get(p.lane)}${p.pareto ? PARETO_MARK : ''}`];
    const row = Math.round((1 - p.pass_rate) * (rows - 1));
    let col = Math.min(plotWidth - mark.length, Math.round((p.tok_s / xMax) * (plotWidth - 3)));
    // two lanes on one spot: the later one moves right until it has room
    while (col + mark.length < plotWidth && grid[row]!.slice(col, col + mark.length).some((c) => c !== ' ')) col++;
    mark.forEach((ch, i) => (grid[row]![col + i] = ch));
  }
  const yLabel = (r: number) => (r === 0 ? '100 %┤' : r === rows - 1 ? '  0 %┤' : r === Math.round((rows - 1) / 2) ? ' 50 %┤' : '     │');
  const lines = grid.map((cells, r) => yLabel(r) + cells.join(''));
  lines.push(`     └${'─'.repeat(plotWidth)}`);
  const xLabel = `tok/s → ${xMax}`;
  lines.push(`      0${' '.repeat(Math.max(1, plotWidth - 1 - xLabel.length))}${xLabel}`);
  const legend = [`  ${SIZE_GLYPHS.join('')} peak memory small→large (${NO_MEMORY_GLYPH} none) · ${PARETO_MARK} Pareto (no lane beats it on all three)`];
  for (const p of points) {
    const gb = formatFixed(p.peak_gb, 1, ' GB');
    legend.push(`  ${keyOf.get(p.lane)} ${formatPct(p.pass_rate)} · ${formatFixed(p.tok_s, 1)} tok/s · ${gb}${p.pareto ? ` ${PARETO_MARK}` : ''} · ${oneLine(p.lane)}`);
  }
  const shown = legend.slice(0, legendRoom);
  if (legend.length > legendRoom) shown[legendRoom - 1] = `  +${legend.length - legendRoom + 1} more lanes (taller terminal to see them)`;
  return [...lines, ...shown].slice(0, height).map((line) => truncate(line, width));
}

export interface Heatmap {
  /** Lane keys across, above the rows. */
  header: string;
  /** One line per prompt: its id, then a shade per lane. */
  rows: string[];
  /** The shade scale and which lane each key is. */
  legend: string[];
}

/** Lanes × prompts pass rates as shade glyphs, prompts down, lanes across (as many as fit). */
export function heatmap(order: readonly LaneScorecard[], width: number): Heatmap {
  const promptIds: string[] = [];
  for (const c of order) for (const p of c.prompts) if (!promptIds.includes(p.prompt_id)) promptIds.push(p.prompt_id);
  const promptWidth = Math.min(30, Math.max(6, ...promptIds.map((id) => id.length))) + 1;
  const lanes = order.slice(0, Math.max(1, Math.floor((width - promptWidth) / 3)));
  const header = fit('prompt', promptWidth) + lanes.map((_, i) => ` ${laneKey(i)} `).join('');
  const rows = promptIds.map((id) => {
    const cells = lanes.map((c) => {
      const stats = c.prompts.find((p) => p.prompt_id === id);
      if (!stats) return ' — ';
      if (stats.skipped !== undefined || stats.runs === 0) return ' s ';
      return shadeOf(stats.pass_count / stats.runs).repeat(2) + ' ';
    });
    return truncate(fit(oneLine(id), promptWidth) + cells.join(''), width);
  });
  const scale = ` ${SHADES.map((s, i) => `${s} ${i * 25}–${i === 3 ? 100 : i * 25 + 24} %`).join('  ')} · s skipped · — not run`;
  const names = lanes.map((c, i) => `${laneKey(i)} ${oneLine(c.lane)}${isComplete(c) ? '' : ' (partial)'}`).join(' · ');
  const more = order.length > lanes.length ? ` · +${order.length - lanes.length} lanes (wider terminal)` : '';
  return { header: truncate(header, width), rows, legend: [truncate(scale, width), truncate(` ${names}${more}`, width)] };
}
