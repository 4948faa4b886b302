import { Box } from 'ink';
import { memo, useEffect } from 'react';
import { fit, fitRight, pctTight, seconds, type Segment } from '../src/cockpit/format.js';
import { CELL_STYLE, RUNNING_COLOR, SPINNER_FRAMES } from '../src/cockpit/glyphs.js';
import { attemptWindow, clampWindow, STATS_WIDTH, type MatrixLayout } from '../src/cockpit/layout.js';
import { summaryLines } from '../src/cockpit/matrixSummary.js';
import { cellSummary, isRunActive, runCells, type Cell, type RowStats, type RunView } from '../src/cockpit/runView.js';
import type { PlannedPrompt } from '../src/types.js';
import { useCockpit, useCockpitWith, usePulse } from './context.js';
import { Line } from './Line.js';

interface RowProps {
  prompt: PlannedPrompt;
  cells: readonly Cell[];
  stats: RowStats;
  /** The cursor's column when the cursor is on this row, else -1. */
  cursorCol: number;
  /** Spinner frame; 0 for rows with nothing running, so they do not re-render on the pulse. */
  frame: number;
  colStart: number;
  layout: MatrixLayout;
}

function cellSegment(cell: Cell | undefined, frame: number, width: number, inverse: boolean): Segment {
  const status = cell?.status ?? 'pending';
  const pad = ' '.repeat(width - 1);
  if (status === 'running') return { text: SPINNER_FRAMES[frame % SPINNER_FRAMES.length] + pad, color: RUNNING_COLOR, inverse };
  const style = CELL_STYLE[status];
  return { text: style.glyph + pad, color: style.color, inverse };
}

function rowSegments({ prompt, cells, stats, cursorCol, frame, colStart, layout }: RowProps): Segment[] {
  const onCursorRow = cursorCol >= 0;
  const segs: Segment[] = [{ text: `${fit(prompt.id, layout.promptWidth - 1)} `, bold: onCursorRow }];
  const cellsWidth = layout.visibleAttempts * layout.cellWidth;
  if (prompt.skipped) {
    segs.push({ text: fit(` skipped (${prompt.skipped})`, cellsWidth + STATS_WIDTH), dim: true });
    return segs;
  }
  for (let col = colStart; col < colStart + layout.visibleAttempts; col++) {
    if (col >= cells.length) segs.push({ text: ' '.repeat(layout.cellWidth) });
    else segs.push(cellSegment(cells[col], frame, layout.cellWidth, col === cursorCol));
  }
  const ran = stats.runs > 0;
  segs.push({ text: fitRight(ran ? `${stats.passCount}/${stats.runs}` : '', 6) });
  segs.push({ text: fitRight(ran ? pctTight(stats.agreement) : '', 6) });
  segs.push({ text: fitRight(ran ? seconds(stats.p50) : '', 6) });
  return segs;
}

const sameStatuses = (a: readonly Cell[], b: readonly Cell[]) =>
  a === b || (a.length === b.length && a.every((cell, i) => cell.status === b[i]!.status));

/** Runs that draw the same matrix: token progress changes cells but nothing drawn here. */
function sameDrawnRun(a: RunView | null, b: RunView | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.prompts !== b.prompts || a.stats !== b.stats || a.n !== b.n) return false;
  return a.cells.length === b.cells.length && a.cells.every((row, i) => sameStatuses(row, b.cells[i]!));
}

function sameRow(a: RowProps, b: RowProps): boolean {
  if (a.prompt !== b.prompt || a.stats !== b.stats || a.cursorCol !== b.cursorCol || a.frame !== b.frame) return false;
  return a.colStart === b.colStart && a.layout === b.layout && sameStatuses(a.cells, b.cells);
}

const MatrixRow = memo(function MatrixRow(props: RowProps) {
  return <Line segments={rowSegments(props)} />;
}, sameRow);

/** `rows`: what a row is — a prompt, or a task in a task run (one with a harness). */
function titleSegments(layout: MatrixLayout, colStart: number, n: number, top: number, shown: number, total: number, rows: string): Segment[] {
  const range = shown < total ? ` ${top + 1}–${top + shown}/${total}` : '';
  const segs: Segment[] = [{ text: `${fit(`${rows}${range}`, layout.promptWidth - 1)} `, bold: true }];
  let numbers = '';
  for (let col = colStart; col < colStart + layout.visibleAttempts; col++) {
    numbers += col < n ? fit(String(col + 1), layout.cellWidth) : ' '.repeat(layout.cellWidth);
  }
  segs.push({ text: numbers, dim: true });
  segs.push({ text: fitRight('pass', 6) + fitRight('agree', 6) + fitRight('p50', 6), bold: true });
  return segs;
}

const NO_PICK: string[] = [];

export function Matrix({ layout }: { layout: MatrixLayout }) {
  const run = useCockpitWith((s) => s.run, sameDrawnRun);
  const cursor = useCockpit((s) => s.cursor);
  const scroll = useCockpit((s) => s.scroll);
  const resident = useCockpit((s) => s.resident);
  const suite = useCockpit((s) => s.suite);
  // a task suite: the harnesses r runs it under (none for a prompt suite)
  const pick = useCockpit((s) => (s.harnessOptions.length > 0 ? s.harnessPick : NO_PICK));
  const setViewport = useCockpit((s) => s.setViewport);
  const pulse = usePulse();

  // a task run: the lanes × harnesses summary over the tasks × attempts rows of the current cell
  const summary = run ? summaryLines(runCells(run), layout.width, isRunActive(run) ? cellSummary(run) : null) : [];
  const visibleRows = Math.max(0, layout.visibleRows - summary.length);
  useEffect(() => setViewport({ matrixRows: visibleRows }), [visibleRows, setViewport]);

  if (!run) {
    return (
      <Box flexDirection="column" width={layout.width}>
        <Line segments={[{ text: 'No run yet.', bold: true }]} />
        <Line segments={[{ text: fit(`Press r to run ${suite ?? 'the suite'} on ${resident ?? 'the resident lane'}; 1-9 / d / s pick a lane.`, layout.width) }]} />
        {pick.length > 0 && <Line segments={[{ text: fit(`Harnesses: ${pick.join(', ')} (h picks).`, layout.width) }]} />}
      </Box>
    );
  }
  const total = run.prompts.length;
  const shown = Math.min(total, visibleRows);
  const top = clampWindow(scroll, shown, total);
  const columns = Math.max(run.n, ...run.cells.slice(top, top + shown).map((c) => c.length));
  const colStart = attemptWindow(cursor.col, layout.visibleAttempts, columns);
  const rows = [];
  for (let row = top; row < top + shown; row++) {
    const cells = run.cells[row]!;
    rows.push(
      <MatrixRow
        key={run.prompts[row]!.id}
        prompt={run.prompts[row]!}
        cells={cells}
        stats={run.stats[row]!}
        cursorCol={row === cursor.row ? cursor.col : -1}
        frame={cells.some((c) => c.status === 'running') ? pulse : 0}
        colStart={colStart}
        layout={layout}
      />,
    );
  }
  return (
    <Box flexDirection="column" width={layout.width}>
      {summary.map((segments, i) => (
        <Line key={`summary-${i}`} segments={segments} />
      ))}
      {layout.visibleRows > summary.length && <Line segments={titleSegments(layout, colStart, columns, top, shown, total, run.harness ? `${run.harness} · task` : 'prompt')} />}
      {rows}
    </Box>
  );
}
