// Issue 16 §2 and §6 in the cockpit and the line reporter: a starting lane's load progress (log tail
// and ETA) and the memory a stopped lane did not give back.
import { describe, expect, it } from 'vitest';
import { headerSegments } from '../../src/cockpit/header.js';
import { laneBarSegments } from '../../src/cockpit/laneBar.js';
import { loadingText } from '../../src/cockpit/format.js';
import { createLineReporter, LOADING_LINE_EVERY_S } from '../../src/run/reporter.js';
import type { EngineEvent } from '../../src/types.js';
import { storeWithLanes } from './fixtures.js';

const text = (segs: { text: string }[]) => segs.map((s) => s.text).join('');
const loading = (elapsedS: number, expectedS: number | null, tail = 'llm_load_tensors: offloading 48 layers'): EngineEvent => ({
  type: 'lane.loading',
  lane: 'demo',
  elapsedS,
  expectedS,
  remainingS: expectedS === null ? null : Math.max(0, expectedS - elapsedS),
  tail,
});

describe('load progress text', () => {
  it('says the time so far, the usual load time and the log tail; a first load says there is no estimate', () => {
    expect(loadingText({ elapsedS: 42, expectedS: 90, tail: 'loading tensors' })).toBe('loading 00:42 / ~01:30 · loading tensors');
    expect(loadingText({ elapsedS: 3, expectedS: null, tail: '' })).toBe('loading 00:03 · first load: no estimate');
  });
});

describe('line reporter: load progress', () => {
  it('prints a progress line at most every few seconds of the load, and again for a new load', () => {
    const lines: string[] = [];
    const report = createLineReporter((l) => lines.push(l));
    for (let s = 0; s <= 12; s++) report(loading(s, 90));
    const printed = lines.filter((l) => l.includes('loading'));
    expect(printed).toEqual([0, 5, 10].map((s) => `lane demo: ${loadingText({ elapsedS: s, expectedS: 90, tail: 'llm_load_tensors: offloading 48 layers' })}`));
    expect(LOADING_LINE_EVERY_S).toBe(5);
    report(loading(0, 90)); // the lane is loading again
    expect(lines).toHaveLength(4);
  });

  it('cleans a tail that carries escape sequences', () => {
    const lines: string[] = [];
    createLineReporter((l) => lines.push(l))(loading(1, null, 'evil \u001b]0;title\u0007 line'));
    expect(['\u001b', '\u0007'].some((c) => lines[0]!.includes(c))).toBe(false);
    expect(lines[0]).toContain('first load: no estimate');
  });
});

describe('cockpit store: load progress', () => {
  it('keeps the progress of a starting lane, shows it in the header, and drops it once ready', () => {
    const store = storeWithLanes();
    store.getState().apply({ type: 'lane.state', lane: 'demo', state: 'starting' });
    store.getState().apply(loading(42, 90));
    const lane = () => store.getState().lanes.find((l) => l.id === 'demo')!;
    expect(lane().loading).toEqual({ elapsedS: 42, expectedS: 90, tail: 'llm_load_tensors: offloading 48 layers' });
    const header = text(headerSegments({ lane: lane(), simulated: true, suite: null, n: null, elapsed: null, state: null }, 120));
    expect(header).toContain('loading 00:42 / ~01:30 · llm_load_tensors');
    expect(header.length).toBeLessThanOrEqual(120);
    // a narrow header keeps the lane and cuts the progress, never the other way round
    const narrow = text(headerSegments({ lane: lane(), simulated: true, suite: null, n: null, elapsed: null, state: null }, 60));
    expect(narrow).toContain('demo');
    expect(narrow.length).toBeLessThanOrEqual(60);

    store.getState().apply({ type: 'lane.state', lane: 'demo', state: 'ready' });
    expect(lane().loading).toBeUndefined();
    store.getState().apply(loading(43, 90)); // a late report after ready
    expect(lane().loading).toBeUndefined();
    expect(text(headerSegments({ lane: lane(), simulated: true, suite: null, n: null, elapsed: null, state: null }, 120))).not.toContain('loading');
  });
});

describe('cockpit store: memory held after a stop', () => {
  it('marks the lane bar with the amount still held until a later stop gives memory back', () => {
    const store = storeWithLanes();
    store.getState().apply({ type: 'log', level: 'warn', message: 'lane demo stopped, but 12.3 GB of memory is still held' });
    store.getState().apply({ type: 'lane.memory', lane: 'demo', heldGb: 12.3, returnedAfterS: null, waitedS: 60 });
    const bar = () => text(laneBarSegments(store.getState().lanes, store.getState().resident, 200));
    expect(bar()).toContain('demo ○ 12.3 GB held');
    expect(store.getState().lastError?.message).toContain('12.3 GB of memory is still held');
    // another lane's stop gave its memory back: the box is clean again
    store.getState().apply({ type: 'lane.memory', lane: 'nim-incumbent', heldGb: 0, returnedAfterS: 2.5, waitedS: 2.5 });
    expect(bar()).not.toContain('GB held');
    expect(store.getState().lanes.every((l) => l.heldGb === undefined)).toBe(true);
  });
});
