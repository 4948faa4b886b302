// The pictures of the HTML report (issue 15, DESIGN §14), as Vega-Lite specs rendered to SVG in
// Node (renderer 'none': no canvas, no browser, no network): the quality × speed × memory frontier
// and the lanes × prompts and lanes × harnesses heatmaps.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { TaskScorecard } from '../tasks/types.js';
import type { LaneScorecard } from '../types.js';
import type { FrontierPoint } from './frontier.js';

export { frontierPoints, taskFrontierPoints, type FrontierPoint } from './frontier.js';

/** Axis titles: the prompt frontier's by default; the task frontier names its own. */
export interface FrontierTitles {
  title: string;
  x: string;
  y: string;
}

const PROMPT_FRONTIER: FrontierTitles = { title: 'Quality × speed × memory', x: 'tokens/s (probe)', y: 'core pass rate' };

export function frontierSpec(points: FrontierPoint[], titles: FrontierTitles = PROMPT_FRONTIER): TopLevelSpec {
  // area from zero, so 30 GB against 90 GB looks like a third; a lane with no memory reading is
  // drawn at the smallest size seen (its table row says —)
  const smallest = Math.min(...points.map((p) => p.peak_gb ?? Infinity));
  const values = points.map((p) => ({ ...p, peak: p.peak_gb ?? (Number.isFinite(smallest) ? smallest : 1), frontier: p.pareto ? 'Pareto' : 'dominated' }));
  return {
    title: titles.title,
    width: 520,
    height: 320,
    data: { values },
    encoding: {
      x: { field: 'tok_s', type: 'quantitative', title: titles.x, scale: { zero: true } },
      y: { field: 'pass_rate', type: 'quantitative', title: titles.y, scale: { domain: [0, 1] }, axis: { format: '.0%' } },
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

/** One cell of a lanes × something heatmap: `column` is a prompt or a harness. */
export interface HeatCell {
  lane: string;
  column: string;
  pass_rate: number;
  label: string;
}

/** One cell per lane and graded prompt; skipped prompts and prompts without a graded attempt are left blank. */
export function heatCells(cards: LaneScorecard[]): HeatCell[] {
  return cards.flatMap((card) =>
    card.prompts
      .filter((s) => s.skipped === undefined && s.runs > 0)
      .map((s) => ({ lane: card.lane, column: s.prompt_id, pass_rate: s.pass_count / s.runs, label: `${s.pass_count}/${s.runs}` })),
  );
}

/**
 * One cell per (lane, harness) task scorecard, complete ones only: the pass rate over its graded
 * trials, labelled passes/trials.
 */
export function harnessCells(cards: readonly TaskScorecard[]): HeatCell[] {
  return cards
    .filter((c) => c.completeness.complete && c.pass_rate !== null)
    .map((c) => {
      const runs = c.tasks.reduce((sum, t) => sum + t.runs, 0);
      const passes = c.tasks.reduce((sum, t) => sum + t.pass_count, 0);
      return { lane: c.lane, column: c.harness, pass_rate: c.pass_rate!, label: `${passes}/${runs}` };
    });
}

export function heatmapSpec(cells: HeatCell[], lanes: string[], columns: string[], title = 'Pass rate, lanes × prompts'): TopLevelSpec {
  return {
    title,
    data: { values: cells },
    width: { step: 34 },
    height: { step: 26 },
    encoding: {
      x: { field: 'column', type: 'nominal', title: null, sort: columns, axis: { labelAngle: -40 } },
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
