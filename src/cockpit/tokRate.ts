// The live tok/s gauge: the aggregate decode rate of the attempts in flight over a short sliding
// window, from attempt.progress events' completionTokens.
//
// Only the time spent decoding counts. Between two progress reports of one attempt the tokens
// came from one uninterrupted stream when the later report carries a turn-local rate (the agent
// sends tokPerSec = null on a turn's first token and on its closing report); a gap that held
// prompt processing, a tool call or the next attempt's set-up is left out, so a 40 tok/s lane
// reads 40, not 40 × the share of time spent decoding. Streams that overlap in time add up:
// the rate is the tokens of every decode span in the window over the union of those spans.

/** Window of decoding activity the rate is taken over. */
export const TOK_WINDOW_MS = 4000;
/** How long the last rate is shown after decoding stops (prompt processing, tools, set-up). */
export const TOK_HOLD_MS = 30_000;
/** Decode spans kept (a bound; the window needs far fewer). */
const MAX_SPANS = 512;

export interface DecodeSpan {
  start: number;
  end: number;
  tokens: number;
}

interface LastReport {
  t: number;
  tokens: number;
  /** The stretch since the report before, held back until the attempt's end tells whether it was its closing one. */
  held: DecodeSpan | null;
}

export interface TokMeter {
  /** Decode spans, oldest first. */
  spans: readonly DecodeSpan[];
  /** Each in-flight attempt's last report. */
  last: ReadonlyMap<string, LastReport>;
}

export const EMPTY_METER: TokMeter = { spans: [], last: new Map() };

function withSpan(spans: readonly DecodeSpan[], span: DecodeSpan): DecodeSpan[] {
  const next = spans.length >= MAX_SPANS ? spans.slice(spans.length - MAX_SPANS + 1) : spans.slice();
  next.push(span);
  return next;
}

/**
 * Adds one progress report of attempt `key` at time `t`. `midStream`: the report carries a rate,
 * so the tokens since the attempt's previous report were decoded without a pause. A report
 * without one opens a turn (the stretch before it held a pause) or closes the attempt (the
 * stretch before it was the last turn's tail): meterEnd tells which.
 */
export function meterProgress(m: TokMeter, key: string, t: number, tokens: number, midStream: boolean): TokMeter {
  const prev = m.last.get(key);
  const span = prev && tokens > prev.tokens && t > prev.t ? { start: prev.t, end: t, tokens: tokens - prev.tokens } : null;
  const last = new Map(m.last);
  last.set(key, { t, tokens, held: midStream ? null : span });
  return { spans: span && midStream ? withSpan(m.spans, span) : m.spans, last };
}

/** An attempt ended: its last report was its closing one, so the stretch before it was decoding. */
export function meterEnd(m: TokMeter, key: string): TokMeter {
  const report = m.last.get(key);
  if (!report) return m;
  const last = new Map(m.last);
  last.delete(key);
  return { spans: report.held ? withSpan(m.spans, report.held) : m.spans, last };
}

/**
 * Tokens per second over the last `windowMs` of decoding, or null when nothing has decoded for
 * TOK_HOLD_MS before `now` (the gauge then shows a dash, not a stale figure).
 */
export function decodeRate(m: TokMeter, now: number, windowMs = TOK_WINDOW_MS): number | null {
  if (m.spans.length === 0) return null;
  // spans arrive nearly in time order (a closing stretch is added at its attempt's end)
  const newestEnd = Math.max(...m.spans.slice(-8).map((s) => s.end));
  if (now - newestEnd > TOK_HOLD_MS) return null;
  const from = newestEnd - windowMs;
  const inWindow = m.spans.filter((s) => s.end > from).map((s) => {
    const start = Math.max(s.start, from);
    return { start, end: s.end, tokens: (s.tokens * (s.end - start)) / (s.end - s.start) };
  });
  const tokens = inWindow.reduce((sum, s) => sum + s.tokens, 0);
  const busy = unionLength(inWindow);
  return busy > 0 ? (tokens * 1000) / busy : null;
}

/** Total length covered by a set of intervals. */
function unionLength(intervals: readonly { start: number; end: number }[]): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const { start, end } of sorted) {
    if (start > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = start;
      curEnd = end;
    } else if (end > curEnd) curEnd = end;
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}
