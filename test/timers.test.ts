// Node's timers overflow above 2^31-1 ms and fire after 1 ms: every delay from input is clamped.
import { chmodSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSandbox, sandboxAvailable } from '../src/sandbox/sandbox.js';
import { clampDelayMs, MAX_TIMER_MS } from '../src/timers.js';
import { tempDir } from './helpers/tmp.js';

const bwrap = await sandboxAvailable();

describe('clampDelayMs', () => {
  it('keeps a delay a Node timer honours', () => {
    expect(clampDelayMs(1e10)).toBe(MAX_TIMER_MS);
    expect(clampDelayMs(Infinity)).toBe(MAX_TIMER_MS);
    expect(clampDelayMs(1500)).toBe(1500);
    expect(clampDelayMs(-1)).toBe(0);
    expect(clampDelayMs(NaN)).toBe(0);
  });

  it.runIf(bwrap)('a sandbox command with a 1e10 ms timeout runs to its end instead of being killed at once', async () => {
    const work = tempDir('bb-timer-', '/tmp');
    chmodSync(work, 0o755);
    const box = await openSandbox({ workDir: work });
    try {
      const exit = await box.run(['sh', '-c', 'sleep 0.3; echo finished'], { timeoutMs: 1e10 });
      expect([exit.timedOut, exit.output.trim()]).toEqual([false, 'finished']);
    } finally {
      await box.close();
    }
  }, 60_000);
});
