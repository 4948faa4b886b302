// `brainbench compare A B`: two scorecards side by side, prompt by prompt, with the prompts where
// B fell behind A beyond noise flagged, and the paired verdict on the whole suite (issue 15).
// A is the baseline (an older run, the incumbent lane), B the candidate.
import { partialLabel } from './scorecard.js';
import { formatPct } from '../stats.js';
import type { LaneScorecard, PromptStats } from '../types.js';
import { fisherExact } from './fisher.js';
import { pairedDifference, type PairedDifference } from './paired.js';
import { textTable } from './text-table.js';
import { points, verdictLine } from './words.js';

/** Per-prompt flag level: Fisher's exact test, two-sided, on each prompt alone. */
export const FLAG_ALPHA = 0.05;

export interface PromptDelta {
  prompt_id: string;
  category: string;
  a: PromptStats | undefined;
  b: PromptStats | undefined;
  /** B's pass rate − A's; null unless both graded the prompt. */
  difference: number | null;
  p: number | null;
  flag: 'regression' | 'improvement' | null;
}

export interface Comparison {
  a: LaneScorecard;
  b: LaneScorecard;
  prompts: PromptDelta[];
  paired: PairedDifference | null;
}

const gradedStats = (s: PromptStats | undefined): s is PromptStats => s !== undefined && s.skipped === undefined && s.runs > 0;

function delta(id: string, a: PromptStats | undefined, b: PromptStats | undefined): PromptDelta {
  const category = (a ?? b)!.category;
  if (!gradedStats(a) || !gradedStats(b)) return { prompt_id: id, category, a, b, difference: null, p: null, flag: null };
  const difference = b.pass_count / b.runs - a.pass_count / a.runs;
  const p = fisherExact(a.pass_count, a.runs, b.pass_count, b.runs);
  const flag = p < FLAG_ALPHA ? (difference < 0 ? 'regression' : 'improvement') : null;
  return { prompt_id: id, category, a, b, difference, p, flag };
}

/** Every prompt either scorecard has, A's order first. */
export function compareCards(a: LaneScorecard, b: LaneScorecard): Comparison {
  const ofA = new Map(a.prompts.map((s) => [s.prompt_id, s]));
  const ofB = new Map(b.prompts.map((s) => [s.prompt_id, s]));
  const ids = [...new Set([...ofA.keys(), ...ofB.keys()])];
  return { a, b, prompts: ids.map((id) => delta(id, ofA.get(id), ofB.get(id))), paired: pairedDifference(a, b) };
}

const counts = (s: PromptStats | undefined) => (gradedStats(s) ? { pass: s.pass_count, runs: s.runs } : null);

/** What `compare --json` prints: who was compared, each prompt's counts and flag, the verdict. */
export function comparisonJson(c: Comparison) {
  const side = (card: LaneScorecard) => ({ lane: card.lane, run_id: card.reproducibility.run_id, n: card.reproducibility.n, complete: partialLabel(card) === null });
  return {
    a: side(c.a),
    b: side(c.b),
    prompts: c.prompts.map((d) => ({ prompt_id: d.prompt_id, category: d.category, a: counts(d.a), b: counts(d.b), difference: d.difference, p: d.p, flag: d.flag })),
    paired: c.paired,
    verdict: verdictLine('A', 'B', c.paired),
  };
}

/** `lane (run <id>, N=5, complete)` — how a compared scorecard is named. */
export function cardLabel(card: LaneScorecard): string {
  const status = partialLabel(card) ?? 'complete';
  return `${card.lane} (run ${card.reproducibility.run_id}, N=${card.reproducibility.n}, ${status})`;
}

function cell(s: PromptStats | undefined): string {
  if (!s) return '—';
  if (s.skipped !== undefined) return 'skipped';
  return s.runs === 0 ? '—' : `${s.pass_count}/${s.runs} ${formatPct(s.pass_rate)}`;
}

function flagWords(d: PromptDelta): string {
  if (d.flag === 'regression') return 'REGRESSION';
  return d.flag === 'improvement' ? 'improved' : '';
}

/** The whole of `brainbench compare`'s report, as terminal text. */
export function renderComparison(c: Comparison): string {
  const rows = c.prompts.map((d) => [
    d.prompt_id,
    d.category,
    cell(d.a),
    cell(d.b),
    d.difference === null ? '—' : points(d.difference),
    d.p === null ? '—' : d.p.toFixed(3),
    flagWords(d),
  ]);
  const regressions = c.prompts.filter((d) => d.flag === 'regression').map((d) => d.prompt_id);
  const lines = [`A  ${cardLabel(c.a)}`, `B  ${cardLabel(c.b)}`];
  if (c.a.reproducibility.suite_hash !== c.b.reproducibility.suite_hash) {
    lines.push(`note: the suites differ (${c.a.reproducibility.suite} ${c.a.reproducibility.suite_hash.slice(0, 12)} vs ${c.b.reproducibility.suite} ${c.b.reproducibility.suite_hash.slice(0, 12)}); only prompts with the same id are compared`);
  }
  lines.push('', textTable(['prompt', 'category', 'A', 'B', 'B−A pts', 'p', ''], rows), '');
  lines.push(`verdict: ${verdictLine('A', 'B', c.paired)}`);
  lines.push(
    regressions.length === 0
      ? `regressions beyond noise: none`
      : `regressions beyond noise: ${regressions.length} (${regressions.join(', ')})`,
  );
  lines.push(`(per prompt: Fisher's exact test, two-sided p < ${FLAG_ALPHA}, each prompt on its own; verdict: core prompts both graded, clustered 95 % interval)`);
  return lines.join('\n');
}
