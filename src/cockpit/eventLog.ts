// The event log under the matrix: attempt outcomes with their reasons, lane state changes,
// pauses and warnings, newest last, one screen line each (`e` shows the last problem in full).
import wrapAnsi from 'wrap-ansi';
import { oneLine, stripControl } from '../safeText.js';
import type { RunRecord } from '../types.js';
import { fit, hms, seconds, truncateWords, type Segment } from './format.js';
import { CELL_STYLE } from './glyphs.js';

interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  at: number;
}

const LEVEL_COLOR = { info: undefined, warn: 'yellow', error: 'red' } as const;

/** One finished attempt as a log line: `p2_multistep_chain #3 ✗ wrong_answer 12 s: missing keys [os]`. */
export function attemptLogLine(r: RunRecord): { level: LogEntry['level']; message: string } {
  const reason = r.outcome === 'pass' ? '' : r.error || r.why;
  return {
    level: r.outcome === 'lane_error' ? 'warn' : 'info',
    message: `${r.prompt_id} #${r.attempt} ${CELL_STYLE[r.outcome].glyph} ${r.outcome} ${seconds(r.wall_s)}${reason ? `: ${reason}` : ''}`,
  };
}

/** Local time of day as hh:mm:ss. */
function timeOfDay(at: number): string {
  const d = new Date(at);
  return hms(d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds());
}

/** One entry as a screen line of `width`: time of day, then the message cut at a word. */
export function eventLogLine(e: LogEntry, width: number): Segment[] {
  const room = Math.max(0, width - 9);
  return [
    { text: `${timeOfDay(e.at)} `, dim: true },
    { text: fit(truncateWords(oneLine(e.message), room), room), color: LEVEL_COLOR[e.level] },
  ];
}

/** The whole of one entry, wrapped to `width` (hard-wrapping long ids and paths), for the `e` view. */
export function fullEntryLines(entry: LogEntry, width: number): Segment[] {
  const inner = Math.max(1, width - 2);
  const head: Segment = { text: fit(` ${entry.level === 'error' ? 'error' : 'warning'} at ${timeOfDay(entry.at)}`, width), bold: true, color: LEVEL_COLOR[entry.level] };
  const body = wrapAnsi(stripControl(entry.message).replace(/\t/g, '  '), inner, { hard: true, trim: false })
    .split('\n')
    .map((line): Segment => ({ text: `  ${line}` }));
  return [head, ...body];
}
