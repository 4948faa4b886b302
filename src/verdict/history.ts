// `brainbench report --history LANE`: a lane's kept runs over time, one row each, with how each
// run compares with the one before it (issue 15), so a regression after a driver or quant change
// shows up.
import { partialLabel } from './scorecard.js';
import { formatFixed, formatInterval, formatPct } from '../stats.js';
import type { LaneScorecard } from '../types.js';
import { statisticsOf } from './lane-stats.js';
import { pairedDifference } from './paired.js';
import { textTable } from './text-table.js';
import { points } from './words.js';

/** The serving engine's version, where a scorecard recorded one. */
function engineVersion(card: LaneScorecard): string {
  const version = (card.reproducibility as { engine_version?: unknown }).engine_version;
  return typeof version === 'string' && version !== '' ? version : '—';
}

/** This run against the previous one: `+12 [4, 20] separable` or `-3 [-15, 9]`. */
function versusPrevious(card: LaneScorecard, previous: LaneScorecard | undefined): string {
  if (!previous) return '—';
  const paired = pairedDifference(card, previous);
  if (!paired) return 'no shared prompt';
  const d = points(paired.difference);
  const signed = d.startsWith('-') || d === '0' ? d : `+${d}`;
  return `${signed} [${points(paired.low)}, ${points(paired.high)}]${paired.separable ? ' separable' : ''}`;
}

export function renderHistory(lane: string, cards: LaneScorecard[]): string {
  if (cards.length === 0) return `no kept run of lane ${lane}`;
  const rows = cards.map((card, i) => {
    const stats = statisticsOf(card);
    return [
      card.reproducibility.run_id,
      card.reproducibility.started_at.replace('T', ' ').slice(0, 16),
      String(card.reproducibility.n),
      `${formatPct(stats.pass_rate)} ${formatInterval(stats.wilson95)}`.trim(),
      `${stats.pass_count}/${stats.runs}`,
      formatFixed(card.tokens_per_sec, 1),
      formatFixed(card.telemetry?.unified_used_gb_max, 1, ' GB'),
      engineVersion(card),
      partialLabel(card) === null ? 'complete' : `partial ${card.completeness!.attempts_done}/${card.completeness!.attempts_planned}`,
      versusPrevious(card, cards[i - 1]),
    ];
  });
  const header = ['run', 'started (UTC)', 'N', 'pass rate [95 %]', 'passes', 'tok/s', 'peak unified', 'engine', 'status', 'vs previous (pts)'];
  return [
    `lane ${lane}: ${cards.length} kept run${cards.length === 1 ? '' : 's'}, oldest first`,
    '',
    textTable(header, rows),
    '',
    'pass rate: core attempts pooled, 95 % Wilson interval; vs previous: paired difference over shared core prompts, clustered 95 % interval.',
  ].join('\n');
}
