// The tok/s gauge shows the engine's lane.rate figure (telemetry/rate.ts; its arithmetic is tested
// in test/telemetry/rate.test.ts): the same number in-process and attached, and a dash outside a live run.
import { describe, expect, it } from 'vitest';
import { createCockpitStore, liveTokPerSec } from '../../src/store.js';
import { LANES, prompts, runStart } from './fixtures.js';

const LANE = LANES[0]!.id;

describe('live tok/s gauge', () => {
  it('shows the last lane.rate of the run lane, and a dash once it says null', () => {
    const store = createCockpitStore({ lanes: LANES.map((l) => ({ ...l })) });
    store.getState().apply(runStart(prompts(2)));
    expect(liveTokPerSec(store.getState())).toBeNull();
    store.getState().apply({ type: 'lane.rate', lane: LANE, tokPerSec: 83.5, windowS: 4, inFlight: 2, source: 'progress' });
    expect(liveTokPerSec(store.getState())).toBe(83.5);
    store.getState().apply({ type: 'lane.rate', lane: LANE, tokPerSec: null, windowS: 4, inFlight: 0, source: 'progress' });
    expect(liveTokPerSec(store.getState())).toBeNull();
  });

  it("ignores another lane's rate and shows nothing once the run has ended", () => {
    const store = createCockpitStore({ lanes: LANES.map((l) => ({ ...l })) });
    store.getState().apply(runStart(prompts(1)));
    store.getState().apply({ type: 'lane.rate', lane: 'elsewhere', tokPerSec: 12, windowS: 4, inFlight: 1, source: 'metrics' });
    expect(liveTokPerSec(store.getState())).toBeNull();
    store.getState().apply({ type: 'lane.rate', lane: LANE, tokPerSec: 40, windowS: 4, inFlight: 1, source: 'progress' });
    expect(liveTokPerSec(store.getState())).toBe(40);
    store.getState().apply({ type: 'run.state', runId: 'r1', state: 'stopped' });
    expect(liveTokPerSec(store.getState())).toBeNull();
  });
});
