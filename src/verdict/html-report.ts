// `brainbench report --html FILE`: one self-contained page (issue 15, DESIGN §14): the charts are
// inline SVG drawn in Node, the style is inline, nothing is fetched when it is opened. Each chart
// has its table beside it, so the numbers can be read as well as seen.
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { rankLanes } from './rank.js';
import { gradedLabel, isComplete, partialLabel } from './scorecard.js';
import { formatFixed, formatInterval, formatPct } from '../stats.js';
import { htmlText } from '../safeText.js';
import type { LaneScorecard } from '../types.js';
import type { TaskScorecard } from '../tasks/types.js';
import { frontierPoints, frontierSpec, harnessCells, heatCells, heatmapSpec, renderSvg, taskFrontierPoints, type FrontierPoint } from './charts.js';
import { passHatKCell, sharedK, statisticsOf } from './lane-stats.js';
import { samplingText } from './provenance-diff.js';
import { pairedDifference } from './paired.js';
import { verdictLine } from './words.js';

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:32px}
.pair{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#f3f3f3}.note{color:#555;max-width:60em}figure{margin:0}`;

function htmlTable(header: string[], rows: string[][]): string {
  const head = `<tr>${header.map((h) => `<th>${htmlText(h)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${htmlText(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n${head}\n${body}\n</table>`;
}

function figure(name: string, svg: string): string {
  return `<figure data-chart="${name}">${svg}</figure>`;
}

function rankRows(ranked: LaneScorecard[], k: number): string[][] {
  return ranked.map((card, i) => {
    const s = statisticsOf(card, k);
    return [
      String(i + 1),
      card.lane + (card.simulated ? ' (simulated)' : ''),
      `${formatPct(card.core_pass_rate)}`,
      `${formatPct(s.pass_rate)} ${formatInterval(s.clustered95)}`.trim(),
      passHatKCell(s),
      formatFixed(card.tokens_per_sec, 1),
      formatFixed(card.telemetry?.unified_used_gb_max, 1, ' GB'),
      card.completeness ? gradedLabel(card.completeness) : '—',
    ];
  });
}

/** Partial and degraded lanes: named with their graded slots and lane errors, never ranked. */
function unrankedSection(cards: LaneScorecard[]): string {
  const apart = cards.filter((c) => !isComplete(c));
  if (apart.length === 0) return '';
  const rows = apart.map((c) => [c.lane + (c.simulated ? ' (simulated)' : ''), partialLabel(c)!, gradedLabel(c.completeness!), String(c.completeness!.lane_errors ?? 0)]);
  return `<h2>Not ranked</h2>\n<p class="note">Partial runs and degraded lanes (lane errors ate every attempt of a core prompt): their figures cover only what was graded.</p>\n${htmlTable(['Lane', 'status', 'graded/planned', 'lane errors'], rows)}`;
}

function frontierRows(points: FrontierPoint[]): string[][] {
  return points.map((p) => [p.lane, formatPct(p.pass_rate), formatFixed(p.tok_s, 1), formatFixed(p.peak_gb, 1, ' GB'), p.pareto ? 'yes' : 'no']);
}

async function frontierSection(ranked: LaneScorecard[]): Promise<string> {
  const points = frontierPoints(ranked);
  if (points.length === 0) return '<p class="note">No lane has both a pass rate and a tok/s yet: nothing to draw.</p>';
  const missing = ranked.filter((c) => !points.some((p) => p.lane === c.lane)).map((c) => c.lane);
  const note = 'Point size: peak unified memory. Pareto: no other lane is at least as good on pass rate, tok/s and peak memory and better on one.';
  const left = missing.length > 0 ? ` Not drawn (no pass rate or tok/s): ${missing.join(', ')}.` : '';
  const svg = await renderSvg(frontierSpec(points));
  return `<div class="pair">${figure('frontier', svg)}\n${htmlTable(['Lane', 'core pass rate', 'tok/s', 'peak unified', 'Pareto'], frontierRows(points))}</div>\n<p class="note">${htmlText(note + left)}</p>`;
}

async function heatmapSection(ranked: LaneScorecard[]): Promise<string> {
  const cells = heatCells(ranked);
  if (cells.length === 0) return '<p class="note">No graded prompt yet.</p>';
  const prompts = [...new Set(cells.map((c) => c.column))];
  const svg = await renderSvg(heatmapSpec(cells, ranked.map((c) => c.lane), prompts));
  const rows = prompts.map((p) => [p, ...ranked.map((card) => cells.find((c) => c.lane === card.lane && c.column === p)?.label ?? '—')]);
  return `<div class="pair">${figure('heatmap', svg)}\n${htmlTable(['Prompt', ...ranked.map((c) => c.lane)], rows)}</div>`;
}

/** Every task scorecard, drawn or not: pass rate, graded/planned and lane errors, complete or why not. */
function taskTable(taskCards: readonly TaskScorecard[]): string {
  const rows = taskCards.map((c) => [
    c.lane + (c.simulated ? ' (simulated)' : ''),
    c.harness,
    c.suite,
    formatPct(c.pass_rate),
    gradedLabel(c.completeness),
    String(c.completeness.lane_errors ?? c.outcomes.lane_error ?? 0),
    partialLabel(c) ?? 'complete',
  ]);
  return htmlTable(['Lane', 'harness', 'suite', 'pass rate', 'graded/planned', 'lane errors', 'status'], rows);
}

/** Task pass rate against decode rate per (lane, harness), complete task scorecards only. */
async function taskFrontierSection(taskCards: readonly TaskScorecard[]): Promise<string> {
  const points = taskFrontierPoints(taskCards.filter(isComplete));
  if (points.length === 0) return '<p class="note">No complete task scorecard has both a pass rate and a decode rate: no task frontier to draw.</p>';
  const svg = await renderSvg(frontierSpec(points, { title: 'Task pass rate × decode rate', x: 'decode tokens/s (mean over trials)', y: 'task pass rate' }));
  return `<div class="pair">${figure('task-frontier', svg)}\n${htmlTable(['Lane+harness', 'pass rate', 'decode tok/s', 'peak unified', 'Pareto'], frontierRows(points))}</div>`;
}

/** Task pass rate per lane and harness, from the complete task scorecards; partial ones are not drawn. */
async function harnessSection(taskCards: readonly TaskScorecard[]): Promise<string> {
  const cells = harnessCells(taskCards);
  if (cells.length === 0) {
    const none = '<p class="note">No complete task-suite run yet: run a task suite with one or more harnesses to fill this in.</p>';
    return taskCards.length === 0 ? none : `${none}\n${taskTable(taskCards)}`;
  }
  const lanes = [...new Set(cells.map((c) => c.lane))].sort();
  const harnesses = [...new Set(cells.map((c) => c.column))].sort();
  const svg = await renderSvg(heatmapSpec(cells, lanes, harnesses, 'Task pass rate, lanes × harnesses'));
  const rows = lanes.map((lane) => [lane, ...harnesses.map((h) => cells.find((c) => c.lane === lane && c.column === h)?.label ?? '—')]);
  return `<div class="pair">${figure('harnesses', svg)}\n${htmlTable(['Lane', ...harnesses], rows)}</div>\n${taskTable(taskCards)}\n<h3>Task frontier</h3>\n${await taskFrontierSection(taskCards)}`;
}

/** Under the rank table: what the interval and pass^k are, and the run settings behind them. */
function rankNote(ranked: LaneScorecard[], k: number): string {
  const distinct = (xs: string[]) => [...new Set(xs)].join(' / ');
  const repro = ranked.map((c) => c.reproducibility);
  const made = `N=${distinct(repro.map((r) => String(r.n)))}; sampling ${distinct(repro.map((r) => samplingText(r.sampling) ?? '—'))}; suite sha256 ${distinct(repro.map((r) => r.suite_hash.slice(0, 12)))}; fixtures sha256 ${distinct(repro.map((r) => (r.fixture_hash || '—').slice(0, 12)))}.`;
  const how = `pass rate [95 %]: core attempts pooled, interval clustered by prompt (CR1, t(K−1)), never narrower than Wilson. pass^${k}: one k for every lane (${k}), averaged over the core prompts with ${k}+ graded attempts, coverage shown when not all. Neighbours: paired difference over the K shared core prompts, CR1 with t(K−1).`;
  return `<p class="note">${htmlText(`${how} ${made}`)}</p>`;
}

function neighbours(ranked: LaneScorecard[]): string {
  if (ranked.length < 2) return '';
  const items = ranked.slice(1).map((lower, i) => `<li>${htmlText(`${i + 1} vs ${i + 2}: ${verdictLine(ranked[i]!.lane, lower.lane, pairedDifference(ranked[i]!, lower))}`)}</li>`);
  return `<ul>\n${items.join('\n')}\n</ul>`;
}

/** The whole page for these scorecards: complete ones ranked and drawn; partial ones are not. */
export async function renderHtmlReport(cards: LaneScorecard[], opts: { generatedAt?: string; taskCards?: readonly TaskScorecard[]; k?: number } = {}): Promise<string> {
  const ranked = rankLanes(cards.filter(isComplete));
  const generatedAt = opts.generatedAt ?? new Date().toISOString();
  const partial = cards.length - ranked.length;
  const tasks = opts.taskCards?.length ?? 0;
  const k = ranked.length > 0 ? sharedK(ranked, opts.k) : 1;
  const made = `${ranked.length} ranked lane${ranked.length === 1 ? '' : 's'}${partial > 0 ? ` (${partial} partial or degraded run${partial === 1 ? '' : 's'} not drawn)` : ''}${tasks > 0 ? `, ${tasks} task scorecard${tasks === 1 ? '' : 's'}` : ''}; generated ${generatedAt}.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>brainbench results</title><style>${STYLE}</style></head>
<body>
<h1>brainbench results</h1>
<p class="note">${htmlText(made)}</p>
<h2>Ranking</h2>
${htmlTable(['Rank', 'Lane', 'core pass rate', 'pass rate [95 %]', `pass^${k}`, 'tok/s', 'peak unified', 'graded/planned'], rankRows(ranked, k))}
${ranked.length > 0 ? rankNote(ranked, k) : ''}
${neighbours(ranked)}
${unrankedSection(cards)}
<h2>Frontier</h2>
${await frontierSection(ranked)}
<h2>Lanes × prompts</h2>
${await heatmapSection(ranked)}
<h2>Lanes × harnesses</h2>
${await harnessSection(opts.taskCards ?? [])}
</body></html>
`;
}

/** Writes the page atomically to `file` (its folder is made); returns the absolute path. */
export async function writeHtmlReport(file: string, cards: LaneScorecard[], taskCards: readonly TaskScorecard[] = [], k?: number): Promise<string> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, await renderHtmlReport(cards, { taskCards, ...(k !== undefined && { k }) }));
  return path;
}
