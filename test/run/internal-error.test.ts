// brainbench's own failure inside one attempt (issue 11: "a run always completes with one record
// per slot"): whatever runAttempt throws becomes that slot's record — a lane_error marked
// internal, retried once like any lane_error — and the run, and its resume, go on.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import type { ReadyLane } from '../../src/lanes/manager.js';
import { resolveSuitePath } from '../../src/paths.js';
import { Journal } from '../../src/run/journal.js';
import { runSuite } from '../../src/run/runner.js';
import { scratchRoot } from '../../src/run/scratch-root.js';
import { loadSuite } from '../../src/suite/load.js';
import type { AttemptRun } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) {
    rmSync(scratchRoot(d, 'internal'), { recursive: true, force: true }); // a cancelled attempt leaves its copy
    rmSync(d, { recursive: true, force: true });
  }
});

const lane: ReadyLane = { id: 'demo', kind: 'demo', baseURL: 'http://127.0.0.1:9/v1', model: 'demo', command: 'none', simulated: true, slots: 1, metricsUrl: null };

const answered: AttemptRun = { status: 'completed', answer: 'no idea', tool_calls: [], turns: 1, tokens: { prompt: 1, completion: 1 }, wall_s: 0, ttft_s: 0, escape_attempts: 0, wait_s: 0 };

async function run(runDir: string, attempt: (promptId: string) => Promise<AttemptRun>, parallel = 2) {
  const journal = new Journal(join(runDir, 'journal.jsonl'));
  const calls: string[] = [];
  try {
    const result = await runSuite({
      runId: 'internal',
      runDir,
      journal,
      lane,
      suite: await loadSuite(resolveSuitePath('brain-v1')),
      n: 2,
      parallel,
      adaptive: false,
      enabled: new Set(['shell']),
      turnBudget: 4,
      timeoutS: 30,
      sampling: {},
      bus: new EventBus(),
      attempt: (opts) => {
        calls.push(opts.prompt.id);
        return attempt(opts.prompt.id);
      },
    });
    return { result, calls, records: journal.all() };
  } finally {
    journal.close();
  }
}

describe('an attempt that throws inside brainbench', () => {
  it('is recorded as lane_error "internal: …", retried once, and the run fills every slot; a resume has nothing left to crash on', async () => {
    const runDir = tempDir('bb-internal-');
    made.push(runDir);
    const first = await run(runDir, async (id) => {
      if (id === 'p6_code_task') throw new RangeError('Invalid string length\n    at JSON.stringify (<anonymous>)');
      return answered;
    });
    const prompts = new Set(first.records.map((r) => r.prompt_id));
    const broken = first.records.filter((r) => r.prompt_id === 'p6_code_task');
    // both slots, then one retry each
    expect(broken.map((r) => [r.attempt, r.retry ?? false]).sort()).toEqual([
      [1, false],
      [1, true],
      [2, false],
      [2, true],
    ]);
    for (const r of broken) {
      expect(r.outcome).toBe('lane_error');
      expect(r.error).toBe('internal: Invalid string length');
      expect(r.why).toBe('internal: Invalid string length');
    }
    const others = first.records.filter((r) => r.prompt_id !== 'p6_code_task');
    expect(others.length).toBe((prompts.size - 1) * 2);
    expect(others.every((r) => r.outcome !== 'lane_error')).toBe(true);

    // --resume of that run: every slot has its record, nothing is attempted again, nothing throws
    const resumed = await run(runDir, () => Promise.reject(new Error('must not be called')));
    expect(resumed.calls).toEqual([]);
    expect(resumed.records.length).toBe(first.records.length);
  });

  it('lets a cancellation through (it is not a failure to record)', async () => {
    const runDir = tempDir('bb-cancel-');
    made.push(runDir);
    const abort = Object.assign(new Error('cancelled'), { name: 'AbortError' });
    await expect(run(runDir, () => Promise.reject(abort), 1)).rejects.toBe(abort);
  });
});
