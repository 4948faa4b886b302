// The lanes × harnesses summary above a task run's matrix: one row per lane, one column per
// harness, each cell `pass% graded/planned` (harness-bench's table, live). The cell running now
// is cyan; a cell not started yet is not there (the run announces cells as it reaches them).
import { clipSegments, fit, fitRight, pctTight, truncateMiddle, type Segment } from './format.js';
import type { CellSummary } from './runView.js';

const MIN_LANE = 8;
const MAX_LANE = 18;
/** `100% 12/12` and a gap. */
const MIN_CELL = 11;

/** What a cell says: `100% 2/2`, or `— 0/2` before its first graded trial. */
export function cellText(c: CellSummary): string {
  return `${c.graded > 0 ? pctTight(c.passes / c.graded) : '—'} ${c.graded}/${c.planned}`;
}

/** Lines the summary takes for these cells (title and a row per lane); 0 for a prompt run. */
export function summaryRows(cells: readonly CellSummary[]): number {
  return cells.length === 0 ? 0 : 1 + new Set(cells.map((c) => c.lane)).size;
}

/** The summary's lines, each at most `width` wide; `current` is the cell running now. */
export function summaryLines(cells: readonly CellSummary[], width: number, current: CellSummary | null): Segment[][] {
  if (cells.length === 0) return [];
  const lanes = [...new Set(cells.map((c) => c.lane))];
  const harnesses = [...new Set(cells.map((c) => c.harness))];
  const laneWidth = Math.max(MIN_LANE, Math.min(MAX_LANE, ...lanes.map((l) => l.length + 1)));
  const cellWidth = Math.max(MIN_CELL, ...harnesses.map((h) => h.length + 2), ...cells.map((c) => cellText(c).length + 2));
  const fits = Math.max(1, Math.floor((width - laneWidth - 4) / cellWidth));
  const shown = harnesses.length <= fits ? harnesses : harnesses.slice(0, fits);
  const more = harnesses.length - shown.length;
  const tail = (segs: Segment[]): Segment[] => (more > 0 ? [...segs, { text: ` +${more}`, dim: true }] : segs);
  const title = tail([{ text: fit('lane', laneWidth), bold: true }, ...shown.map((h): Segment => ({ text: fitRight(truncateMiddle(h, cellWidth - 1), cellWidth), bold: true }))]);
  const rows = lanes.map((lane) =>
    tail([
      { text: fit(truncateMiddle(lane, laneWidth - 1), laneWidth) },
      ...shown.map((harness): Segment => {
        const cell = cells.find((c) => c.lane === lane && c.harness === harness);
        const now = current !== null && current.lane === lane && current.harness === harness;
        return { text: fitRight(cell ? cellText(cell) : '·', cellWidth), ...(now ? { color: 'cyan' } : {}), dim: !cell };
      }),
    ]),
  );
  return [title, ...rows].map((line) => clipSegments(line, width));
}
