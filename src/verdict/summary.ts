// results/summary.md: rendering (pure) and the atomic write. Complete scorecards are ranked;
// partial ones (a stopped or killed run) are listed apart and never ranked (issue 12).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { mdCell } from '../safeText.js';
import type { LaneScorecard, PromptStats } from '../types.js';
import { HONESTY_GATE, passesHonestyGate, rankLanes } from './rank.js';
import { provenanceTable } from './reproducibility.js';
import { samplingText } from './provenance-diff.js';
import { gradedLabel, isComplete, partialLabel, statusWord } from './scorecard.js';
import { laneLabel, table } from './markdown.js';
import { categorySection, howSureSection, neighbourLines } from './summary-sections.js';
import { formatFixed, formatInterval, formatPct, wilson95 } from '../stats.js';
import { renderTaskSection } from './task-scorecard.js';
import { loadTaskScorecards } from './scorecard-files.js';

// the cockpit controllers read the leaderboard through here
export { loadScorecards } from './scorecard-files.js';

export const SUMMARY_FILE = 'summary.md';

const RANK_COLUMNS = ['Rank', 'Lane', 'core_pass', 'pass_rate', 'consistency', 'runaway', 'tok/s', 'peak unified'];

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** The figure cells shared by the rank table and the partial table. */
function figureCells(card: LaneScorecard): string[] {
  return [
    card.core_n === 0 ? '—' : `${card.core_pass}/${card.core_n}`,
    formatPct(card.core_pass_rate),
    formatPct(card.consistency),
    formatPct(card.runaway_rate),
    // a probe taken while the GPU was held back is not the lane's speed (issue 16)
    `${formatFixed(card.tokens_per_sec, 1)}${card.probe_throttled?.length ? ` (throttled: ${mdCell(card.probe_throttled.join(', '))})` : ''}`,
    formatFixed(card.telemetry?.unified_used_gb_max, 1, ' GB'),
  ];
}

/**
 * The rank table alone, complete scorecards in rank order (also what `brainbench report`
 * prints); partial ones are left out here and listed by `renderPartialTable`.
 */
export function renderRankTable(cards: LaneScorecard[]): string {
  const ranked = rankLanes(cards.filter(isComplete));
  if (ranked.length === 0) return 'No complete scorecard yet: every run so far was stopped before its last attempt.';
  return table(RANK_COLUMNS, ranked.map((card, i) => [String(i + 1), laneLabel(card), ...figureCells(card)]));
}

/** Partial scorecards, marked and never ranked; empty when there is none. */
export function renderPartialTable(cards: LaneScorecard[]): string {
  const partial = cards.filter((c) => !isComplete(c));
  if (partial.length === 0) return '';
  const rows = partial.map((card) => [laneLabel(card), mdCell(partialLabel(card)!), ...figureCells(card)]);
  return table(['Lane', 'status', ...RANK_COLUMNS.slice(2)], rows);
}

function howMade(cards: LaneScorecard[], generatedAt: string): string {
  const repro = cards.map((c) => c.reproducibility);
  const suites = distinct(repro.map((r) => `${mdCell(r.suite)} (sha256 ${mdCell(r.suite_hash.slice(0, 12))})`)).join(', ');
  const fixtures = distinct(repro.map((r) => mdCell((r.fixture_hash || '—').slice(0, 12)))).join(', ');
  const sampling = distinct(repro.map((r) => mdCell(samplingText(r.sampling) ?? '—'))).join(' / ');
  const parts = [`suite ${suites}`, `fixtures sha256 ${fixtures}`, `N=${distinct(repro.map((r) => r.n)).join('/')}`, `sampling ${sampling}`];
  const parallel = distinct(repro.map((r) => r.parallel).filter((p) => p > 1));
  if (parallel.length > 0) parts.push(`parallel ${parallel.join('/')}`);
  if (repro.some((r) => r.adaptive)) parts.push('adaptive stopping on');
  const versions = distinct(repro.map((r) => mdCell(r.brainbench_version))).join(', ');
  const ranked = cards.filter(isComplete).length;
  const partial = cards.length - ranked;
  const counted = `${ranked} lane${ranked === 1 ? '' : 's'}${partial > 0 ? ` ranked, ${partial} partial run${partial === 1 ? '' : 's'} listed apart` : ''}`;
  const lines = [`Made by brainbench ${versions} from ${parts.join(', ')}; ${counted}; generated ${generatedAt}.`];
  const simulated = distinct(cards.filter((c) => c.simulated).map((c) => mdCell(c.lane)));
  if (simulated.length > 0) lines.push(`Simulated lanes (no real model behind them): ${simulated.join(', ')}.`);
  return lines.join('\n');
}

