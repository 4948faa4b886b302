// `brainbench compare A B`: two scorecards side by side, prompt by prompt, with the prompts where
// B fell behind A beyond noise flagged (Holm over the prompts, issue 21), the paired verdict on
// the whole suite (issue 15) and the regression gate that combines them (./gate.ts).
// A is the baseline (an older run, the incumbent lane), B the candidate. Task scorecards compare
// the same way (issue 20): their tasks are the items, keyed by task id, per (lane, harness).
import { partialLabel } from './scorecard.js';
import { formatPct } from '../stats.js';
import { cardKey, cardRunId, isTaskCard, type AnyScorecard } from './scorecard-files.js';
import { fisherExact } from './fisher.js';
import { cannotFireNotes, FLAG_ALPHA, holm, suiteRegressed } from './gate.js';
import { itemsOf, pairedDifference, runN, type PairedDifference } from './paired.js';
import { provenanceNotes } from './provenance-diff.js';
import { textTable } from './text-table.js';
import { points, verdictLine } from './words.js';

export { FLAG_ALPHA };

/** What a comparison needs of a prompt's or a task's stats. */
export interface ItemStats {
  prompt_id: string;
  category: string;
  runs: number;
  pass_count: number;
  pass_rate: number | null;
  skipped?: string;
}

export interface PromptDelta {
  prompt_id: string;
  category: string;
  a: ItemStats | undefined;
  b: ItemStats | undefined;
  /** B's pass rate − A's; null unless both graded the prompt. */
  difference: number | null;
  /** Fisher's exact p on this prompt alone, and Holm-adjusted over every prompt both graded. */
  p: number | null;
  p_holm: number | null;
  flag: 'regression' | 'improvement' | null;
}

/** The exit-3 gate: the suite verdict or a Holm-flagged prompt; notes where a family cannot fire at this N. */
export interface Gate {
  fired: boolean;
  suite_regressed: boolean;
  regressed_prompts: string[];
  cannot_fire: string[];
}

export interface Comparison {
  a: AnyScorecard;
  b: AnyScorecard;
  prompts: PromptDelta[];
  paired: PairedDifference | null;
  gate: Gate;
}

const gradedStats = (s: ItemStats | undefined): s is ItemStats => s !== undefined && s.skipped === undefined && s.runs > 0;

function delta(id: string, a: ItemStats | undefined, b: ItemStats | undefined): PromptDelta {
  const category = (a ?? b)!.category;
  if (!gradedStats(a) || !gradedStats(b)) return { prompt_id: id, category, a, b, difference: null, p: null, p_holm: null, flag: null };
  const difference = b.pass_count / b.runs - a.pass_count / a.runs;
  return { prompt_id: id, category, a, b, difference, p: fisherExact(a.pass_count, a.runs, b.pass_count, b.runs), p_holm: null, flag: null };
}

/** Holm over the prompts that have a p; a prompt is flagged when its adjusted p is under FLAG_ALPHA. */
function withHolm(deltas: PromptDelta[]): PromptDelta[] {
  const tested = deltas.filter((d) => d.p !== null);
  const adjusted = new Map(tested.map((d, i) => [d, holm(tested.map((t) => t.p!))[i]!]));
  return deltas.map((d) => {
    const p_holm = adjusted.get(d) ?? null;
    const flag = p_holm !== null && p_holm < FLAG_ALPHA ? (d.difference! < 0 ? 'regression' : 'improvement') : null;
    return { ...d, p_holm, flag };
  });
}

function gateOf(a: AnyScorecard, b: AnyScorecard, prompts: PromptDelta[], paired: PairedDifference | null): Gate {
  const regressed = prompts.filter((d) => d.flag === 'regression').map((d) => d.prompt_id);
  const suite = suiteRegressed(paired);
  const tested = prompts.filter((d) => d.p !== null).length;
  const item = isTaskCard(a) ? 'task' : 'prompt';
  return { fired: suite || regressed.length > 0, suite_regressed: suite, regressed_prompts: regressed, cannot_fire: cannotFireNotes(paired, tested, Math.min(runN(a), runN(b)), item) };
}

/** A scorecard's items with a category: a prompt's own, `task` for a task. */
function statsOf(card: AnyScorecard): ItemStats[] {
  return isTaskCard(card) ? itemsOf(card).map((t) => ({ ...t, category: 'task', pass_rate: t.runs > 0 ? t.pass_count / t.runs : null })) : card.prompts;
}

