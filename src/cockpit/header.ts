// The header line: brand, resident lane, suite, N, run clock and ETA, fitted to the width by
// dropping the least useful parts first.
import type { LaneEntry } from '../store.js';
import { clipSegments, clock, hms, segmentsWidth, truncateMiddle, type Segment } from './format.js';
import { LANE_STATE_STYLE } from './glyphs.js';

export interface HeaderInput {
  lane: LaneEntry | null;
  simulated: boolean;
  suite: string | null;
  n: number | null;
  /** Seconds since the run started; null without a run. */
  elapsed: number | null;
  eta: number | null;
  paused: boolean;
  ended: boolean;
}

const MIN_LANE_ID = 10;

function build(h: HeaderInput, opts: { laneId: number; suite: boolean; n: boolean; eta: boolean }): Segment[] {
  const segs: Segment[] = [{ text: ' brainbench', bold: true }, { text: '  lane ' }];
  if (h.lane) {
    const style = LANE_STATE_STYLE[h.lane.state];
    segs.push({ text: style.glyph, color: style.color });
    segs.push({ text: ` ${truncateMiddle(h.lane.id, opts.laneId)}`, bold: true });
    if (h.simulated) segs.push({ text: ' (simulated)', color: 'yellow' });
    segs.push({ text: `  ${h.lane.state}`, color: style.color });
    if (h.lane.port !== null) segs.push({ text: ` :${h.lane.port}` });
  } else {
    segs.push({ text: '— none', dim: true });
  }
  if (opts.suite && h.suite) segs.push({ text: `   suite ${h.suite}` });
  if (opts.n && h.n !== null) segs.push({ text: `  N=${h.n}` });
  if (h.elapsed !== null) {
    segs.push({ text: `   run ${hms(h.elapsed)}` });
    if (h.paused) segs.push({ text: ' paused', color: 'yellow' });
    else if (h.ended) segs.push({ text: ' done', color: 'green' });
  }
  if (opts.eta && h.eta !== null && !h.ended) segs.push({ text: `   ETA ${clock(h.eta)}` });
  return segs;
}

/** The header's segments, never wider than `width`. */
export function headerSegments(h: HeaderInput, width: number): Segment[] {
  const idLength = h.lane?.id.length ?? 0;
  // Most to least informative; the first whose lane id keeps a readable length wins.
  const variants = [
    { suite: true, n: true, eta: true },
    { suite: true, n: true, eta: false },
    { suite: false, n: true, eta: false },
    { suite: false, n: false, eta: false },
  ];
  for (const v of variants) {
    const budget = width - segmentsWidth(build(h, { ...v, laneId: 0 }));
    if (budget >= Math.min(idLength, MIN_LANE_ID)) return build(h, { ...v, laneId: Math.min(idLength, budget) });
  }
  return clipSegments(build(h, { ...variants[variants.length - 1]!, laneId: MIN_LANE_ID }), width);
}
