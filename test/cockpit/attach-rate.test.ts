// One figure for every watcher (issue 20 item 3): the engine's lane.rate reaches the in-process
// cockpit, events.jsonl (and through it an attached cockpit), and status.json alike; token
// progress itself stays out of events.jsonl.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttachController } from '../../src/cockpit/attach-controller.js';
import { renderStatus } from '../../src/commands/status.js';
import { EventBus } from '../../src/events.js';
import { createEventLog, eventLogPath } from '../../src/run/event-log.js';
import { createLineReporter } from '../../src/run/reporter.js';
import { createStatusWriter, readStatus } from '../../src/run/status-file.js';
import { liveTokPerSec } from '../../src/store.js';
import { attachRateMeter } from '../../src/telemetry/rate.js';
import type { EngineEvent } from '../../src/types.js';
import { tempDir } from '../helpers/tmp.js';
import { LANES, prompts, record, runStart, storeWithLanes } from './fixtures.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the live decode rate, watched from everywhere', () => {
  it('shows the same tok/s in-process, attached, in status.json and in the line reporter', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const runDir = tempDir('bb-rate-');
    const lane = LANES[0]!.id;
    const promptId = prompts(1)[0]!.id;
    let now = 0;
    const bus = new EventBus();
    const local = storeWithLanes();
    const status = createStatusWriter(runDir, 'r1', [lane]);
    bus.on(status.listener);
    bus.on(createEventLog(runDir));
    bus.on(local.getState().apply);
    const printed: string[] = [];
    bus.on(createLineReporter((line) => printed.push(line)));
    const detach = attachRateMeter(bus, () => now);

    bus.emit(runStart(prompts(1), { n: 1, lane }));
    bus.emit({ type: 'attempt.start', lane, promptId, attempt: 1, at: '' });
    // 40 tokens a second, a report every 250 ms
    for (let i = 0; i <= 8; i++) {
      now = i * 250;
      bus.emit({ type: 'attempt.progress', lane, promptId, attempt: 1, completionTokens: 1 + i * 10, tokPerSec: i === 0 ? null : 40 });
    }
    vi.advanceTimersByTime(1000);
    const figure = liveTokPerSec(local.getState());
    expect(figure).toBe(40);

    const logged = readFileSync(eventLogPath(runDir), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EngineEvent);
    expect(logged.filter((e) => e.type === 'attempt.progress')).toHaveLength(0);
    expect(logged.filter((e) => e.type === 'lane.rate')).toEqual([{ type: 'lane.rate', lane, tokPerSec: 40, windowS: 4, inFlight: 1, source: 'progress' }]);

    const attached = storeWithLanes();
    const follow = new EventBus();
    follow.on(attached.getState().apply);
    const attach = new AttachController(runDir, process.pid, runDir, follow);
    attach.start();
    await attach.quit();
    expect(liveTokPerSec(attached.getState())).toBe(figure);

    await status.flush();
    const written = (await readStatus(runDir))!;
    expect(written.tokPerSec).toBe(figure);
    expect(renderStatus(written, runDir)).toContain('tok/s 40.0');

    // the line reporter (pipes, CI) prints it with the next finished attempt
    bus.emit({ type: 'attempt.end', record: record(promptId, 1, 'pass', 3, lane) });
    expect(printed.at(-1)).toMatch(/^\[1\/\d+ ETA [\d:]+ · 40\.0 tok\/s\]/);
    detach();
  });
});
