import { Box } from 'ink';
import { fit, type Segment } from '../src/cockpit/format.js';
import { legendLines } from '../src/cockpit/gauges.js';
import { Line } from './Line.js';

const KEYS: [string, string][] = [
  ['1-9, d', 'swap to that lane (d: the demo lane); asks first while a run is active'],
  ['s', 'lane menu: ↑/↓ choose, enter swap, esc close'],
  ['r', 'run the suite on the resident lane (a task suite: under each picked harness)'],
  ['h', 'task suites: pick harnesses (↑/↓ choose, space pick, enter/esc done)'],
  ['p', 'pause / resume the run (attempts in flight finish)'],
  ['o', 'queue run: the lane due next goes to the end of the queue'],
  ['x', 'stop the run (finished attempts are kept; brainbench run --resume carries it on)'],
  ['e', 'the last warning or error in full (↑/↓ scroll, esc back)'],
  ['↑ ↓ ← →, j k', 'move the cursor in the matrix; pgup/pgdn by a page'],
  ['f', 'follow the newest attempt again'],
  ['enter', 'open the attempt under the cursor (↑/↓/space scroll, esc back)'],
  ['l', 'leaderboard: ranks, per-prompt pass rates; tab: frontier, heatmap'],
  ['?', 'this help (esc back)'],
  ['q, ctrl+c', 'quit: stops a run started here and the demo lane; real lanes stay up, an attached run goes on'],
];

const CONFIRM = 'Swap during a run: m moves the run to the new lane · x stops the run, then swaps · esc cancels';

/** Every key, the confirm choices and the cell legend, cut to the space given. */
export function Help({ width, height }: { width: number; height: number }) {
  const lines: Segment[][] = [
    [{ text: fit(' Keys', width), bold: true }],
    ...KEYS.map(([key, what]): Segment[] => [{ text: `  ${key.padEnd(15)}`, bold: true }, { text: fit(what, Math.max(0, width - 17)) }]),
    [{ text: fit(` ${CONFIRM}`, width) }],
    [{ text: fit(' Legend', width), bold: true }],
    ...legendLines(width - 2).map((l): Segment[] => [{ text: '  ' }, ...l]),
  ];
  return (
    <Box flexDirection="column" width={width}>
      {lines.slice(0, height).map((segments, i) => (
        <Line key={i} segments={segments} />
      ))}
    </Box>
  );
}
