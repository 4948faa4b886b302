// Issue 12, acceptance 1: stop a run at any point and the last complete scorecard of that lane is
// still there and ranked; the partial one is kept, marked partial, never ranked. Runs the
// supervised queue (as every front end runs it) in-process against the demo lane and stops it
// through RunControl after k attempts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { EventBus } from '../../src/events.js';
import { RunControl } from '../../src/run/control.js';
import { superviseQueue } from '../../src/run/supervise.js';
import { scorecardFileName } from '../../src/verdict/scorecard-files.js';
import { createRun, openSession } from '../../src/run/session.js';
import type { LaneScorecard } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';

const LANE = 'demo';
const N = 1;

let home: string;
let lanesFile: string;
const savedStateDir = process.env.BRAINBENCH_STATE_DIR;

beforeAll(() => {
  home = tempDir('bb-integrity-');
  process.env.BRAINBENCH_STATE_DIR = join(home, 'state');
  lanesFile = join(home, 'lanes.yaml');
  writeFileSync(lanesFile, `version: 1\nlanes:\n  - id: ${LANE}\n    kind: demo\n    brain: strong\n    tok_per_sec: 4000\n`);
});

afterAll(async () => {
  if (savedStateDir === undefined) delete process.env.BRAINBENCH_STATE_DIR;
  else process.env.BRAINBENCH_STATE_DIR = savedStateDir;
  await rm(home, { recursive: true, force: true });
});

