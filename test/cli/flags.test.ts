// Absurd flags are refused up front, in brainbench's own words, before anything exists (issue 11
// item 6, issue 12 "Messages" and "State goes stale"): no results folder, no runs/<id>/, no lane.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { main } from '../../src/cli.js';
import { lockResults } from '../../src/run/results-lock.js';
import { spawnCli, tempDir } from '../helpers/cli.js';

const dir = tempDir;
let stderr: MockInstance<typeof console.error>;
beforeEach(() => {
  stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  stderr.mockRestore();
});
const printed = () => stderr.mock.calls.map((c) => c.join(' ')).join('\n');

/** Runs `brainbench run …flags` against a results folder that must not even be created. */
async function refused(flags: string[]) {
  const results = join(dir('bb-flags-'), 'results');
  const code = await main(['run', ...flags, '--results', results]);
  return { code, message: printed(), created: existsSync(results) };
}

describe('run flags out of range', () => {
  const cases: Array<[string[], string]> = [
    [['--lane', 'demo', '-n', '-2'], "-n wants a whole number from 1 to 1000, got '-2'"],
    [['--lane', 'demo', '-n', '300000000'], "-n wants a whole number from 1 to 1000, got '300000000'"],
    [['--lane', 'demo', '-n', '2.5'], "-n wants a whole number from 1 to 1000, got '2.5'"],
    [['--lane', 'demo', '--timeout', '3000000'], "--timeout wants a whole number from 1 to 86400, got '3000000'"],
    [['--lane', 'demo', '--timeout', '0'], "--timeout wants a whole number from 1 to 86400, got '0'"],
    [['--lane', 'demo', '--parallel', '0'], "--parallel wants a whole number from 1 to 256, got '0'"],
    [['--lane', 'demo', '--slots', '-1'], "--slots wants a whole number from 1 to 256, got '-1'"],
    [['--lane', 'demo', '--turn-budget', '0'], "--turn-budget wants a whole number from 1 to 1000, got '0'"],
    [['--lane', 'demo', '--tok-per-sec', '0'], "--tok-per-sec wants a number > 0 and ≤ 1000000, got '0'"],
    [['--lane', 'demo', '--tok-per-sec', 'fast'], "--tok-per-sec wants a number > 0 and ≤ 1000000, got 'fast'"],
    [['--lane', 'demo', '--temperature', '-1'], "--temperature wants a number from 0 to 2, got '-1'"],
    [['--lane', 'demo', '--seed', '1.5'], "--seed wants a whole number"],
    [['--lanes', ','], "--lanes wants lane ids separated by commas, got ','"],
    [['--lanes', ' , '], "--lanes wants lane ids separated by commas, got ' , '"],
    [['--lane', ''], '--lane wants a lane id, got an empty one'],
    [['--lane'], '--lane needs a value'],
    [['--lane', '--all'], '--lane needs a value'],
    [['--all=yes'], '--all takes no value'],
    [['--lane', 'demo', 'extra'], "unexpected argument 'extra'"],
  ];
  for (const [flags, message] of cases) {
    it(`${flags.join(' ')}: ${message}`, async () => {
      const { code, message: text, created } = await refused(flags);
      expect(code).toBe(2);
      expect(text).toContain(`brainbench run: ${message}`);
      expect(text).not.toMatch(/ambiguous|Option '|--n\b|To specify/);
      expect(created).toBe(false);
    });
  }
});

describe('results folders that cannot hold results', () => {
  it.runIf(existsSync('/proc/self'))('--results /proc/x is refused at once, naming the file system', async () => {
    expect(await main(['run', '--lane', 'demo', '--results', '/proc/x'])).toBe(1);
    expect(printed()).toContain("brainbench run: cannot write results to /proc/x: /proc is on the kernel's proc file system, not a disk");
  });

  it('--results FILE is refused', async () => {
    const file = join(dir('bb-file-'), 'f');
    writeFileSync(file, '');
    expect(await main(['run', '--lane', 'demo', '--results', file])).toBe(1);
    expect(printed()).toContain(`cannot write results to ${file}: ${file} is not a folder`);
  });

  it('a busy results folder is refused before runs/<id>/ exists', async () => {
    const results = dir('bb-busy-');
    const release = await lockResults(results, 'holder');
    try {
      expect(await main(['run', '--lane', 'demo', '-n', '1', '--results', results])).toBe(1);
    } finally {
      await release();
    }
    expect(printed()).toContain(`${results} is in use by run holder (pid ${process.pid})`);
    expect(existsSync(join(results, 'runs'))).toBe(false);
  });
});

describe('the cockpit', () => {
  it('refuses --fps 0 before anything starts', async () => {
    const home = dir('bb-home-');
    const results = join(home, 'results');
    const run = await spawnCli(['--demo', '--fps', '0', '--results', results], {
      env: { BRAINBENCH_CONFIG_DIR: join(home, 'config'), BRAINBENCH_STATE_DIR: join(home, 'state') },
      timeout: 60_000,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--fps wants a whole number from 1 to 120, got '0'");
    expect(existsSync(join(results, 'runs')) ? readdirSync(join(results, 'runs')) : []).toEqual([]);
  });
});
