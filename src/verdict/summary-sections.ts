// summary.md's statistics (issue 15, DESIGN §14): which neighbours in the ranking are separable,
// how sure each lane's pass rate is (Wilson interval, pass^k, pass@k, verdict agreement counted
// in prompts), and the per-category table.
import { laneLabel, table } from './markdown.js';
import { formatInterval, formatPct } from '../stats.js';
import { mdCell } from '../safeText.js';
import type { CategoryStats, LaneScorecard } from '../types.js';
import { passHatKCell, sharedK, statisticsOf } from './lane-stats.js';
import { pairedDifference } from './paired.js';
import { verdictLine } from './words.js';

/** `80 % [62, 91] (12/15)`; `—` with no graded attempt. */
function rateCell(passes: number, runs: number, rate: number | null, interval: CategoryStats['wilson95']): string {
  if (runs === 0 || rate === null) return '—';
  return `${formatPct(rate)} ${formatInterval(interval)} (${passes}/${runs})`;
}

/** One line per adjacent pair in the ranking: separable or not, in plain words. */
export function neighbourLines(ranked: LaneScorecard[]): string {
  if (ranked.length < 2) return '';
  const lines = ranked.slice(1).map((lower, i) => {
    const upper = ranked[i]!;
    return `- ${i + 1} vs ${i + 2}: ${verdictLine(`**${mdCell(upper.lane)}**`, `**${mdCell(lower.lane)}**`, pairedDifference(upper, lower))}`;
  });
  const intro =
    'Neighbours in the ranking, on core pass rate: the paired difference over the K core prompts both lanes ran, with a cluster-robust (CR1) 95 % interval on t(K−1), floored at attempt noise on adjusted rates (c+1)/(n+2). Not separable means the order between them could be noise; "would tell" is solved at 80 % power.';
  return [intro, '', ...lines].join('\n');
}

function agreementCell(s: ReturnType<typeof statisticsOf>): string {
  const prompts = s.all_pass + s.all_fail + s.split;
  if (prompts === 0) return '—';
  return `${s.all_pass + s.all_fail}/${prompts} prompts (${s.all_pass} all pass, ${s.all_fail} all fail)`;
}

/** Per lane: pooled pass rate with its clustered interval, pass^k and pass@k at one k for every lane, and verdict agreement as counts. */
export function howSureSection(ranked: LaneScorecard[], k?: number): string {
  if (ranked.length === 0) return 'No complete scorecard yet.';
  const atK = sharedK(ranked, k);
  const rows = ranked.map((card) => {
    const s = statisticsOf(card, atK);
    return [laneLabel(card), rateCell(s.pass_count, s.runs, s.pass_rate, s.clustered95), passHatKCell(s), formatPct(s.pass_at_k), agreementCell(s)];
  });
  const notes = [
    'Core prompts that ran. pass rate: attempts pooled, 95 % interval clustered by prompt (CR1, t(K−1)), never narrower than Wilson.',
    `pass^k: chance that k attempts at a prompt all pass, C(c,k)/C(n,k), averaged over the prompts with k or more graded attempts (coverage shown when not all); pass@k: chance that at least one of k passes, 1 − C(n−c,k)/C(n,k). One k for every lane: k=${atK}${k === undefined ? ', the smallest N' : ''}.`,
    'same verdict on every attempt counts prompts whose attempts agree, pass or fail: it measures repeatability, not quality. The rank table\'s consistency is the same thing as a share, so a lane that fails every attempt is 100 % consistent.',
  ];
  return `${table(['Lane', 'pass rate [95 %]', `pass^${atK}`, `pass@${atK}`, 'same verdict on every attempt'], rows)}\n\n${notes.join('\n')}`;
}

/** Category × lane (Milo-Bench style): prompts in the category, then each lane's pooled rate [interval]. */
export function categorySection(ranked: LaneScorecard[]): string {
  const perLane = ranked.map((card) => new Map(statisticsOf(card).categories.map((c) => [c.category, c])));
  const categories = [...new Set(perLane.flatMap((m) => [...m.keys()]))];
  if (categories.length === 0) return 'No prompt ran.';
  const rows = categories.map((category) => {
    const prompts = Math.max(...perLane.map((m) => m.get(category)?.prompts ?? 0));
    const cells = perLane.map((m) => {
      const c = m.get(category);
      return c ? rateCell(c.pass_count, c.runs, c.pass_rate, c.wilson95) : '—';
    });
    return [mdCell(category), String(prompts), ...cells];
  });
  const intro = 'Every prompt that ran, core or not: attempts pooled per category, 95 % Wilson interval (it treats attempts as independent, so it is too narrow where a category\'s prompts differ).';
  return `${intro}\n\n${table(['Category', 'prompts', ...ranked.map(laneLabel)], rows)}`;
}