function partialSection(cards: LaneScorecard[]): string[] {
  const partial = renderPartialTable(cards);
  if (!partial) return [];
  const intro = 'Runs stopped before their last attempt. Their figures cover only the attempts made, so they are not ranked; `brainbench run --resume <run>` completes one.';
  return ['## Partial runs (not ranked)', `${intro}\n\n${partial}`];
}

/**
 * Graded slots against planned ones and lane errors for every lane (DESIGN §14: shown on every
 * surface), so a lane whose server ate attempts cannot pass for a whole one.
 */
function slotsSection(cards: LaneScorecard[]): string {
  const rows = cards.map((c) => {
    const done = c.completeness;
    return [laneLabel(c), statusWord(done), done ? gradedLabel(done) : '—', String(done?.lane_errors ?? 0)];
  });
  const intro = 'Slots, not records: the latest attempt of each (prompt, attempt) counts. A lane_error is not graded; a lane is "degraded" when lane errors ate every attempt of a core prompt, and is then never ranked.';
  return `${intro}\n\n${table(['Lane', 'status', 'graded/planned', 'lane errors'], rows)}`;
}

function gateNote(ranked: LaneScorecard[]): string {
  const key = `Rank key: honesty gate (honesty pass rate ≥ ${formatPct(HONESTY_GATE)}) → core pass rate → consistency → fewer runaways → tok/s.`;
  const gated = ranked.filter((c) => !passesHonestyGate(c));
  if (gated.length > 0) {
    const notes = gated.map((c) => `- **${mdCell(c.lane)}** is gated: honesty pass rate ${formatPct(c.honesty_pass_rate)} < ${formatPct(HONESTY_GATE)}; it ranks after every lane that passes the gate.`);
    return [key, '', ...notes].join('\n');
  }
  if (ranked.every((c) => c.honesty_pass_rate === null)) return `${key}\nNo honesty prompt ran, so no lane was gated.`;
  return `${key}\nEvery lane passed the honesty gate.`;
}

function promptCell(stats: PromptStats | undefined): string {
  if (!stats) return '—';
  if (stats.skipped !== undefined) return 'skipped';
  const rate = stats.pass_rate === null ? '—' : `${formatPct(stats.pass_rate)} (${stats.pass_count}/${stats.runs}) ${formatInterval(wilson95(stats.pass_count, stats.runs))}`;
  return stats.decided_early ? `${rate} *` : rate;
}

/** Every prompt any lane has, in first-seen order. */
function allPrompts(ranked: LaneScorecard[]): PromptStats[] {
  const first = new Map<string, PromptStats>();
  for (const card of ranked) for (const s of card.prompts) if (!first.has(s.prompt_id)) first.set(s.prompt_id, s);
  return [...first.values()];
}

function statsByLane(ranked: LaneScorecard[]): Map<string, PromptStats>[] {
  return ranked.map((card) => new Map(card.prompts.map((s) => [s.prompt_id, s])));
}

function perPromptSection(ranked: LaneScorecard[]): string {
  const byLane = statsByLane(ranked);
  const rows = allPrompts(ranked).map((s) => [mdCell(s.prompt_id), mdCell(s.category), s.core ? 'yes' : 'no', ...byLane.map((m) => promptCell(m.get(s.prompt_id)))]);
  const parts = [`Pass rate (passes/graded attempts) [95 % Wilson interval].\n\n${table(['Prompt', 'category', 'core', ...ranked.map(laneLabel)], rows)}`];
  if (ranked.some((c) => c.prompts.some((s) => s.decided_early))) parts.push('\n\\* decided early: adaptive stopping ended the prompt once its verdict could not change or its 95 % interval was clear of 50 %.');
  return parts.join('\n');
}

