// Defence in depth (DESIGN §5, "Names are data"): ids are checked at load, and even a prompt id
// that got past that never becomes a path outside the run folder or the scratch root.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeLane } from '../../src/demo/server.js';
import { EventBus } from '../../src/events.js';
import type { ReadyLane } from '../../src/lanes/manager.js';
import { builtinSuitesDir } from '../../src/paths.js';
import { Journal } from '../../src/run/journal.js';
import { runSuite } from '../../src/run/runner.js';
import { loadSuite } from '../../src/suite/load.js';
import { tempDir } from '../helpers/tmp.js';

describe('a hostile prompt id that reached the runner', () => {
  it('writes its transcript inside the run folder and nothing at the path it names', async () => {
    const outside = tempDir('bb-outside-');
    const target = join(outside, 'x', 'data');
    const runDir = tempDir('bb-hostile-run-');
    const loaded = await loadSuite(join(builtinSuitesDir, 'brain-v1'));
    const depth = relative('/', runDir).split('/').length + 4;
    const hostileId = `${'../'.repeat(depth)}${target.slice(1)}`;
    const suite = { ...loaded, prompts: [{ ...loaded.prompts[0]!, id: hostileId }] };
    const fake = await startFakeLane({ brain: 'strong', tokPerSec: 0 });
    const journal = new Journal(join(runDir, 'journal.jsonl'));
    const lane: ReadyLane = { id: 'demo', kind: 'demo', baseURL: `${fake.url}/v1`, model: 'demo', command: 'fake', simulated: true, slots: 1, metricsUrl: null };
    try {
      const result = await runSuite({
        runId: 'hostile', runDir, journal, lane, suite, n: 1, parallel: 1, adaptive: false, enabled: new Set(),
        turnBudget: 12, timeoutS: 30, sampling: {}, bus: new EventBus(),
      });
      const transcript = result.records[0]!.transcript;
      expect(relative(runDir, transcript).startsWith('..')).toBe(false);
      expect(existsSync(transcript)).toBe(true);
      expect(existsSync(join(outside, 'x'))).toBe(false);
    } finally {
      journal.close();
      await fake.close();
    }
  });
});