/** Every prompt (or task) either scorecard has, A's order first. */
export function compareCards(a: AnyScorecard, b: AnyScorecard): Comparison {
  const ofA = new Map(statsOf(a).map((s) => [s.prompt_id, s]));
  const ofB = new Map(statsOf(b).map((s) => [s.prompt_id, s]));
  const ids = [...new Set([...ofA.keys(), ...ofB.keys()])];
  const prompts = withHolm(ids.map((id) => delta(id, ofA.get(id), ofB.get(id))));
  const paired = pairedDifference(a, b);
  return { a, b, prompts, paired, gate: gateOf(a, b, prompts, paired) };
}

const counts = (s: ItemStats | undefined) => (gradedStats(s) ? { pass: s.pass_count, runs: s.runs } : null);

/** What `compare --json` prints: who was compared, each prompt's counts and flag, the verdict. */
export function comparisonJson(c: Comparison) {
  const side = (card: AnyScorecard) => ({
    lane: card.lane,
    ...(isTaskCard(card) && { kind: 'tasks', harness: card.harness, key: card.key }),
    run_id: cardRunId(card),
    n: runN(card),
    complete: partialLabel(card) === null,
    ...(card.completeness && { graded: card.completeness.attempts_done, planned: card.completeness.attempts_planned, lane_errors: card.completeness.lane_errors ?? 0 }),
  });
  return {
    a: side(c.a),
    b: side(c.b),
    prompts: c.prompts.map((d) => ({ prompt_id: d.prompt_id, category: d.category, a: counts(d.a), b: counts(d.b), difference: d.difference, p: d.p, p_holm: d.p_holm, flag: d.flag })),
    paired: c.paired,
    verdict: verdictLine('A', 'B', c.paired),
    gate: c.gate,
    provenance: provenanceNotes(c.a, c.b),
  };
}

/** `lane (run <id>, N=5, complete)` — how a compared scorecard is named (`lane+harness` for tasks). */
export function cardLabel(card: AnyScorecard): string {
  const status = partialLabel(card) ?? 'complete';
  return `${cardKey(card)} (run ${cardRunId(card)}, N=${runN(card)}, ${status})`;
}

/** Suite name and hash of a scorecard. */
const suiteOf = (card: AnyScorecard) => (isTaskCard(card) ? { suite: card.suite, suite_hash: card.suite_hash } : card.reproducibility);

function cell(s: ItemStats | undefined): string {
  if (!s) return '—';
  if (s.skipped !== undefined) return 'skipped';
  return s.runs === 0 ? '—' : `${s.pass_count}/${s.runs} ${formatPct(s.pass_rate)}`;
}

function flagWords(d: PromptDelta): string {
  if (d.flag === 'regression') return 'REGRESSION';
  return d.flag === 'improvement' ? 'improved' : '';
}

/** `regression gate: fired — …` / `clear`, with why, and what it cannot see at this N. */
function gateLines(c: Comparison, item: string): string[] {
  const g = c.gate;
  const why = [
    ...(g.suite_regressed ? [`B below A on the whole suite beyond noise`] : []),
    ...(g.regressed_prompts.length > 0 ? [`${g.regressed_prompts.length} ${item}${g.regressed_prompts.length === 1 ? '' : 's'} regressed (${g.regressed_prompts.join(', ')})`] : []),
  ];
  const head = g.fired ? `regression gate: fired — ${why.join('; ')}` : 'regression gate: clear — no regression beyond noise';
  return [head, ...g.cannot_fire.map((n) => `  but: ${n}`)];
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
    d.p_holm === null ? '—' : d.p_holm.toFixed(3),
    flagWords(d),
  ]);
  const lines = [`A  ${cardLabel(c.a)}`, `B  ${cardLabel(c.b)}`];
  const [sa, sb] = [suiteOf(c.a), suiteOf(c.b)];
  const item = isTaskCard(c.a) ? 'task' : 'prompt';
  if (sa.suite_hash !== sb.suite_hash) {
    lines.push(`note: the suites differ (${sa.suite} ${sa.suite_hash.slice(0, 12)} vs ${sb.suite} ${sb.suite_hash.slice(0, 12)}); only ${item}s with the same id are compared`);
  }
  lines.push(...provenanceNotes(c.a, c.b));
  lines.push('', textTable([item, 'category', 'A', 'B', 'B−A pts', 'p', 'p Holm', ''], rows), '');
  lines.push(`verdict: ${verdictLine('A', 'B', c.paired)}`);
  lines.push(...gateLines(c, item));
  lines.push(
    `(per ${item}: Fisher's exact test, two-sided, Holm-adjusted over the ${item}s both graded, flagged at < ${FLAG_ALPHA}; ` +
      `verdict: core ${item}s both graded, cluster-robust (CR1) 95 % interval with t(K−1); the gate fires on either)`,
  );
  return lines.join('\n');
}