const results: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(results.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function resultsDir(): string {
  const dir = tempDir('bb-integrity-results-');
  results.push(dir);
  return dir;
}

/** One run of the demo lane through the queue; `stopAfter` stops it after that many attempts. */
async function runDemo(dir: string, opts: { stopAfter?: number; resume?: string } = {}): Promise<string> {
  const runId =
    opts.resume ??
    (
      await createRun(
        { lanes: [LANE], lanesFile, suite: 'brain-v1', n: N, parallel: 1, adaptive: false, enable: [], turnBudget: 12, timeoutS: 60, sampling: {}, demo: {}, stopAfter: false },
        dir,
      )
    ).runId;
  const bus = new EventBus();
  const control = new RunControl();
  let ended = 0;
  bus.on((e) => {
    if (e.type === 'attempt.end' && ++ended === opts.stopAfter) control.stop('stopped by the test');
  });
  const session = await openSession(dir, runId, bus);
  try {
    await superviseQueue({ ...session, resultsDir: dir, bus, control });
  } finally {
    await session.manager.stopAll();
  }
  return runId;
}

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as LaneScorecard;
const completeCard = (dir: string) => read(join(dir, scorecardFileName(LANE)));
const partialPath = (dir: string) => join(dir, 'partial', scorecardFileName(LANE));
const summaryOf = (dir: string) => readFileSync(join(dir, 'summary.md'), 'utf8');
const section = (text: string, heading: string) => {
  const start = text.indexOf(heading);
  return start === -1 ? '' : text.slice(start, text.indexOf('\n## ', start + 1));
};

describe('a partial run never replaces a complete scorecard', () => {
  it('complete, then stopped after 3 attempts: the complete one stays ranked, the partial one is listed apart', async () => {
    const dir = resultsDir();
    const full = await runDemo(dir);
    const before = completeCard(dir);
    expect(before.completeness?.complete).toBe(true);
    const planned = before.completeness!.attempts_planned;
    expect(planned).toBeGreaterThan(3);

    const stopped = await runDemo(dir, { stopAfter: 3 });
    const after = completeCard(dir);
    expect(after).toEqual(before);
    const partial = read(partialPath(dir));
    expect(partial.completeness).toEqual({ attempts_done: 3, attempts_planned: planned, complete: false, lane_errors: 0, degraded: false });
    expect(partial.reproducibility.run_id).toBe(stopped);
    // both runs keep their own scorecard
    expect(read(join(dir, 'runs', full, 'scorecards', scorecardFileName(LANE))).completeness?.complete).toBe(true);
    expect(read(join(dir, 'runs', stopped, 'scorecards', scorecardFileName(LANE))).completeness?.complete).toBe(false);

    const summary = summaryOf(dir);
    expect(section(summary, '## Ranking')).toMatch(/^\| 1 \| demo \(simulated\) \|/m);
    expect(section(summary, '## Ranking')).not.toContain(stopped);
    expect(section(summary, '## Partial runs (not ranked)')).toContain(`| demo (simulated) | partial (3/${planned} attempts, run ${stopped}) |`);
  }, 120_000);

  it('stopped first, then complete: the complete one is ranked and the partial one retired to its run folder', async () => {
    const dir = resultsDir();
    const stopped = await runDemo(dir, { stopAfter: 2 });
    expect(existsSync(join(dir, scorecardFileName(LANE)))).toBe(false);
    expect(section(summaryOf(dir), '## Ranking')).toContain('No complete scorecard yet');
    expect(section(summaryOf(dir), '## Partial runs (not ranked)')).toContain(`run ${stopped})`);

    const full = await runDemo(dir);
    expect(completeCard(dir).reproducibility.run_id).toBe(full);
    expect(existsSync(partialPath(dir))).toBe(false);
    expect(existsSync(join(dir, 'runs', stopped, 'scorecards', scorecardFileName(LANE)))).toBe(true);
    const summary = summaryOf(dir);
    expect(section(summary, '## Ranking')).toMatch(/^\| 1 \| demo \(simulated\) \|/m);
    expect(summary).not.toContain('## Partial runs');
  }, 120_000);

  it('a stopped run resumed to the end replaces the older complete scorecard (newer complete wins)', async () => {
    const dir = resultsDir();
    const first = await runDemo(dir);
    const stopped = await runDemo(dir, { stopAfter: 2 });
    expect(completeCard(dir).reproducibility.run_id).toBe(first);
    await runDemo(dir, { resume: stopped });
    const card = completeCard(dir);
    expect(card.reproducibility.run_id).toBe(stopped);
    expect(card.completeness?.complete).toBe(true);
    expect(existsSync(partialPath(dir))).toBe(false);
  }, 120_000);
});

describe('brainbench report --from-journals', () => {
  it('rebuilds from the journals: a run killed before its scorecard shows as partial, a wrongly ranked partial is taken down', async () => {
    const dir = resultsDir();
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    const full = await runDemo(dir);
    const complete = completeCard(dir);
    const stopped = await runDemo(dir, { stopAfter: 3 });
    // the state an older brainbench (or a kill -9 before the scorecard) left behind: the partial
    // run's figures in results/demo.json with nothing saying partial, and no partial file
    const legacy = read(partialPath(dir));
    delete legacy.completeness;
    writeFileSync(join(dir, scorecardFileName(LANE)), JSON.stringify(legacy));
    await rm(join(dir, 'partial'), { recursive: true });
    await rm(join(dir, 'runs', stopped, 'scorecards'), { recursive: true });

    expect(await main(['report', '--from-journals', '--results', dir])).toBe(0);
    expect(errors).toEqual([]);
    const rebuilt = completeCard(dir);
    expect(rebuilt.reproducibility.run_id).toBe(full);
    expect(rebuilt.completeness).toEqual(complete.completeness);
    expect(rebuilt.prompts).toEqual(complete.prompts);
    expect(rebuilt.tokens_per_sec).toBe(complete.tokens_per_sec);
    const partial = read(partialPath(dir));
    expect(partial.completeness).toMatchObject({ attempts_done: 3, complete: false });
    expect(partial.simulated).toBe(true);
    const summary = summaryOf(dir);
    expect(section(summary, '## Ranking')).toMatch(/^\| 1 \| demo \(simulated\) \|/m);
    expect(section(summary, '## Partial runs (not ranked)')).toContain(`partial (3/${complete.completeness!.attempts_planned} attempts, run ${stopped})`);
  }, 120_000);
});
