// The header line: brand, resident lane, suite, harness, N, run clock and run state, fitted to the width
// by dropping the least useful parts first. (The ETA lives in the gauges column only.)
import type { LaneEntry } from '../store.js';
import { clipSegments, hms, loadingText, segmentsWidth, truncate, truncateMiddle, type Segment } from './format.js';
import { LANE_STATE_STYLE } from './glyphs.js';
import { RUN_STATE_COLOR, type RunState } from './runView.js';

export interface HeaderInput {
  lane: LaneEntry | null;
  /** The resident lane is simulated (never carried over from an earlier run on another lane). */
  simulated: boolean;
  suite: string | null;
  /** The harness of a task run (`harness pi` next to the suite); null for prompt runs. */
  harness?: string | null;
  n: number | null;
  /** Seconds since the run started; null without a run. */
  elapsed: number | null;
  state: RunState | null;
  /** Attempts done and planned when the run's scorecard is partial (it is kept apart, not ranked). */
  partial?: { done: number; planned: number } | null;
}

const MIN_LANE_ID = 10;

interface Parts {
  suite: boolean;
  harness: boolean;
  n: boolean;
  port: boolean;
  /** `partial 4/11` rather than `partial` (the gauges show attempt k/total too). */
  counts: boolean;
}

function build(h: HeaderInput, opts: Parts & { laneId: number }): Segment[] {
  const segs: Segment[] = [{ text: ' brainbench', bold: true }, { text: '  lane ' }];
  if (h.lane) {
    const style = LANE_STATE_STYLE[h.lane.state];
    segs.push({ text: style.glyph, color: style.color });
    segs.push({ text: ` ${truncateMiddle(h.lane.id, opts.laneId)}`, bold: true });
    if (h.simulated) segs.push({ text: ' (simulated)', color: 'yellow' });
    segs.push({ text: `  ${h.lane.state}`, color: style.color });
    if (opts.port && h.lane.port !== null) segs.push({ text: ` :${h.lane.port}` });
  } else {
    segs.push({ text: '— none', dim: true });
  }
  if (opts.suite && h.suite) segs.push({ text: `  suite ${h.suite}` });
  if (opts.harness && h.harness) segs.push({ text: `  harness ${h.harness}`, color: 'cyan' });
  if (opts.n && h.n !== null) segs.push({ text: `  N=${h.n}` });
  if (h.elapsed !== null) {
    segs.push({ text: `  run ${hms(h.elapsed)}` });
    if (h.state) segs.push({ text: ` ${h.state}`, color: RUN_STATE_COLOR[h.state] });
    if (h.partial) segs.push({ text: ` · partial${opts.counts ? ` ${h.partial.done}/${h.partial.planned}` : ''}`, color: 'yellow' });
  }
  return segs;
}

/** The load's progress in the room the header has left (it never pushes out the rest). */
function withLoading(segs: Segment[], h: HeaderInput, width: number): Segment[] {
  const loading = h.lane?.state === 'starting' ? h.lane.loading : undefined;
  const room = width - segmentsWidth(segs) - 2;
  if (!loading || room < 12) return segs;
  return [...segs, { text: `  ${truncate(loadingText(loading), room)}`, color: 'yellow' }];
}

/** The header's segments, never wider than `width`. */
export function headerSegments(h: HeaderInput, width: number): Segment[] {
  return withLoading(fittedSegments(h, width), h, width);
}

function fittedSegments(h: HeaderInput, width: number): Segment[] {
  const idLength = h.lane?.id.length ?? 0;
  // Most to least informative; the first whose lane id keeps a readable length wins.
  const variants: Parts[] = [
    { suite: true, harness: true, n: true, port: true, counts: true },
    { suite: true, harness: true, n: true, port: false, counts: true },
    { suite: false, harness: true, n: true, port: false, counts: true },
    { suite: false, harness: true, n: true, port: false, counts: false },
    { suite: false, harness: true, n: false, port: false, counts: false },
    { suite: false, harness: false, n: false, port: false, counts: false },
  ];
  for (const v of variants) {
    const budget = width - segmentsWidth(build(h, { ...v, laneId: 0 }));
    if (budget >= Math.min(idLength, MIN_LANE_ID)) return build(h, { ...v, laneId: Math.min(idLength, budget) });
  }
  return clipSegments(build(h, { ...variants[variants.length - 1]!, laneId: MIN_LANE_ID }), width);
}
