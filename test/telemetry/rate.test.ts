// The engine's one decode rate over a fake clock: progress reports shaped like the agent's (one
// every 250 ms at most, no rate on a turn's first token and on the closing report), with prompt
// processing between turns and set-up between attempts; and the lane.rate events it emits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../src/events.js';
import { attachRateMeter, decodeRate, EMPTY_METER, meterEnd, meterProgress, RATE_IDLE_MS, RateMeter } from '../../src/telemetry/rate.js';
import type { EngineEvent } from '../../src/types.js';
import { LANES, prompts, record, runStart, sample } from '../cockpit/fixtures.js';

const LANE = LANES[0]!.id;
type RateEvent = Extract<EngineEvent, { type: 'lane.rate' }>;

interface Timed {
  at: number;
  event: EngineEvent;
}

/** One attempt decoding at `rate` tok/s: `turns` turns of `tokens` each, `gapMs` of prompt processing before each. */
function attemptEvents(promptId: string, startAt: number, opts: { rate: number; turns: number; tokens: number; gapMs: number }): { events: Timed[]; endAt: number } {
  const events: Timed[] = [{ at: startAt, event: { type: 'attempt.start', lane: LANE, promptId, attempt: 1, at: '' } }];
  let t = startAt;
  let total = 0;
  let lastReport = -Infinity;
  for (let turn = 0; turn < opts.turns; turn++) {
    t += opts.gapMs;
    const firstAt = t;
    for (let delta = 1; delta <= opts.tokens; delta++) {
      t = firstAt + ((delta - 1) * 1000) / opts.rate;
      if (t - lastReport < 250) continue;
      lastReport = t;
      const tokPerSec = delta > 1 ? (delta - 1) / ((t - firstAt) / 1000) : null;
      events.push({ at: t, event: { type: 'attempt.progress', lane: LANE, promptId, attempt: 1, completionTokens: total + delta, tokPerSec } });
    }
    total += opts.tokens;
  }
  events.push({ at: t + 1, event: { type: 'attempt.progress', lane: LANE, promptId, attempt: 1, completionTokens: total, tokPerSec: null } });
  events.push({ at: t + 5, event: { type: 'attempt.end', record: record(promptId, 1) } });
  return { events, endAt: t + 5 };
}

/** Feeds the events in time order and ticks the meter once a second of fake time; returns what it emitted. */
function emitted(timed: Timed[], promptCount: number, parallel: number, untilMs?: number): RateEvent[] {
  let now = 0;
  const out: RateEvent[] = [];
  const meter = new RateMeter((e) => out.push(e), () => now);
  meter.observe(runStart(prompts(promptCount), { n: 1, parallel }));
  const sorted = [...timed].sort((a, b) => a.at - b.at);
  const end = untilMs ?? sorted[sorted.length - 1]!.at;
  let i = 0;
  for (let tick = 0; tick <= end; tick += 1000) {
    for (; i < sorted.length && sorted[i]!.at <= tick; i++) {
      now = sorted[i]!.at; // each event arrives at its own time
      meter.observe(sorted[i]!.event);
    }
    now = tick;
    meter.tick();
  }
  return out;
}

const SHAPE = { rate: 40, turns: 3, tokens: 30, gapMs: 600 };

function serialRun(count: number): Timed[] {
  const timed: Timed[] = [];
  let at = 0;
  for (const p of prompts(count)) {
    const a = attemptEvents(p.id, at + 300, SHAPE); // 300 ms of set-up between attempts
    timed.push(...a.events);
    at = a.endAt;
  }
  return timed;
}

