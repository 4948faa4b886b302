import { Box } from 'ink';
import { fit, type Segment } from '../src/cockpit/format.js';
import { LANE_STATE_STYLE } from '../src/cockpit/glyphs.js';
import { laneHotkeys } from '../src/cockpit/lanes.js';
import { clampWindow } from '../src/cockpit/layout.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

/** The `s` menu: every lane with its kind, state and port; ↑/↓ and enter swap, esc closes. */
export function LaneMenu({ width, height }: { width: number; height: number }) {
  const lanes = useCockpit((s) => s.lanes);
  const resident = useCockpit((s) => s.resident);
  const index = useCockpit((s) => s.menuIndex);
  const keys = new Map(laneHotkeys(lanes).map((h) => [h.id, h.key]));
  const idWidth = Math.min(40, Math.max(4, ...lanes.map((l) => l.id.length)));
  const visible = Math.max(0, height - 1);
  const top = clampWindow(index - visible + 1, visible, lanes.length);
  const rows = lanes.slice(top, top + visible).map((lane, i) => {
    const at = top + i === index;
    const style = LANE_STATE_STYLE[lane.state];
    const key = keys.get(lane.id);
    const tail = `  ${lane.kind.padEnd(8)} ${lane.state}${lane.port !== null ? ` :${lane.port}` : ''}${lane.detail ? ` — ${lane.detail}` : ''}`;
    const segs: Segment[] = [
      { text: at ? ' › ' : '   ', bold: true },
      { text: key ? `[${key}] ` : '    ', dim: true },
      { text: `${style.glyph} `, color: style.color },
      { text: fit(lane.id, idWidth), bold: lane.id === resident, inverse: at },
      { text: fit(tail, Math.max(0, width - idWidth - 9)) },
    ];
    return <Line key={lane.id} segments={segs} />;
  });
  return (
    <Box flexDirection="column" width={width}>
      <Line segments={[{ text: fit(' Swap lane — ↑/↓ choose · enter swap · esc close', width), bold: true }]} />
      {lanes.length === 0 ? <Line segments={[{ text: '   no lanes in the manifest', dim: true }]} /> : rows}
    </Box>
  );
}
