// Issue 8, item 3: malformed suites and lanes files are refused with file, line and field (and a
// huge file with its size, unread); a mistyped CLI flag suggests the right one. Together with
// test/suite/load-errors.test.ts and test/lanes/manifest.test.ts.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { ManifestError, MAX_MANIFEST_BYTES } from '../../src/lanes/manifest.js';
import { SuiteError } from '../../src/suite/errors.js';
import { MAX_SUITE_FILE_BYTES } from '../../src/suite/load.js';
import { FIFTY_MB, lanesCases, lanesRefusal, lanesRefusalProblems, suiteCases, suiteRefusal, suiteRefusalProblems } from './badInputs.js';
import { removeTempDirs } from './harness.js';

afterAll(removeTempDirs);

describe('malformed suites are refused with file, line and field', () => {
  it.each(suiteCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const refusal = await suiteRefusal(c);
    expect(refusal.err).toBeInstanceOf(SuiteError);
    expect(suiteRefusalProblems(c, refusal)).toEqual([]);
  });

  it('refuses a huge suite file without reading it', async () => {
    expect(MAX_SUITE_FILE_BYTES).toBeLessThan(FIFTY_MB);
    const started = performance.now();
    const { err } = await suiteRefusal(suiteCases.find((c) => c.name === 'a 50 MB prompts.jsonl')!);
    expect(err).toBeInstanceOf(SuiteError);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('malformed lanes files are refused with file, line, column and field', () => {
  it.each(lanesCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const refusal = await lanesRefusal(c);
    expect(refusal.err).toBeInstanceOf(ManifestError);
    expect(lanesRefusalProblems(c, refusal)).toEqual([]);
    if (typeof c.text === 'number') expect(c.text).toBeGreaterThan(MAX_MANIFEST_BYTES);
  });
});

describe('a mistyped CLI flag', () => {
  it('run --resum suggests --resume', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    const code = await main(['run', '--lane', 'demo', '--resum', 'x']);
    spy.mockRestore();
    expect(code).toBe(2);
    expect(errors.join('\n')).toMatch(/--resum.*did you mean --resume\?/);
  });
});
