// The engine's one live decode rate (DESIGN §16): fed by attempt.progress events (the builtin loop,
// the recording proxy), it emits a throttled `lane.rate` event that every watcher reads — the
// in-process cockpit, events.jsonl for an attached one, status.json and --json.
//
// Only the time spent decoding counts. Between two progress reports of one attempt the tokens
// came from one uninterrupted stream when the later report carries a turn-local rate (the agent
// sends tokPerSec = null on a turn's first token and on its closing report); a gap that held
// prompt processing, a tool call or the next attempt's set-up is left out, so a 40 tok/s lane
// reads 40, not 40 × the share of time spent decoding. Streams that overlap in time add up:
// the rate is the tokens of every decode span in the window over the union of those spans.
import type { EventBus } from '../events.js';
import type { EngineEvent } from '../types.js';

/** Window of decoding activity the rate is taken over. */
export const RATE_WINDOW_MS = 4000;
/** At most one lane.rate per lane this often. */
export const RATE_EMIT_MS = 1000;
/** Nothing decoded for this long: decoding stopped and the figure goes to null (no stale value). */
export const RATE_IDLE_MS = 3000;
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
 * `idleMs` before `now`.
 */
export function decodeRate(m: TokMeter, now: number, windowMs = RATE_WINDOW_MS, idleMs = RATE_IDLE_MS): number | null {
  if (m.spans.length === 0) return null;
  // spans arrive nearly in time order (a closing stretch is added at its attempt's end)
  const newestEnd = Math.max(...m.spans.slice(-8).map((s) => s.end));
  if (now - newestEnd > idleMs) return null;
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

type LaneRateEvent = Extract<EngineEvent, { type: 'lane.rate' }>;

interface LaneRate {
  meter: TokMeter;
  /** Slots started and not yet ended. */
  inFlight: Set<string>;
  lastProgressAt: number;
  paused: boolean;
  /** The lane's own /metrics rate and when it was read. */
  metrics: { tokPerSec: number; at: number } | null;
  /** The figure last emitted (undefined: none yet). */
  sent: number | null | undefined;
}

const slotKey = (promptId: string, attempt: number) => `${promptId}\u0000${attempt}`;
const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

/**
 * Per-lane decode meters over the engine's events. `observe` takes every event; `tick` (once per
 * RATE_EMIT_MS) emits a lane.rate for each lane whose figure changed since the last one it emitted.
 */
export class RateMeter {
  private readonly lanes = new Map<string, LaneRate>();
  /** The lane telemetry samples belong to: the one last started or running. */
  private current: string | null = null;

  constructor(
    private readonly emit: (event: LaneRateEvent) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  private lane(id: string): LaneRate {
    let lane = this.lanes.get(id);
    if (!lane) {
      lane = { meter: EMPTY_METER, inFlight: new Set(), lastProgressAt: -Infinity, paused: false, metrics: null, sent: undefined };
      this.lanes.set(id, lane);
    }
    return lane;
  }

  observe(e: EngineEvent): void {
    switch (e.type) {
      case 'run.start':
        this.current = e.lane;
        Object.assign(this.lane(e.lane), { meter: EMPTY_METER, inFlight: new Set(), paused: false, lastProgressAt: -Infinity, sent: undefined });
        return;
      case 'attempt.start':
        this.lane(e.lane).inFlight.add(slotKey(e.promptId, e.attempt));
        return;
      case 'attempt.progress': {
        const lane = this.lane(e.lane);
        // a report with a rate is mid-stream; one without opens a turn or closes the attempt
        lane.meter = meterProgress(lane.meter, slotKey(e.promptId, e.attempt), this.clock(), e.completionTokens, e.tokPerSec !== null);
        lane.lastProgressAt = this.clock();
        return;
      }
      case 'attempt.end': {
        const lane = this.lane(e.record.lane);
        const key = slotKey(e.record.prompt_id, e.record.attempt);
        lane.meter = meterEnd(lane.meter, key);
        lane.inFlight.delete(key);
        return;
      }
      case 'telemetry': {
        const rate = e.sample.lane?.gen_tokens_per_sec;
        if (this.current && typeof rate === 'number') this.lane(this.current).metrics = { tokPerSec: rate, at: this.clock() };
        return;
      }
      case 'run.paused':
      case 'run.resumed':
        // a pause holds the whole run (the cockpit's may not name a lane)
        for (const lane of this.lanes.values()) lane.paused = e.type === 'run.paused';
        return;
      case 'run.end':
      case 'cell.end':
        Object.assign(this.lane(e.lane), { meter: EMPTY_METER, inFlight: new Set() });
        return;
      case 'run.state':
        // the run is over: nothing decodes on any lane any more
        for (const lane of this.lanes.values()) Object.assign(lane, { meter: EMPTY_METER, inFlight: new Set(), metrics: null });
        return;
      default:
        return;
    }
  }

  /** The lane's figure now: from progress, else from its /metrics when no progress arrives. */
  rate(id: string): Omit<LaneRateEvent, 'type' | 'lane'> {
    const lane = this.lane(id);
    const base = { windowS: RATE_WINDOW_MS / 1000, inFlight: lane.inFlight.size };
    const now = this.clock();
    if (lane.paused) return { ...base, tokPerSec: null, source: 'progress' };
    const fromProgress = decodeRate(lane.meter, now);
    const progressQuiet = now - lane.lastProgressAt > RATE_IDLE_MS;
    const m = lane.metrics;
    // a metrics rate of 0 means nothing decoded since the previous scrape: the figure goes to null
    if (fromProgress === null && progressQuiet && m && now - m.at <= RATE_IDLE_MS && m.tokPerSec > 0) {
      return { ...base, tokPerSec: m.tokPerSec, source: 'metrics' };
    }
    return { ...base, tokPerSec: fromProgress, source: 'progress' };
  }

  /** The meter stops: every lane that still shows a figure is told null (no stale value left behind). */
  close(): void {
    for (const [id, lane] of this.lanes) {
      if (lane.sent === undefined || lane.sent === null) continue;
      lane.sent = null;
      this.emit({ type: 'lane.rate', lane: id, windowS: RATE_WINDOW_MS / 1000, inFlight: 0, source: 'progress', tokPerSec: null });
    }
  }

  tick(): void {
    for (const [id, lane] of this.lanes) {
      const r = this.rate(id);
      const tokPerSec = round1(r.tokPerSec);
      // a lane that never had a figure needs no null
      if (tokPerSec === lane.sent || (lane.sent === undefined && tokPerSec === null)) continue;
      lane.sent = tokPerSec;
      this.emit({ type: 'lane.rate', lane: id, ...r, tokPerSec });
    }
  }
}

/**
 * Feeds a RateMeter from `bus` and emits its lane.rate events on it once per RATE_EMIT_MS. Call it
 * where the bus of a run is made; the returned function stops it and sends a last null for every
 * lane that still shows a figure.
 */
export function attachRateMeter(bus: EventBus, clock: () => number = Date.now, intervalMs = RATE_EMIT_MS): () => void {
  const meter = new RateMeter((e) => bus.emit(e), clock);
  const off = bus.on((e) => meter.observe(e));
  const timer = setInterval(() => meter.tick(), intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    off();
    meter.close();
  };
}
