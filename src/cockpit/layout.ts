// How the cockpit divides the terminal. All sizes are in cells; the frame never exceeds them.
import { legendLines } from './gauges.js';

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
  /** Columns right of the gauges that neither the matrix nor the gauges use (wide terminals). */
  spareWidth: number;
}

export const FOOTER_LINES = 3;
export const HEADER_LINES = 1;
/** pass, agree and p50 columns. */
export const STATS_WIDTH = 18;
const MIN_PROMPT = 12;
const MAX_PROMPT = 40;
/** Past this the gauges' bars and sparklines only get longer, not more readable. */
const MAX_GAUGES = 44;
/** A log beside the gauges narrower than this reads worse than one under the matrix. */
const MIN_SIDE_LOG = 60;

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
  // On wide terminals the matrix stops growing; the gauges take what it leaves, up to MAX_GAUGES.
  const used = Math.min(width, promptWidth + visibleAttempts * cellWidth + STATS_WIDTH);
  const gauges = gaugeWidth ? Math.min(MAX_GAUGES, gaugeWidth + width - used) : 0;
  return {
    width: used,
    gaugeWidth: gauges,
    separatorWidth,
    promptWidth,
    cellWidth,
    visibleAttempts,
    visibleRows: Math.max(0, bodyRows - 1),
    spareWidth: gaugeWidth ? frameWidth - used - separatorWidth - gauges : 0,
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

/** Gauge lines at most (GPU, sparkline, temperature, memory, tok/s, probe, attempt, ETA). */
const GAUGE_LINES = 8;

export interface MatrixScreenLayout {
  matrix: MatrixLayout;
  /** Rows of the matrix and the gauges. */
  topRows: number;
  /** Rows of the event log under them (0: none there). */
  logRows: number;
  /** Width of the event log beside the gauges, after a separator (0: none there). */
  sideLogWidth: number;
}

/**
 * The matrix screen: matrix and gauges, with the event log under them. On a wide terminal, when
 * the log under them would cut matrix rows (a long suite, a short terminal), the log goes beside
 * the gauges instead, in the width the matrix and the gauges do not need.
 */
export function matrixScreenLayout(frameWidth: number, bodyRows: number, n: number, promptRows: number): MatrixScreenLayout {
  const full = matrixLayout(frameWidth, bodyRows, n);
  const gaugeRows = full.gaugeWidth ? GAUGE_LINES + 1 + legendLines(full.gaugeWidth).length : 0;
  const { topRows, logRows } = bodySplit(bodyRows, Math.max(promptRows, gaugeRows));
  const beside = full.spareWidth - full.separatorWidth;
  if ((topRows < promptRows || logRows === 0) && beside >= MIN_SIDE_LOG) return { matrix: full, topRows: bodyRows, logRows: 0, sideLogWidth: beside };
  return { matrix: matrixLayout(frameWidth, topRows, n), topRows, logRows, sideLogWidth: 0 };
}

/** First of `visible` items to show so that the window stays inside `total`. */
export function clampWindow(start: number, visible: number, total: number): number {
  return Math.max(0, Math.min(start, total - visible));
}

/** First attempt column to show so that the cursor's column is visible. */
export function attemptWindow(cursorCol: number, visible: number, total: number): number {
  return clampWindow(Math.max(0, cursorCol - visible + 1), visible, total);
}
