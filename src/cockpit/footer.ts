// The footer's status line and key line, both following the state: what a key would do now is
// on screen, what it would refuse is not.
import type { CockpitData } from '../store.js';
import { oneLine } from '../safeText.js';
import { fit, segmentsWidth, stringWidth, truncate, truncateMiddle, truncateWords, type Segment } from './format.js';
import { CELL_STYLE } from './glyphs.js';
import { shortLaneIds } from './lanes.js';
import { RUN_STATE_COLOR, runState, type RunState } from './runView.js';

const LEVEL_COLOR = { info: undefined, warn: 'yellow', error: 'red' } as const;
export const FULL_ERROR_HINT = 'e: full error';

/** The keys that act in this state, most useful first; `harnesses`: the suite is a task suite (the `h` picker). */
export function keyItems(state: RunState | null, attached: boolean, harnesses = false): string[] {
  const live = state === 'running' || state === 'paused';
  const run = live ? [state === 'paused' ? 'p resume' : 'p pause', 'x stop'] : attached ? [] : ['r run', ...(harnesses ? ['h harnesses'] : [])];
  return [...(attached ? [] : ['s swap']), ...run, ...(attached && live ? ['o defer lane'] : []), 'enter detail', 'l leaders', '? help', 'q quit'];
}

/**
 * The key line; attached to a detached run it opens with that run's id and what q does, never
 * cut (keys are dropped from the end instead, `? help` lists them all).
 */
export function keyLineSegments(state: RunState | null, attached: string | null, width: number, harnesses = false): Segment[] {
  const items = keyItems(state, attached !== null, harnesses).map((k) => (attached && k === 'q quit' ? 'q leave' : k));
  const label = attached ? ` attached to run ${attached} (q leaves it running)` : '';
  const segs: Segment[] = label ? [{ text: label, bold: true }] : [];
  let used = stringWidth(label);
  for (const item of items) {
    const text = used === 0 ? ` ${item}` : ` · ${item}`;
    if (used + stringWidth(text) > width) break;
    segs.push({ text, dim: true });
    used += stringWidth(text);
  }
  return segs.length ? segs : [{ text: truncate(label, width), bold: true }];
}

/** What the cell under the cursor is: `p2_multistep_chain #3 ✗ wrong_answer: missing keys [os]`. */
export function cursorCellText(s: Pick<CockpitData, 'run' | 'cursor'>): string | null {
  const row = s.run?.prompts[s.cursor.row];
  if (!row) return null;
  if (row.skipped) return `${row.id}: skipped (${row.skipped})`;
  const cell = s.run!.cells[s.cursor.row]?.[s.cursor.col];
  const head = `${row.id} #${s.cursor.col + 1}`;
  if (!cell || cell.status === 'pending') return `${head} pending`;
  if (cell.status === 'running' || !cell.record) return `${head} running`;
  const r = cell.record;
  return `${head} ${CELL_STYLE[cell.status].glyph} ${r.outcome}: ${oneLine(r.error || r.why)}`;
}

export type StatusInput = Pick<CockpitData, 'run' | 'cursor' | 'quitting' | 'view' | 'pendingSwap' | 'notice' | 'lastError' | 'attached'> & {
  /** The lanes, for the swap question's short lane name; without them the full id is shortened. */
  lanes?: CockpitData['lanes'];
};

/** The swap question's wordings, longest first; each names the lane and every answer key. */
const SWAP_QUESTIONS: ((lane: string) => string)[] = [
  (lane) => ` Run active. [m] move the run to ${lane} · [x] stop the run and swap · [esc] cancel`,
  (lane) => ` Run active. Swap to ${lane}? [m] move run · [x] stop run, swap · [esc] cancel`,
  (lane) => ` Swap to ${lane}? [m] move run · [x] stop run, swap · [esc] cancel`,
];

/**
 * The question a swap during a run asks, whole in `width`: the answer keys ([m], [x], [esc]) are
 * never cut; the wording gets shorter first, then the lane's name (its short name, then cut in
 * the middle).
 */
export function swapQuestion(lane: string, laneIds: readonly string[], width: number): string {
  const short = shortLaneIds(laneIds.includes(lane) ? laneIds : [...laneIds, lane]).get(lane) ?? lane;
  const names = short === lane ? [lane] : [lane, short];
  for (const name of names) for (const ask of SWAP_QUESTIONS) if (stringWidth(ask(name)) <= width) return ask(name);
  const last = SWAP_QUESTIONS[SWAP_QUESTIONS.length - 1]!;
  const room = Math.max(1, width - stringWidth(last('')));
  return last(truncateMiddle(short, room));
}

/** The status line: a question or key feedback when there is one, else run state and the cell under the cursor. */
export function statusSegments(s: StatusInput, width: number): Segment[] {
  const asking = s.view === 'confirm' && s.pendingSwap !== null;
  // while the swap question waits only m, x and esc act, so the `e` hint would promise nothing
  const hint: Segment[] = s.lastError && s.view !== 'error' && !asking ? [{ text: `  ${FULL_ERROR_HINT} `, color: LEVEL_COLOR[s.lastError.level], bold: true }] : [];
  const room = Math.max(0, width - segmentsWidth(hint));
  let left: Segment[];
  if (s.quitting) left = [{ text: s.attached ? ' leaving; the run goes on' : ' quitting: stopping what the cockpit started…', color: 'yellow' }];
  else if (asking)
    left = [{ text: swapQuestion(s.pendingSwap!, (s.lanes ?? []).map((l) => l.id), room), color: 'yellow', bold: true }];
  else if (s.notice) left = [{ text: ` ${oneLine(s.notice.message)}`, color: LEVEL_COLOR[s.notice.level] }];
  else {
    const state = runState(s.run);
    left = [];
    if (state) {
      const reason = s.run!.final?.reason;
      const inFlight = s.run!.running > 0 ? ' (attempts in flight finish)' : '';
      const why = state === 'paused' ? `: ${s.run!.pausedReason}${inFlight} · p resumes` : reason ? `: ${reason}` : '';
      left.push({ text: ` ${state}${oneLine(why)}`, color: RUN_STATE_COLOR[state], bold: true });
    }
    const cell = cursorCellText(s);
    if (cell) left.push({ text: `${left.length ? ' · ' : ' '}${cell}` });
  }
  const text = left.map((l) => l.text).join('');
  if (stringWidth(text) <= room) return [...left, { text: ' '.repeat(room - stringWidth(text)) }, ...hint];
  // too long: cut the last piece so the hint stays whole
  const out: Segment[] = [];
  let used = 0;
  for (const seg of left) {
    const w = Math.min(stringWidth(seg.text), room - used);
    if (w <= 0) break;
    out.push({ ...seg, text: fit(truncateWords(seg.text, w), w) });
    used += w;
  }
  return [...out, ...hint];
}
