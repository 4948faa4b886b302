// The lane × harness view of task scorecards for summary.md (DESIGN §13, harness-bench's tables):
// per suite, one row per lane and one column per harness — pass rate, mean time per task, peek
// attempts — then the grader-peek audit per harness (harness-bench's Q4).
import { formatFixed, formatPct } from '../stats.js';
import { mdCell } from '../safeText.js';
import type { TaskScorecard } from './types.js';

const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
const table = (header: readonly string[], rows: readonly string[][]) => [line(header), line(header.map(() => '---')), ...rows.map(line)];
const unique = (values: readonly string[]) => [...new Set(values)];
const BUILT_IN = ['builtin', 'oracle', 'null'];
/** builtin, oracle, null first, then the agent CLIs by name. */
const byHarness = (a: string, b: string) => {
  const rank = (h: string) => (BUILT_IN.includes(h) ? BUILT_IN.indexOf(h) : BUILT_IN.length);
  return rank(a) - rank(b) || a.localeCompare(b);
};

/** The newest card of each (lane, harness) of a suite. */
function latestCards(cards: readonly TaskScorecard[]): Map<string, TaskScorecard> {
  const byKey = new Map<string, TaskScorecard>();
  for (const card of cards) {
    const held = byKey.get(card.key);
    if (!held || card.ended_at > held.ended_at) byKey.set(card.key, card);
  }
  return byKey;
}

function cell(card: TaskScorecard | undefined): string {
  if (!card) return '—';
  const partial = card.completeness.complete ? '' : ' (partial)';
  const peeks = card.peek_attempts ?? 0;
  return `${formatPct(card.pass_rate)}${partial} · ${formatFixed(card.wall_mean_s, 1, ' s')} · ${peeks} peek${peeks === 1 ? '' : 's'}`;
}

function suiteMatrix(suite: string, cards: readonly TaskScorecard[]): string[] {
  const lanes = unique(cards.map((c) => c.lane));
  const harnesses = unique(cards.map((c) => c.harness)).sort(byHarness);
  const at = new Map(cards.map((c) => [`${c.lane}\0${c.harness}`, c]));
  const rows = lanes.map((lane) => [mdCell(lane), ...harnesses.map((h) => cell(at.get(`${lane}\0${h}`)))]);
  return [`### ${mdCell(suite)}: lane × harness`, '', ...table(['Lane', ...harnesses.map(mdCell)], rows)];
}

function peekAudit(cards: readonly TaskScorecard[]): string[] {
  const rows = unique(cards.map((c) => c.harness)).sort(byHarness).map((harness) => {
    const own = cards.filter((c) => c.harness === harness);
    const trials = own.reduce((s, c) => s + c.completeness.attempts_done, 0);
    const peekTrials = own.reduce((s, c) => s + (c.peek_trials ?? 0), 0);
    const attempts = own.reduce((s, c) => s + (c.peek_attempts ?? 0), 0);
    return [mdCell(harness), String(trials), String(peekTrials), String(attempts)];
  });
  const intro = 'Tool calls and commands that named the hidden tests, grader, solution or reward. The sandbox shows none of them, so a peek finds nothing and cannot change a grade.';
  return ['### Grader-peek audit', intro, '', ...table(['Harness', 'trials', 'trials with peeks', 'peek attempts'], rows)];
}

/** The lane × harness tables and the peek audit; empty without task scorecards. */
export function renderHarnessMatrix(cards: readonly TaskScorecard[]): string {
  const latest = [...latestCards(cards).values()];
  if (latest.length === 0) return '';
  const suites = unique(latest.map((c) => c.suite));
  const parts = suites.flatMap((suite) => [...suiteMatrix(suite, latest.filter((c) => c.suite === suite)), '']);
  return [...parts, ...peekAudit(latest)].join('\n');
}
