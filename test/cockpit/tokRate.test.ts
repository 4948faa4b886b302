// The live tok/s gauge over a fake clock: progress reports shaped like the agent's (one every
// 250 ms at most, no rate on a turn's first token and on the closing report), with prompt
// processing between turns and set-up between attempts.
import { describe, expect, it } from 'vitest';
import { decodeRate, EMPTY_METER, meterEnd, meterProgress, TOK_HOLD_MS } from '../../src/cockpit/tokRate.js';
import { createCockpitStore, liveTokPerSec } from '../../src/store.js';
import type { EngineEvent } from '../../src/types.js';
import { LANES, prompts, record, runStart } from './fixtures.js';

interface Timed {
  at: number;
  event: EngineEvent;
}

/** One attempt decoding at `rate` tok/s: `turns` turns of `tokens` each, `gapMs` of prompt processing before each. */
function attemptEvents(promptId: string, startAt: number, opts: { rate: number; turns: number; tokens: number; gapMs: number }): { events: Timed[]; endAt: number } {
  const lane = LANES[0]!.id;
  const events: Timed[] = [{ at: startAt, event: { type: 'attempt.start', lane, promptId, attempt: 1, at: '' } }];
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
      events.push({ at: t, event: { type: 'attempt.progress', lane, promptId, attempt: 1, completionTokens: total + delta, tokPerSec } });
    }
    total += opts.tokens;
  }
  events.push({ at: t + 1, event: { type: 'attempt.progress', lane, promptId, attempt: 1, completionTokens: total, tokPerSec: null } });
  events.push({ at: t + 5, event: { type: 'attempt.end', record: record(promptId, 1) } });
  return { events, endAt: t + 5 };
}

/** Feeds the events in time order and reads the gauge every 100 ms of fake time while attempts run. */
function gaugeReadings(timed: Timed[], parallel: number, promptCount: number): number[] {
  let now = 0;
  const store = createCockpitStore({ lanes: LANES.map((l) => ({ ...l })), clock: () => now });
  store.getState().apply(runStart(prompts(promptCount), { n: 1, parallel }));
  const sorted = [...timed].sort((a, b) => a.at - b.at);
  const readings: number[] = [];
  let i = 0;
  for (let tick = 0; tick <= sorted[sorted.length - 1]!.at; tick += 100) {
    for (; i < sorted.length && sorted[i]!.at <= tick; i++) {
      now = sorted[i]!.at; // each event arrives at its own time
      store.getState().apply(sorted[i]!.event);
    }
    now = tick;
    const rate = liveTokPerSec(store.getState());
    if (rate !== null) readings.push(rate);
  }
  return readings;
}

const SHAPE = { rate: 40, turns: 3, tokens: 30, gapMs: 600 };

describe('live tok/s gauge', () => {
  it('reads a 40 tok/s lane at parallel 1 as 40 ± 10 % all through the run, not a running total', () => {
    const list = prompts(8);
    const timed: Timed[] = [];
    let at = 0;
    for (const p of list) {
      const a = attemptEvents(p.id, at + 300, SHAPE); // 300 ms of set-up between attempts
      timed.push(...a.events);
      at = a.endAt;
    }
    const readings = gaugeReadings(timed, 1, list.length);
    expect(readings.length).toBeGreaterThan(100);
    for (const r of readings) {
      expect(r).toBeGreaterThanOrEqual(36);
      expect(r).toBeLessThanOrEqual(44);
    }
  });

  it('adds up attempts decoding side by side: two at 40 tok/s read about 80', () => {
    const list = prompts(2);
    const timed = list.flatMap((p, i) => attemptEvents(p.id, 100 + i * 40, { ...SHAPE, turns: 1, tokens: 400, gapMs: 200 }).events);
    const readings = gaugeReadings(timed, 2, list.length);
    // once both stream for a whole window
    const steady = readings.slice(Math.floor(readings.length / 2));
    expect(steady.length).toBeGreaterThan(20);
    for (const r of steady) {
      expect(r).toBeGreaterThanOrEqual(72);
      expect(r).toBeLessThanOrEqual(88);
    }
  });

  it('shows nothing before the first token, and a dash once decoding has stopped for a while', () => {
    let m = EMPTY_METER;
    expect(decodeRate(m, 0)).toBeNull();
    m = meterProgress(m, 'a', 0, 1, false);
    m = meterProgress(m, 'a', 250, 11, true);
    expect(decodeRate(m, 300)).toBeCloseTo(40);
    m = meterEnd(m, 'a');
    expect(decodeRate(m, 250 + TOK_HOLD_MS + 1)).toBeNull();
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
