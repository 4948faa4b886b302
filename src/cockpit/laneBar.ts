// The lane bar: `[1] q4km ●  [2] vllm-fp8 ○  [d] demo ○`, fitted to the width.
import type { LaneEntry } from '../store.js';
import { clipSegments, segmentsWidth, truncate, type Segment } from './format.js';
import { LANE_STATE_STYLE } from './glyphs.js';
import { laneHotkeys, shortLaneIds } from './lanes.js';

function build(lanes: readonly LaneEntry[], resident: string | null, name: (id: string) => string): Segment[] {
  const byId = new Map(lanes.map((l) => [l.id, l]));
  const segs: Segment[] = [{ text: ' ' }];
  laneHotkeys(lanes).forEach(({ key, id }, i) => {
    const lane = byId.get(id)!;
    const style = LANE_STATE_STYLE[lane.state];
    if (i > 0) segs.push({ text: '  ' });
    segs.push({ text: `[${key}] `, dim: true }, { text: name(id), bold: id === resident }, { text: ` ${style.glyph}`, color: style.color });
    // memory this lane's stop did not give back (issue 16): the box is not as empty as it looks
    if (lane.heldGb) segs.push({ text: ` ${lane.heldGb.toFixed(1)} GB held`, color: 'yellow' });
  });
  return segs;
}

export function laneBarSegments(lanes: readonly LaneEntry[], resident: string | null, width: number): Segment[] {
  const full = build(lanes, resident, (id) => id);
  if (segmentsWidth(full) <= width) return full;
  const short = shortLaneIds(lanes.map((l) => l.id));
  const shortened = build(lanes, resident, (id) => short.get(id)!);
  if (segmentsWidth(shortened) <= width) return shortened;
  // Share what is left after the fixed parts ("[k] " + " ●" + gaps) equally between names.
  const count = Math.max(1, laneHotkeys(lanes).length);
  const budget = Math.max(3, Math.floor((width - 1 - count * 8) / count));
  return clipSegments(build(lanes, resident, (id) => truncate(short.get(id)!, budget)), width);
}
