// Issue 8, item 1: every fault mode of the fake lane, through the real runner: the right outcome
// class, never a crash, no attempt lost, and a stalled lane ends within the idle timeout.
import { statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { faultNames } from '../../src/demo/faults.js';
import { faultProblems, removeTempDirs, runScenario } from './harness.js';

afterAll(removeTempDirs);

describe('lane faults end in the right outcome and the run completes', () => {
  it.each(faultNames)('%s', async (fault) => {
    const result = await runScenario({ faults: [fault], idleTimeoutS: 0.5 });
    expect(faultProblems(fault, result)).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.planned).toBeGreaterThan(0);
  });

  it('a stalled stream ends as lane_error after the idle timeout, not after the attempt timeout', async () => {
    const result = await runScenario({ faults: ['never-ends', 'silent'], idleTimeoutS: 0.5, timeoutS: 30 });
    const stalled = result.journal.filter((r) => /stalled/.test(r.error ?? ''));
    expect(stalled.length).toBeGreaterThanOrEqual(2);
    for (const r of stalled) {
      expect(r.outcome).toBe('lane_error');
      expect(r.wall_s).toBeLessThan(3);
    }
    expect(result.wallS).toBeLessThan(25);
  });

  it('a 10 MB reply is capped in the journal and the transcript', async () => {
    const result = await runScenario({ faults: ['huge'] });
    expect(result.injected.huge).toBeGreaterThan(0);
    const longest = result.journal.reduce((a, b) => (a.answer.length > b.answer.length ? a : b));
    expect(longest.answer).toMatch(/\[… \d+ characters omitted …\]/);
    expect(longest.answer.length).toBeLessThan(70 * 1024);
    expect(statSync(longest.transcript).size).toBeLessThan(512 * 1024);
    // the answer at the end of the filler survives the cap, so the attempt is still graded right
    expect(longest.outcome).toBe('pass');
  });
});
