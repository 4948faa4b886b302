// The cockpit's symbols and colours (Ink colour names), one place for the matrix, lane bar and legend.
import type { TrialOutcome } from '../tasks/types.js';
import type { LaneState, Outcome } from '../types.js';

/** A cell of a prompt run (Outcome) or of a task run, whose rows are tasks (TrialOutcome). */
export type CellStatus = 'pending' | 'running' | Outcome | TrialOutcome;

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** Glyph and colour of a finished or pending cell (running cells draw a spinner frame). */
export const CELL_STYLE: Record<Exclude<CellStatus, 'running'>, { glyph: string; color: string; label: string }> = {
  pending: { glyph: '·', color: 'gray', label: 'pending' },
  pass: { glyph: '✓', color: 'green', label: 'pass' },
  wrong_answer: { glyph: '✗', color: 'red', label: 'wrong' },
  no_tool_call: { glyph: '✗', color: 'yellow', label: 'no tool' },
  format_error: { glyph: '✗', color: 'magenta', label: 'format' },
  runaway: { glyph: '∞', color: 'blue', label: 'runaway' },
  lane_error: { glyph: '!', color: 'redBright', label: 'lane err' },
  // task trials (§12, §13)
  grader_fail: { glyph: '✗', color: 'red', label: 'failed' },
  no_tool_calls: { glyph: '✗', color: 'yellow', label: 'no tools' },
  timeout: { glyph: '∞', color: 'blue', label: 'timeout' },
  harness_error: { glyph: '!', color: 'magenta', label: 'harness err' },
  grader_error: { glyph: '!', color: 'yellow', label: 'grader err' },
};

export const RUNNING_COLOR = 'cyan';

/** The legend, in the order the help and the gauges column show it. */
export const LEGEND_ORDER: Exclude<CellStatus, 'running' | 'pending'>[] = [
  'pass',
  'wrong_answer',
  'no_tool_call',
  'format_error',
  'runaway',
  'lane_error',
];

export const LANE_STATE_STYLE: Record<LaneState, { glyph: string; color: string }> = {
  ready: { glyph: '●', color: 'green' },
  starting: { glyph: '◐', color: 'yellow' },
  stopping: { glyph: '◐', color: 'yellow' },
  stopped: { glyph: '○', color: 'gray' },
  crashed: { glyph: '✗', color: 'red' },
  error: { glyph: '✗', color: 'red' },
  foreign: { glyph: '◌', color: 'magenta' },
};