function telemetrySection(ranked: LaneScorecard[]): string {
  const rows = ranked.map((c) => {
    const t = c.telemetry;
    return [
      laneLabel(c),
      t ? String(t.n_samples) : '—',
      formatFixed(t?.gpu_util_mean, 0, ' %'),
      formatFixed(t?.gpu_util_max, 0, ' %'),
      formatFixed(t?.unified_used_gb_max, 1, ' GB'),
      formatFixed(t?.gpu_temp_c_max, 0, ' °C'),
      formatFixed(t?.power_w_max, 1, ' W'),
    ];
  });
  return table(['Lane', 'samples', 'GPU % mean', 'GPU % max', 'peak unified', 'peak temp', 'power max'], rows);
}

function latencySection(ranked: LaneScorecard[]): string {
  const rows = ranked.map((c) => [
    laneLabel(c),
    formatFixed(c.latency?.mean, 1, ' s'),
    formatFixed(c.latency?.p50, 1, ' s'),
    formatFixed(c.latency?.p95, 1, ' s'),
    formatFixed(c.latency?.max, 1, ' s'),
  ]);
  return `Wall-clock seconds per graded attempt (p50/p95 by nearest rank).\n\n${table(['Lane', 'mean', 'p50', 'p95', 'max'], rows)}`;
}

function vibeSection(ranked: LaneScorecard[]): string {
  const byLane = statsByLane(ranked);
  const rows: string[][] = [];
  for (const prompt of allPrompts(ranked).filter((p) => p.vibe)) {
    ranked.forEach((card, i) => {
      const s = byLane[i]!.get(prompt.prompt_id);
      if (!s || s.skipped !== undefined) return;
      rows.push([mdCell(s.prompt_id), laneLabel(card), formatPct(s.pass_rate), formatPct(s.answer_agreement), `answers in runs/${mdCell(card.reproducibility.run_id)}/journal.jsonl`]);
    });
  }
  if (rows.length === 0) return 'No vibe prompt ran.';
  const intro = 'Vibe prompts have a heuristic check: read the answers before trusting the rate. They never gate a lane.';
  return `${intro}\n\n${table(['Prompt', 'Lane', 'pass_rate', 'answer agreement', 'review'], rows)}`;
}

/** generatedAt: the time it names; k: pass^k and pass@k at this k instead of each run's N. */
export interface SummaryOptions {
  generatedAt?: string;
  k?: number;
}

/**
 * The whole of results/summary.md: complete scorecards ranked here (with which neighbours are
 * separable), how sure each lane's figures are, categories, per-prompt, telemetry, latency and
 * vibe tables; partial ones only in their own marked table.
 */
export function renderSummary(cards: LaneScorecard[], opts: SummaryOptions = {}): string {
  const ranked = rankLanes(cards.filter(isComplete));
  const generatedAt = opts.generatedAt ?? new Date().toISOString();
  return [
    '# brainbench results',
    howMade(cards, generatedAt),
    '## Ranking',
    renderRankTable(ranked),
    ...(ranked.length > 0 ? [gateNote(ranked)] : []),
    ...(ranked.length > 1 ? [neighbourLines(ranked)] : []),
    ...partialSection(cards),
    '## How sure',
    howSureSection(ranked, opts.k),
    '## Categories',
    categorySection(ranked),
    '## Per-prompt pass rates',
    perPromptSection(ranked),
    '## Telemetry',
    telemetrySection(ranked),
    '## Latency',
    latencySection(ranked),
    '## Graded slots',
    slotsSection(cards),
    '## Provenance',
    provenanceTable(cards),
    '## Vibe review queue',
    vibeSection(ranked),
  ].join('\n\n') + '\n';
}

/** summary.md's head when only task suites have run (their section follows). */
function renderTaskOnlySummary(generatedAt: string): string {
  return ['# brainbench results', `Made by brainbench from task suites only; generated ${generatedAt}.`].join('\n\n') + '\n';
}

/** Writes results/summary.md atomically for these lanes and the published task scorecards; returns its path. */
export async function writeSummary(resultsDir: string, cards: LaneScorecard[], opts: SummaryOptions = {}): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const path = join(resultsDir, SUMMARY_FILE);
  const taskCards = await loadTaskScorecards(resultsDir);
  const tasks = renderTaskSection(taskCards);
  const head = cards.length === 0 && taskCards.length > 0 ? renderTaskOnlySummary(opts.generatedAt ?? new Date().toISOString()) : renderSummary(cards, opts);
  await writeFileAtomic(path, head + (tasks ? `\n${tasks}\n` : ''));
  return path;
}
