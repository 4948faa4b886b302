// Issue 16 §6: a starting lane reports its progress (log tail, ETA from its earlier load times).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { lastLogLine, loadEstimate, startLoadProgress } from '../../src/lanes/loadProgress.js';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { LaneStateStore } from '../../src/lanes/state.js';
import type { EngineEvent } from '../../src/types.js';
import { fakeModel, fakeServer, freePort, tempDir, writeManifest } from './helpers.js';

type Loading = Extract<EngineEvent, { type: 'lane.loading' }>;
const loadingEvents = (events: EngineEvent[]) => events.filter((e): e is Loading => e.type === 'lane.loading');

describe('load estimate', () => {
  it('is the median of the last few loads minus the time so far, never below zero; none on a first load', () => {
    expect(loadEstimate([], 5)).toEqual({ expectedS: null, remainingS: null });
    expect(loadEstimate([100, 10, 30], 12)).toEqual({ expectedS: 30, remainingS: 18 });
    expect(loadEstimate([10, 20], 40)).toEqual({ expectedS: 15, remainingS: 0 });
    // only the newest five count: the old slow loads are gone
    expect(loadEstimate([500, 500, 500, 10, 10, 10, 10, 10], 0).expectedS).toBe(10);
  });

  it('takes the last non-empty log line, cleaned and cut', () => {
    expect(lastLogLine('first\nload_tensors: 40%\n\n')).toBe('load_tensors: 40%');
    expect(['\u001b', '\u0007'].some((c) => lastLogLine('x \u001b[31mred\u001b[0m\u0007').includes(c))).toBe(false);
    expect(lastLogLine('y'.repeat(500)).length).toBeLessThanOrEqual(160);
    expect(lastLogLine('')).toBe('');
  });
});

describe('load progress ticker', () => {
  it('reports elapsed time from its clock, the estimate and the tail on each tick, and nothing once stopped', async () => {
    let now = 1_000_000;
    const bus = new EventBus();
    const events: EngineEvent[] = [];
    bus.on((e) => events.push(e));
    let tail = 'starting';
    const progress = startLoadProgress({ lane: 'q', bus, history: [60, 90, 120], readTail: async () => tail, now: () => now, everyMs: 3_600_000 });
    await progress.tick();
    now += 42_000;
    tail = 'llm_load_tensors: 40%\n';
    await progress.tick();
    progress.stop();
    await progress.tick();
    expect(loadingEvents(events)).toEqual([
      { type: 'lane.loading', lane: 'q', elapsedS: 0, expectedS: 90, remainingS: 90, tail: 'starting' },
      { type: 'lane.loading', lane: 'q', elapsedS: 42, expectedS: 90, remainingS: 48, tail: 'llm_load_tensors: 40%' },
    ]);
    expect(progress.elapsedS()).toBe(42);
  });
});

describe('lane state store: load times', () => {
  it('keeps the newest loads per lane and shrugs off a corrupt file', async () => {
    const dir = tempDir('bb-loadtimes-');
    const store = new LaneStateStore(dir);
    for (const s of [1, 2, 3, 4]) await store.recordLoad('a', s, 3);
    await store.recordLoad('b', 7.25, 3);
    expect(await store.loadTimes('a')).toEqual([2, 3, 4]);
    expect(await store.loadTimes('b')).toEqual([7.3]);
    writeFileSync(join(dir, 'load-times.json'), '{"a": [1, "x"], "b": [5]');
    expect(await store.loadTimes('a')).toEqual([]);
    writeFileSync(join(dir, 'load-times.json'), '{"a": [1, "x"], "b": [5]}');
    expect(await store.loadTimes('a')).toEqual([]);
    expect(await store.loadTimes('b')).toEqual([5]);
  });
});

describe('a real lane start (fake llama-server)', () => {
  let manager: LaneManager | undefined;
  afterEach(async () => {
    await manager?.stopAll().catch(() => undefined);
    manager = undefined;
  });

  it('a first load has no estimate; the second start estimates from the first', async () => {
    const dir = tempDir('bb-loadprogress-');
    const port = await freePort();
    const yaml = `version: 1\nlanes:\n  - id: slow\n    kind: llamacpp\n    model: ${fakeModel}\n    bin: ${fakeServer}\n    port: ${port}\n    ready_timeout_s: 30\n    args: [--load-delay-ms, "400"]\n`;
    const manifest = await loadManifest(writeManifest(yaml, dir));
    const bus = new EventBus();
    const events: EngineEvent[] = [];
    bus.on((e) => events.push(e));
    manager = new LaneManager({ manifest, bus, logDir: join(dir, 'logs'), stateDir: join(dir, 'state'), resultsDir: join(dir, 'results'), progressEveryMs: 50 });
    const state = new LaneStateStore(join(dir, 'state'));

    await manager.start('slow');
    const first = loadingEvents(events);
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((e) => e.lane === 'slow' && e.expectedS === null && e.remainingS === null)).toBe(true);
    const [firstLoad] = await state.loadTimes('slow');
    // the load waited out the server's own delay
    expect(firstLoad).toBeGreaterThanOrEqual(0.4);
    // progress comes while starting, before ready
    const readyAt = events.findIndex((e) => e.type === 'lane.state' && e.state === 'ready');
    expect(events.findIndex((e) => e.type === 'lane.loading')).toBeLessThan(readyAt);
    expect(events.slice(readyAt).some((e) => e.type === 'lane.loading')).toBe(false);

    await manager.stop('slow');
    events.length = 0;
    await manager.start('slow');
    const second = loadingEvents(events);
    expect(second.length).toBeGreaterThan(0);
    expect(second.every((e) => e.expectedS === firstLoad)).toBe(true);
    expect(second[0]!.remainingS).toBeLessThanOrEqual(firstLoad!);
    expect(await state.loadTimes('slow')).toHaveLength(2);
    // the server logs while it loads: the reports carry lines of the lane's log, as the tail
    const logLines = readFileSync(join(dir, 'logs', 'slow.log'), 'utf8').split('\n');
    const tails = [...first, ...second].map((e) => e.tail).filter((t) => t !== '');
    expect(tails.length).toBeGreaterThan(0);
    expect(tails.every((t) => logLines.includes(t))).toBe(true);
  });
});
