// The leaderboard's view model: the rank table rows (for @alcalzone/ink-table) sized to the
// screen, and per-prompt pass rates as prompts × lanes lines.
import { passesHonestyGate, rankLanes } from '../verdict/rank.js';
import { isComplete } from '../verdict/scorecard.js';
import { oneLine } from '../safeText.js';
import { formatFixed, formatPct } from '../stats.js';
import type { LaneScorecard } from '../types.js';
import { fit, fitRight, stringWidth, truncate, truncateMiddle } from './format.js';
import { shortLaneIds } from './lanes.js';

export const RANK_COLUMNS = ['#', 'lane', 'core', 'pass', 'consist', 'runaway', 'tok/s', 'peak GB'] as const;
export type RankRow = Record<(typeof RANK_COLUMNS)[number], string>;

/** ink-table draws each column as widest value + 2 spaces of padding, with one border between. */
const tableWidth = (widths: number[]) => widths.reduce((sum, w) => sum + w + 3, 1);

/**
 * A lane name with its partial scorecard's mark, in `budget` cells: the mark is kept whole, its
 * counts only while the name still fits, and a cut name keeps both ends (`demo+weak` is not `demo…`).
 */
function laneWithMark(lane: string, card: LaneScorecard, budget: number): string {
  const c = card.completeness;
  if (!c || c.complete) return truncateMiddle(lane, budget);
  const counts = ` (partial ${c.attempts_done}/${c.attempts_planned})`;
  if (stringWidth(lane) + counts.length <= budget) return lane + counts;
  return truncateMiddle(lane, Math.max(1, budget - ' (partial)'.length)) + ' (partial)';
}

/** Complete scorecards in rank order, then partial ones (never ranked), as the summary has them. */
export function boardOrder(cards: readonly LaneScorecard[]): LaneScorecard[] {
  return [...rankLanes(cards.filter(isComplete)), ...cards.filter((c) => !isComplete(c))];
}

/**
 * Ranked rows whose table fits `width`: lane names are cut to what the other columns leave.
 * A lane marked `*` is simulated; `†` failed the honesty gate. Partial scorecards follow the
 * ranked ones with `—` for a rank and `(partial done/planned)` after the lane.
 */
export function rankRows(cards: readonly LaneScorecard[], width: number): RankRow[] {
  const order = boardOrder(cards);
  let rank = 0;
  const rows = order.map(
    (c): RankRow => ({
      '#': isComplete(c) ? String(++rank) : '—',
      lane: `${oneLine(c.lane)}${c.simulated ? '*' : ''}${passesHonestyGate(c) ? '' : '†'}`,
      core: `${c.core_pass}/${c.core_n}`,
      pass: formatPct(c.core_pass_rate),
      consist: formatPct(c.consistency),
      runaway: formatPct(c.runaway_rate),
      'tok/s': formatFixed(c.tokens_per_sec, 1),
      'peak GB': formatFixed(c.telemetry?.unified_used_gb_max ?? null, 1),
    }),
  );
  const widths = RANK_COLUMNS.map((col) => Math.max(col.length, ...rows.map((r) => r[col].length)));
  const laneIndex = RANK_COLUMNS.indexOf('lane');
  const others = tableWidth(widths) - widths[laneIndex]!;
  const laneBudget = Math.max('lane'.length, width - others);
  return rows.map((r, i) => ({ ...r, lane: laneWithMark(r.lane, order[i]!, laneBudget) }));
}

/** Lines of ink-table's rendering of `rows`: top, heading, then a separator + line per row, bottom. */
export const rankTableHeight = (rows: number) => 3 + 2 * rows;

/** Per-prompt pass rates, prompts down, lanes across (as many lanes as fit). */
export function promptRateLines(cards: readonly LaneScorecard[], width: number): string[] {
  const ranked = boardOrder(cards);
  const promptIds: string[] = [];
  for (const c of ranked) for (const p of c.prompts) if (!promptIds.includes(p.prompt_id)) promptIds.push(p.prompt_id);
  const promptWidth = Math.min(30, Math.max(6, ...promptIds.map((id) => id.length)));
  const short = shortLaneIds(cards.map((c) => c.lane));
  const label = (c: LaneScorecard) => `${oneLine(short.get(c.lane)!)}${isComplete(c) ? '' : ' (partial)'}`;
  // Room for "100 %" and for the longest lane label, with a two-space gap.
  const column = Math.max(7, ...ranked.map((c) => Math.min(isComplete(c) ? 16 : 26, label(c).length))) + 2;
  const lanes = ranked.slice(0, Math.max(1, Math.floor((width - promptWidth) / column)));
  const header = fit('prompt', promptWidth) + lanes.map((c) => fitRight(label(c), column)).join('');
  const lines = [header];
  for (const id of promptIds) {
    const rates = lanes.map((c) => {
      const stats = c.prompts.find((p) => p.prompt_id === id);
      const text = !stats ? '—' : stats.skipped ? 'skip' : formatPct(stats.pass_rate);
      return fitRight(text, column);
    });
    lines.push(fit(oneLine(id), promptWidth) + rates.join(''));
  }
  return lines.map((line) => truncate(line, width));
}
