// `brainbench report --history LANE`: a lane's kept runs over time, one row each, with how each
// run compares with the one before it (issue 15), so a regression after a driver or quant change
// shows up. `--history <lane>+<harness>` walks a task scorecard's runs the same way (issue 20).
import { partialLabel, statusWord } from './scorecard.js';
import { formatFixed, formatInterval, formatPct } from '../stats.js';
import type { WilsonInterval } from '../types.js';
import { clusteredInterval95, statisticsOf } from './lane-stats.js';
import { cardRunId, cardTimes, isTaskCard, type AnyScorecard } from './scorecard-files.js';
import { runN } from './paired.js';
import { pairedDifference } from './paired.js';
import { textTable } from './text-table.js';
import { points, pointsInterval } from './words.js';

/** The serving engine's version, where a scorecard recorded one (task cards before issue 20 did not). */
function engineVersion(card: AnyScorecard): string {
  const version = (card.reproducibility as { engine_version?: unknown } | undefined)?.engine_version;
  return typeof version === 'string' && version !== '' ? version : '—';
}

interface HistoryFigures {
  pass_rate: number | null;
  wilson95: WilsonInterval | null;
  pass_count: number;
  runs: number;
  tok_s: number | null;
  peak_gb: number | null;
}

/** Pooled pass rate and speed: core attempts and the probe for a lane, graded trials and their decode rate for a task card. */
function figuresOf(card: AnyScorecard): HistoryFigures {
  if (!isTaskCard(card)) {
    const s = statisticsOf(card);
    return { ...s, wilson95: s.clustered95, tok_s: card.tokens_per_sec, peak_gb: card.telemetry?.unified_used_gb_max ?? null };
  }
  const runs = card.tasks.reduce((n, t) => n + t.runs, 0);
  const passes = card.tasks.reduce((n, t) => n + t.pass_count, 0);
  const graded = card.tasks.filter((t) => t.runs > 0);
  return { pass_rate: runs === 0 ? null : passes / runs, wilson95: clusteredInterval95(graded), pass_count: passes, runs, tok_s: card.decode_tok_s_mean ?? null, peak_gb: null };
}

/** This run against the previous one: `+12 [4, 20] separable` or `-3 [-15, 9]`. */
function versusPrevious(card: AnyScorecard, previous: AnyScorecard | undefined): string {
  if (!previous) return '—';
  const paired = pairedDifference(card, previous);
  if (!paired) return 'no shared prompt';
  const d = points(paired.difference);
  const signed = d.startsWith('-') || d === '0' ? d : `+${d}`;
  return `${signed} ${pointsInterval(paired.low, paired.high)} K=${paired.prompts.length}${paired.separable ? ' separable' : ''}`;
}

/** complete, or `partial 3/5` / `degraded 0/5, 5 lane errors`. */
function statusCell(card: AnyScorecard): string {
  const c = card.completeness;
  if (partialLabel(card) === null || !c) return 'complete';
  const errors = c.lane_errors ? `, ${c.lane_errors} lane error${c.lane_errors === 1 ? '' : 's'}` : '';
  return `${statusWord(c)} ${c.attempts_done}/${c.attempts_planned}${errors}`;
}

export function renderHistory(lane: string, cards: AnyScorecard[]): string {
  if (cards.length === 0) return `no kept run of lane ${lane}`;
  const rows = cards.map((card, i) => {
    const stats = figuresOf(card);
    return [
      cardRunId(card),
      cardTimes(card).started.replace('T', ' ').slice(0, 16),
      String(runN(card)),
      `${formatPct(stats.pass_rate)} ${formatInterval(stats.wilson95)}`.trim(),
      `${stats.pass_count}/${stats.runs}`,
      formatFixed(stats.tok_s, 1),
      formatFixed(stats.peak_gb, 1, ' GB'),
      engineVersion(card),
      statusCell(card),
      versusPrevious(card, cards[i - 1]),
    ];
  });
  const header = ['run', 'started (UTC)', 'N', 'pass rate [95 %]', 'passes', 'tok/s', 'peak unified', 'engine', 'status', 'vs previous (pts)'];
  const tasks = cards.every(isTaskCard);
  const legend = tasks
    ? 'pass rate: graded trials pooled, 95 % interval clustered by task (CR1, t(K−1)), never narrower than Wilson; tok/s: mean decode rate over trials; vs previous: paired difference over K shared tasks, CR1 with t(K−1).'
    : 'pass rate: core attempts pooled, 95 % interval clustered by prompt (CR1, t(K−1)), never narrower than Wilson; vs previous: paired difference over K shared core prompts, CR1 with t(K−1).';
  return [
    `lane ${lane}: ${cards.length} kept run${cards.length === 1 ? '' : 's'}, oldest first`,
    '',
    textTable(header, rows),
    '',
    legend,
  ].join('\n');
}
