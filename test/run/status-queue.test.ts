// Issue 24: `status` on a queue (run --all --detach) shows each lane that failed to start as
// failed (✗) with its own reason, not as still to come (·) with only the newest error.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { createStatusWriter } from '../../src/run/status-file.js';
import type { EngineEvent } from '../../src/types.js';
import { tempDir } from '../helpers/tmp.js';

afterEach(() => vi.restoreAllMocks());

const RUN = '20261208-040000-ab12';

/** Writes status.json from `events` the way the running process does, then reads `brainbench status` as a person does. */
async function statusAfter(queue: string[], events: EngineEvent[]): Promise<string> {
  const results = tempDir('bb-status-queue-');
  const dir = join(results, 'runs', RUN);
  mkdirSync(dir, { recursive: true });
  const writer = createStatusWriter(dir, RUN, queue);
  for (const event of events) {
    if (event.type === 'lane.state' && event.state === 'starting') writer.setLane(event.lane);
    writer.listener(event);
  }
  await writer.flush();
  const out: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  expect(await main(['status', RUN, '--results', results])).toBe(0);
  return out.join('\n');
}

const failedToStart = (lane: string, why: string): EngineEvent[] => [
  { type: 'lane.state', lane, state: 'starting' },
  { type: 'lane.state', lane, state: 'error', detail: why },
];

describe('status of a queue with lanes that failed to start', () => {
  it('marks each failed lane ✗ and gives each its own reason', async () => {
    const screen = await statusAfter(
      ['bad-one', 'bad-two', 'demo', 'later'],
      [
        ...failedToStart('bad-one', 'lane bad-one was not ready after 30 s (http://127.0.0.1:9/v1 does not answer)'),
        ...failedToStart('bad-two', "port 8000 is held by another process ('python3', pid 4242)"),
        { type: 'lane.state', lane: 'demo', state: 'starting' },
        { type: 'lane.state', lane: 'demo', state: 'ready', port: 40000 },
      ],
    );
    expect(screen).toContain('queue    bad-one ✗ → bad-two ✗ → demo ● → later ·');
    expect(screen).toContain('failed   bad-one: lane bad-one was not ready after 30 s (http://127.0.0.1:9/v1 does not answer)');
    expect(screen).toContain("failed   bad-two: port 8000 is held by another process ('python3', pid 4242)");
    expect(screen).toContain('lane     demo  ready');
  });

  it('a lane that fails and then comes up (a later start) is no longer shown failed', async () => {
    const screen = await statusAfter(['flaky'], [...failedToStart('flaky', 'exited with code 1'), { type: 'lane.state', lane: 'flaky', state: 'ready', port: 8080 }]);
    expect(screen).toContain('queue    flaky ●');
    expect(screen).not.toContain('failed   flaky');
  });
});
