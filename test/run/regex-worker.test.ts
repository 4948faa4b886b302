// The regex matcher that suite checks, tool-argument schemas, grep and glob share: one long-lived
// worker thread (not one per pattern), replaced only when a match runs past its deadline; a request
// queued behind a runaway one is not charged for the wait; an idle worker never keeps the process alive.
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it, vi } from 'vitest';
import { createTextMatcher, RegexTimeout } from '../../src/agent/regexWorker.js';
import { regexHits } from '../../src/suite/checks.js';
import { repoRoot } from '../helpers/cli.js';

const workers = vi.hoisted(() => ({ made: 0 }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class CountedWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      workers.made++;
    }
  }
  return { ...real, Worker: CountedWorker };
});

// /(a+)+$/ on "aaaa…b" backtracks for longer than the universe lasts
const RUNAWAY = /(a+)+$/;
const RUNAWAY_TEXT = `${'a'.repeat(40)}b`;

describe('the shared regex worker', () => {
  it('serves many patterns, in turn and at once, from one worker', async () => {
    const before = workers.made;
    for (let i = 0; i < 20; i++) expect(await regexHits(new RegExp(`x${i}`), ['a', `x${i}`, 'b'])).toEqual(new Set([1]));
    const together = await Promise.all(Array.from({ length: 20 }, (_, i) => regexHits(new RegExp(`^y${i}$`, 'i'), [`Y${i}`, 'z'])));
    expect(together).toEqual(Array.from({ length: 20 }, () => new Set([0])));
    expect(workers.made - before).toBeLessThanOrEqual(1); // 0 when an earlier test already started it
  });

  it('keeps stateful flags from leaking between texts and requests', async () => {
    const sticky = /a/g;
    expect(await createTextMatcher(sticky).match(['a', 'a', 'a'], 10)).toEqual([0, 1, 2]);
    expect(await createTextMatcher(sticky).match(['ba', 'a'], 10)).toEqual([0, 1]);
  });

  it('a match past its deadline rejects; the worker is replaced once and the next requests are served', async () => {
    await regexHits(/warm/, ['warm']);
    const before = workers.made;
    const matcher = createTextMatcher(RUNAWAY, 300);
    await expect(matcher.match([RUNAWAY_TEXT], 1)).rejects.toBeInstanceOf(RegexTimeout);
    await expect(matcher.match(['aaa'], 1)).rejects.toBeInstanceOf(RegexTimeout); // that tool call is over
    for (let i = 0; i < 5; i++) expect(await regexHits(/ok/, ['not', 'ok'])).toEqual(new Set([1]));
    expect(workers.made - before).toBe(1);
  });

  it('a request queued behind a runaway one is charged only for its own matching', async () => {
    await regexHits(/warm/, ['warm']);
    const order: string[] = [];
    const runaway = createTextMatcher(RUNAWAY, 1_500)
      .match([RUNAWAY_TEXT], 1)
      .then(
        () => order.push('runaway matched'),
        (err: unknown) => order.push(err instanceof RegexTimeout ? 'runaway timed out' : `runaway failed: ${String(err)}`),
      );
    // its whole deadline is shorter than the runaway's: it only passes if the wait is not counted
    const innocent = createTextMatcher(/needle/, 500)
      .match(['hay', 'needle'], 5)
      .then(
        (hits) => order.push(`innocent ${hits.join(',')}`),
        (err: unknown) => order.push(`innocent failed: ${String(err)}`),
      );
    await Promise.all([runaway, innocent]);
    expect(order).toEqual(['runaway timed out', 'innocent 1']);
  });

  it('never keeps a process alive once its matching is done', async () => {
    const script = `import { regexHits } from ${JSON.stringify(join(repoRoot, 'src/suite/checks.ts'))};
const hits = await regexHits(/b/, ['a', 'b']);
console.log('hits', [...hits].join(','));`;
    // a worker left ref'd would hold the event loop open and the child would hit the timeout
    const run = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, reject: false, timeout: 25_000 });
    expect({ code: run.exitCode, timedOut: run.timedOut, out: String(run.stdout) }).toEqual({ code: 0, timedOut: false, out: 'hits 1' });
  });
});