describe('the engine decode rate (lane.rate)', () => {
  it('reads a 40 tok/s lane at parallel 1 as 40 ± 10 % all through the run, not a running total', () => {
    const rates = emitted(serialRun(8), 8, 1);
    const figures = rates.map((e) => e.tokPerSec).filter((r): r is number => r !== null);
    expect(figures.length).toBeGreaterThan(0);
    for (const r of figures) {
      expect(r).toBeGreaterThanOrEqual(36);
      expect(r).toBeLessThanOrEqual(44);
    }
    expect(rates.every((e) => e.lane === LANE && e.windowS === 4 && e.source === 'progress')).toBe(true);
  });

  it('emits at most one event a second per lane, and only when the figure changes', () => {
    const rates = emitted(serialRun(8), 8, 1);
    const ticks = Math.floor(serialRun(8).at(-1)!.at / 1000) + 1;
    expect(rates.length).toBeLessThanOrEqual(ticks);
    for (let i = 1; i < rates.length; i++) expect(rates[i]!.tokPerSec).not.toBe(rates[i - 1]!.tokPerSec);
  });

  it('adds up attempts decoding side by side: two at 40 tok/s read about 80, with both in flight', () => {
    const list = prompts(2);
    const timed = list.flatMap((p, i) => attemptEvents(p.id, 100 + i * 40, { ...SHAPE, turns: 1, tokens: 400, gapMs: 200 }).events);
    const rates = emitted(timed, 2, 2);
    const steady = rates.filter((e) => e.tokPerSec !== null && e.inFlight === 2).slice(2);
    expect(steady.length).toBeGreaterThan(0);
    for (const e of steady) {
      expect(e.tokPerSec!).toBeGreaterThanOrEqual(72);
      expect(e.tokPerSec!).toBeLessThanOrEqual(88);
    }
  });

  it('goes to null within a few seconds once decoding stops, not 30 s later', () => {
    const timed = serialRun(1);
    const lastAt = timed.at(-1)!.at;
    const rates = emitted(timed, 1, 1, lastAt + 10_000);
    expect(rates.at(-1)!.tokPerSec).toBeNull();
    // the null came on the first tick after RATE_IDLE_MS without a token (ticks are 1 s apart)
    expect(rates.filter((e) => e.tokPerSec === null)).toHaveLength(1);
    expect(RATE_IDLE_MS).toBeLessThanOrEqual(5000);
  });

  it('says null while the run is paused, and the figure again once it resumes', () => {
    let now = 0;
    const out: RateEvent[] = [];
    const meter = new RateMeter((e) => out.push(e), () => now);
    meter.observe(runStart(prompts(1), { n: 1 }));
    const progress = (completionTokens: number, tokPerSec: number | null): EngineEvent => ({ type: 'attempt.progress', lane: LANE, promptId: prompts(1)[0]!.id, attempt: 1, completionTokens, tokPerSec });
    meter.observe(progress(1, null));
    now = 500;
    meter.observe(progress(21, 40));
    meter.tick();
    expect(out.at(-1)!.tokPerSec).toBe(40);
    meter.observe({ type: 'run.paused', lane: '', reason: 'paused by the user', user: true });
    meter.tick();
    expect(out.at(-1)!.tokPerSec).toBeNull();
    meter.observe({ type: 'run.resumed', lane: '' });
    now = 1000;
    meter.observe(progress(41, 40));
    meter.tick();
    expect(out.at(-1)!.tokPerSec).toBe(40);
  });

  it("falls back to the lane's own /metrics rate when no progress arrives, marked as such", () => {
    let now = 0;
    const out: RateEvent[] = [];
    const meter = new RateMeter((e) => out.push(e), () => now);
    meter.observe(runStart(prompts(1), { n: 1 }));
    meter.observe({ type: 'attempt.start', lane: LANE, promptId: prompts(1)[0]!.id, attempt: 1, at: '' });
    const withLane = (rate: number) => ({ type: 'telemetry' as const, sample: { ...sample(50), lane: { gen_tokens_per_sec: rate, requests_running: 1, requests_waiting: 0, kv_cache_usage: 0.1 } } });
    meter.observe(withLane(37.5));
    meter.tick();
    expect(out.at(-1)).toMatchObject({ lane: LANE, tokPerSec: 37.5, source: 'metrics', inFlight: 1 });
    // 0 from /metrics: nothing decoded since the last scrape
    now = 500;
    meter.observe(withLane(0));
    meter.tick();
    expect(out.at(-1)!.tokPerSec).toBeNull();
    // a stale scrape is not shown either
    meter.observe(withLane(37.5));
    now = 500 + RATE_IDLE_MS + 1;
    meter.tick();
    expect(out.at(-1)!.tokPerSec).toBeNull();
  });

  it('attachRateMeter emits on the bus once a second, and a last null when detached', () => {
    vi.useFakeTimers();
    let now = 0;
    const bus = new EventBus();
    const seen: RateEvent[] = [];
    bus.on((e) => e.type === 'lane.rate' && seen.push(e));
    const detach = attachRateMeter(bus, () => now);
    bus.emit(runStart(prompts(1), { n: 1 }));
    const id = prompts(1)[0]!.id;
    bus.emit({ type: 'attempt.progress', lane: LANE, promptId: id, attempt: 1, completionTokens: 1, tokPerSec: null });
    now = 1000;
    bus.emit({ type: 'attempt.progress', lane: LANE, promptId: id, attempt: 1, completionTokens: 41, tokPerSec: 40 });
    vi.advanceTimersByTime(1000);
    expect(seen.map((e) => e.tokPerSec)).toEqual([40]);
    detach();
    expect(seen.map((e) => e.tokPerSec)).toEqual([40, null]);
    vi.advanceTimersByTime(5000);
    expect(seen).toHaveLength(2);
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('decode spans', () => {
  it('shows nothing before the first token', () => {
    let m = EMPTY_METER;
    expect(decodeRate(m, 0)).toBeNull();
    m = meterProgress(m, 'a', 0, 1, false);
    m = meterProgress(m, 'a', 250, 11, true);
    expect(decodeRate(m, 300)).toBeCloseTo(40);
    m = meterEnd(m, 'a');
    expect(decodeRate(m, 250 + RATE_IDLE_MS + 1)).toBeNull();
  });

  it('counts the stretch before a report without a rate only when the attempt ends right after it', () => {
    let m = EMPTY_METER;
    m = meterProgress(m, 'a', 0, 10, false);
    m = meterProgress(m, 'a', 1000, 12, false); // a new turn after 1 s of prompt processing: not decoding time
    expect(m.spans).toHaveLength(0);
    m = meterProgress(m, 'a', 1250, 22, false); // the closing report
    m = meterEnd(m, 'a');
    expect(m.spans).toEqual([{ start: 1000, end: 1250, tokens: 10 }]);
  });
});
