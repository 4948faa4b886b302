// How the cockpit divides the terminal. All sizes are in cells; the frame never exceeds them.

export interface FrameLayout {
  width: number;
  /**
   * Lines drawn: one less than the terminal. A frame as tall as the terminal makes Ink clear
   * the whole screen on every render (flicker), so the last terminal line stays empty.
   */
  height: number;
  /** Lines between the header and the three footer lines (status, lane bar, keys). */
  bodyRows: number;
}

export interface MatrixLayout {
  /** Width of the matrix (left of the gauges). */
  width: number;
  /** Width of the gauges column (0: hidden on narrow terminals) and of the separator before it. */
  gaugeWidth: number;
  separatorWidth: number;
  promptWidth: number;
  /** Cells per attempt column (glyph + spacing). */
  cellWidth: number;
  /** Attempt columns that fit; the matrix windows horizontally around the cursor past this. */
  visibleAttempts: number;
  /** Prompt rows that fit under the matrix's title row. */
  visibleRows: number;
}

export const FOOTER_LINES = 3;
export const HEADER_LINES = 1;
/** pass, agree and p50 columns. */
export const STATS_WIDTH = 18;
const MIN_PROMPT = 12;
const MAX_PROMPT = 40;

export function frameLayout(columns: number, rows: number): FrameLayout {
  const width = Math.max(1, Math.floor(columns));
  const height = Math.max(1, Math.floor(rows) - 1);
  return { width, height, bodyRows: Math.max(0, height - HEADER_LINES - FOOTER_LINES) };
}

/** The matrix screen's columns for a body of `frameWidth` × `bodyRows` and N attempts. */
export function matrixLayout(frameWidth: number, bodyRows: number, n: number): MatrixLayout {
  const gaugeWidth = frameWidth >= 110 ? 36 : frameWidth >= 70 ? 28 : 0;
  const separatorWidth = gaugeWidth ? 3 : 0;
  const width = frameWidth - gaugeWidth - separatorWidth;
  const attempts = Math.max(1, n);
  const forCells = width - STATS_WIDTH - MIN_PROMPT;
  const cellWidth = forCells >= attempts * 3 ? 3 : 2;
  const visibleAttempts = Math.max(1, Math.min(attempts, Math.floor(forCells / cellWidth)));
  const promptWidth = Math.max(1, Math.min(MAX_PROMPT, width - STATS_WIDTH - visibleAttempts * cellWidth));
  // On wide terminals the matrix stops growing; the gauges take what it leaves.
  const used = Math.min(width, promptWidth + visibleAttempts * cellWidth + STATS_WIDTH);
  return {
    width: used,
    gaugeWidth: gaugeWidth ? gaugeWidth + width - used : 0,
    separatorWidth,
    promptWidth,
    cellWidth,
    visibleAttempts,
    visibleRows: Math.max(0, bodyRows - 1),
  };
}

/** Event log rows (its title included) the matrix screen keeps when the body has room. */
export const MIN_LOG_ROWS = 4;
/** Below this many body rows the event log gives its space to the matrix. */
const LOG_BELOW_ROWS = 14;

/**
 * Splits the matrix screen's body into the matrix-and-gauges part (as tall as it needs, or all
 * but MIN_LOG_ROWS) and the event log under it, which gets every row left over.
 */
export function bodySplit(bodyRows: number, topWanted: number): { topRows: number; logRows: number } {
  if (bodyRows < LOG_BELOW_ROWS) return { topRows: bodyRows, logRows: 0 };
  const topRows = Math.max(0, Math.min(topWanted, bodyRows - MIN_LOG_ROWS));
  return { topRows, logRows: bodyRows - topRows };
}

/** First of `visible` items to show so that the window stays inside `total`. */
export function clampWindow(start: number, visible: number, total: number): number {
  return Math.max(0, Math.min(start, total - visible));
}

/** First attempt column to show so that the cursor's column is visible. */
export function attemptWindow(cursorCol: number, visible: number, total: number): number {
  return clampWindow(Math.max(0, cursorCol - visible + 1), visible, total);
}
