// The pictures of the HTML report (issue 15, DESIGN §14), as Vega-Lite specs rendered to SVG in
// Node (renderer 'none': no canvas, no browser, no network): the quality × speed × memory frontier
// and the lanes × prompts heatmap.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { LaneScorecard } from '../types.js';

export interface FrontierPoint {
  lane: string;
  pass_rate: number;
  tok_s: number;
  peak_gb: number | null;
  pareto: boolean;
}

/** a is at least as good as b everywhere and better somewhere (memory only when both have it). */
function dominates(a: FrontierPoint, b: FrontierPoint): boolean {
  const memory = a.peak_gb !== null && b.peak_gb !== null;
  const noWorse = a.pass_rate >= b.pass_rate && a.tok_s >= b.tok_s && (!memory || a.peak_gb! <= b.peak_gb!);
  const better = a.pass_rate > b.pass_rate || a.tok_s > b.tok_s || (memory && a.peak_gb! < b.peak_gb!);
  return noWorse && better;
}

/**
 * One point per lane with a core pass rate and a tok/s, marked Pareto when no other lane
 * dominates it on pass rate (higher), tok/s (higher) and peak memory (lower).
 */
export function frontierPoints(cards: LaneScorecard[]): FrontierPoint[] {
  const points = cards
    .filter((c) => c.core_pass_rate !== null && c.tokens_per_sec !== null)
    .map((c) => ({ lane: c.lane, pass_rate: c.core_pass_rate!, tok_s: c.tokens_per_sec!, peak_gb: c.telemetry?.unified_used_gb_max ?? null, pareto: false }));
  return points.map((p) => ({ ...p, pareto: !points.some((q) => q !== p && dominates(q, p)) }));
}

export function frontierSpec(points: FrontierPoint[]): TopLevelSpec {
  // area from zero, so 30 GB against 90 GB looks like a third; a lane with no memory reading is
  // drawn at the smallest size seen (its table row says —)
  const smallest = Math.min(...points.map((p) => p.peak_gb ?? Infinity));
  const values = points.map((p) => ({ ...p, peak: p.peak_gb ?? (Number.isFinite(smallest) ? smallest : 1), frontier: p.pareto ? 'Pareto' : 'dominated' }));
  return {
    title: 'Quality × speed × memory',
    width: 520,
    height: 320,
    data: { values },
    encoding: {
      x: { field: 'tok_s', type: 'quantitative', title: 'tokens/s (probe)', scale: { zero: true } },
      y: { field: 'pass_rate', type: 'quantitative', title: 'core pass rate', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
    },
    layer: [
      {
        mark: { type: 'point', filled: true, opacity: 0.75 },
        encoding: {
          size: { field: 'peak', type: 'quantitative', title: 'peak unified GB', scale: { zero: true, range: [30, 900] } },
          color: { field: 'frontier', type: 'nominal', title: null, scale: { domain: ['Pareto', 'dominated'], range: ['#d62728', '#7f7f7f'] } },
          shape: { field: 'frontier', type: 'nominal', title: null, scale: { domain: ['Pareto', 'dominated'], range: ['diamond', 'circle'] } },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 10, dy: -8, fontSize: 11 }, encoding: { text: { field: 'lane', type: 'nominal' } } },
    ],
  };
}

export interface HeatCell {
  lane: string;
  prompt: string;
  pass_rate: number;
  label: string;
}

/** One cell per lane and graded prompt; skipped prompts and prompts without a graded attempt are left blank. */
export function heatCells(cards: LaneScorecard[]): HeatCell[] {
  return cards.flatMap((card) =>
    card.prompts
      .filter((s) => s.skipped === undefined && s.runs > 0)
      .map((s) => ({ lane: card.lane, prompt: s.prompt_id, pass_rate: s.pass_count / s.runs, label: `${s.pass_count}/${s.runs}` })),
  );
}

export function heatmapSpec(cells: HeatCell[], lanes: string[], prompts: string[]): TopLevelSpec {
  return {
    title: 'Pass rate, lanes × prompts',
    data: { values: cells },
    width: { step: 34 },
    height: { step: 26 },
    encoding: {
      x: { field: 'prompt', type: 'nominal', title: null, sort: prompts, axis: { labelAngle: -40 } },
      y: { field: 'lane', type: 'nominal', title: null, sort: lanes },
    },
    layer: [
      {
        mark: 'rect',
        encoding: { color: { field: 'pass_rate', type: 'quantitative', title: 'pass rate', scale: { domain: [0, 1], scheme: 'redyellowgreen' }, legend: { format: '.0%' } } },
      },
      {
        mark: { type: 'text', fontSize: 9 },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          // readable on the dark ends of the scale
          color: { condition: { test: 'datum.pass_rate < 0.2 || datum.pass_rate > 0.8', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/** A Vega-Lite spec drawn to an SVG string, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
