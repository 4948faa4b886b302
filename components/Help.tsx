import { Box } from 'ink';
import { fit, stringWidth, truncate, type Segment } from '../src/cockpit/format.js';
import { legendLines } from '../src/cockpit/gauges.js';
import { Line } from './Line.js';

/**
 * Every key and what it does. Written to fit one line each at 80 columns (the cockpit's smallest
 * size) beside the key column; a longer one wraps under itself rather than being cut.
 */
export const HELP_KEYS: readonly (readonly [key: string, what: string])[] = [
  ['1-9, d', 'swap to that lane (d: the demo lane); asks first during a run'],
  ['s', 'lane menu: ↑/↓ choose, enter swap, esc close'],
  ['r', 'run the suite on the resident lane (and each picked harness)'],
  ['h', 'task suites: pick harnesses (↑/↓, space picks, enter/esc done)'],
  ['p', 'pause / resume the run (attempts in flight finish)'],
  ['o', 'queue run: the lane due next goes to the end of the queue'],
  ['x', 'stop the run (attempts done are kept; run --resume carries on)'],
  ['e', 'the last warning or error in full (↑/↓ scroll, esc back)'],
  ['↑ ↓ ← →, j k', 'move the cursor in the matrix; pgup/pgdn by a page'],
  ['f', 'follow the newest attempt again'],
  ['enter', 'open the attempt under the cursor (↑/↓/space scroll, esc back)'],
  ['l', 'leaderboard: ranks and pass rates; tab: frontier, heatmap'],
  ['?', 'this help (esc back)'],
  ['q, ctrl+c', 'quit: stops a run started here and the demo lane; real lanes stay up, an attached run goes on'],
  ['m, x, esc', 'a swap asks: m moves the run, x stops it and swaps, esc cancels'],
];

/** Cells before a key's description: two spaces, the key column, a space. */
const KEY_COLUMN = 14;
const INDENT = 2 + KEY_COLUMN;

/** `text` broken at spaces into lines of at most `width` cells (a word wider than that is cut). */
export function wrapWords(text: string, width: number): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (stringWidth(next) <= width) line = next;
    else {
      if (line) lines.push(line);
      line = truncate(word, width);
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Every key, the swap question's answers and the cell legend; descriptions wrap, never cut. */
export function Help({ width, height }: { width: number; height: number }) {
  const room = Math.max(1, width - INDENT);
  const keyLines = HELP_KEYS.flatMap(([key, what]): Segment[][] =>
    wrapWords(what, room).map((part, i): Segment[] => [{ text: i === 0 ? `  ${key.padEnd(KEY_COLUMN)}` : ' '.repeat(INDENT), bold: i === 0 }, { text: part }]),
  );
  const lines: Segment[][] = [
    [{ text: fit(' Keys', width), bold: true }],
    ...keyLines,
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
