// Issue 11, the families about the run, names and flags (test/hardening/familyRun.ts,
// familyNames.ts; `npm run chaos` runs the same code and prints the rows, with a long SIGSTOP
// and the bombs beside an innocent attempt, which are too slow for a test).
import { afterAll, describe, expect, it } from 'vitest';
import type { FamilyRow } from './families.js';
import { absurdFlags, brokenTableRows, escapeText, pathIds } from './familyNames.js';
import { regexCheck, toolFlood } from './familyRun.js';
import { removeTempDirs } from './harness.js';

afterAll(removeTempDirs);

function expectHandled(row: FamilyRow): void {
  expect(row.problems).toEqual([]);
  expect(row.injected).toBeGreaterThan(0);
  expect(row.handled).toBe(row.injected);
  expect(row.lost).toBe(0);
}

describe('the run survives what a hostile model and odd input do', () => {
  it('a turn of thousands of read_file calls: a record, and the run and its --resume finish', async () => {
    expectHandled(await toolFlood());
  }, 90_000);

  it('a backtracking regex check fed by the answer fails with the reason, and the run completes', async () => {
    expectHandled(await regexCheck());
  }, 90_000);

  it('prompt ids and a run id that are paths are refused at load; nothing outside results is touched', async () => {
    expectHandled(await pathIds());
  }, 90_000);

  it('escape sequences from a model and a lane reach neither the reporter, status nor summary.md', async () => {
    expectHandled(await escapeText());
  }, 90_000);

  it('absurd flags are refused up front with a clear message, creating nothing', async () => {
    expectHandled(await absurdFlags());
  }, 90_000);

  it('the summary check sees a row that a newline or a pipe broke', () => {
    expect(brokenTableRows('| a | b |\n| --- | --- |\n| x \\| y | z |\n')).toEqual([]);
    expect(brokenTableRows('| a | b |\n| --- | --- |\n| x | y | z |\n')).toEqual(['| x | y | z |']);
    expect(brokenTableRows('| a | b |\n| x\nnext | y |\n')).toEqual(['| x', 'next | y |']);
  });
});
