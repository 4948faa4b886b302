// Issue 20 items 4–6 on the results side: task scorecards are filed by the one publisher, counted
// in slots, carry provenance, and every verdict surface — report, --from-journals, --history,
// --html, compare and --json — handles them. The run folders are made as the one runner leaves
// them (./task-fixtures.ts).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import type { TaskScorecard } from '../../src/tasks/types.js';
import { loadTaskSuite } from '../../src/tasks/load.js';
import { taskScorecard } from '../../src/verdict/task-scorecard.js';
import { publishScorecard } from '../../src/verdict/scorecard-files.js';
import { reproducibilityOf } from '../../src/verdict/reproducibility.js';
import type { RunPlan } from '../../src/run/plan.js';
import type { LaneScorecard } from '../../src/types.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { taskRun, taskSuite, trial, trials } from './task-fixtures.js';

const RUN1 = '20260101-000000-aaaa';
const RUN2 = '20260102-000000-bbbb';
const TASKS = ['t1', 't2', 't3'];

let results: string;
let suite: string;
let out: string[];
let err: string[];

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  out = [];
  err = [];
  const code = await main([...args, '--results', results]);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const readCard = (...path: string[]) => JSON.parse(readFileSync(join(results, ...path), 'utf8')) as TaskScorecard;

beforeEach(() => {
  results = tempDir('bb-task-results-');
  suite = taskSuite(TASKS);
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Run 1: oracle passes everything, null nothing, N=5. */
function firstRun(): void {
  const at = '2026-01-01T00:10:00.000Z';
  const records = [...trials('demo', 'oracle', TASKS, 5, () => true, at), ...trials('demo', 'null', TASKS, 5, () => false, at)];
  taskRun(results, RUN1, suite, { lanes: ['demo'], harnesses: ['oracle', 'null'], n: 5, records });
}

describe('report --from-journals rebuilds task scorecards', () => {
  it('files them in the run and publishes them per lane+harness; report then ranks nothing but shows them, exit 0', async () => {
    firstRun();
    const rebuilt = await cli('report', '--from-journals');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.out).toContain('rebuilt 2 scorecards from the journals');
    const oracle = readCard('tasks', 'demo+oracle.json');
    expect(oracle).toMatchObject({ kind: 'tasks', key: 'demo+oracle', pass_rate: 1, run_id: RUN1 });
    expect(oracle.completeness).toEqual({ attempts_done: 15, attempts_planned: 15, complete: true, lane_errors: 0, degraded: false });
    expect(readCard('runs', RUN1, 'scorecards', 'demo+null.json').pass_rate).toBe(0);
    const summary = readFileSync(join(results, 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| demo \| oracle \| [^|]+ \| bwrap \| 100 % \| 15\/15 graded \|/);
    expect(summary).toMatch(/\| demo \| null \| [^|]+ \| bwrap \| 0 % \| 15\/15 graded \|/);
    // no prompt scorecard: no empty ranking pretending to be one
    expect(summary).not.toContain('## Ranking');
    const report = await cli('report');
    expect(report.code).toBe(0);
    expect(report.out).toContain('2 task scorecards');
  });

  it('counts slots, not records: a duplicated journal line does not make N+1 trials', async () => {
    const at = '2026-01-01T00:10:00.000Z';
    const records = trials('demo', 'oracle', TASKS, 2, () => true, at);
    taskRun(results, RUN1, suite, { lanes: ['demo'], harnesses: ['oracle'], n: 2, records: [...records, records[0]!, records[0]!] });
    await cli('report', '--from-journals');
    const card = readCard('tasks', 'demo+oracle.json');
    expect(card.tasks.find((t) => t.task_id === 't1')!.runs).toBe(2);
    expect(card.completeness).toMatchObject({ attempts_done: 6, attempts_planned: 6, complete: true });
    expect(card.outcomes).toEqual({ pass: 6 });
  });

  it('a lane_error retried and still failing leaves the card partial with the count; all of a task → degraded', async () => {
    const at = '2026-01-01T00:10:00.000Z';
    const graded = trials('demo', 'builtin', ['t1', 't2'], 2, () => true, at);
    const lost = [1, 2].flatMap((a) => [trial('demo', 'builtin', 't3', a, 'lane_error', at), trial('demo', 'builtin', 't3', a, 'lane_error', at, { retry: true })]);
    taskRun(results, RUN1, suite, { lanes: ['demo'], harnesses: ['builtin'], n: 2, records: [...graded, ...lost] });
    await cli('report', '--from-journals');
    expect(existsSync(join(results, 'tasks', 'demo+builtin.json'))).toBe(false);
    const card = readCard('tasks', 'partial', 'demo+builtin.json');
    expect(card.completeness).toEqual({ attempts_done: 4, attempts_planned: 6, complete: false, lane_errors: 2, degraded: true });
    // lane errors are outside the rate, and counted once per slot
    expect(card.pass_rate).toBe(1);
    expect(card.outcomes).toEqual({ pass: 4, lane_error: 2 });
    const summary = readFileSync(join(results, 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| demo \| builtin \| [^|]+ \| bwrap \| 100 % \(degraded\) \| 4\/6 graded, 2 lane errors \|/);
  });
});

describe('report --history and compare on task runs', () => {
  /** Run 2: oracle as before; null now passes t1 every time. */
  function secondRun(): void {
    const at = '2026-01-02T00:10:00.000Z';
    const records = [...trials('demo', 'oracle', TASKS, 5, () => true, at), ...trials('demo', 'null', TASKS, 5, (t) => t === 't1', at)];
    taskRun(results, RUN2, suite, { lanes: ['demo'], harnesses: ['oracle', 'null'], n: 5, records });
  }

  it('--history LANE+HARNESS walks the kept runs with the paired difference from the one before', async () => {
    firstRun();
    secondRun();
    await cli('report', '--from-journals');
    const history = await cli('report', '--history', 'demo+null');
    expect(history.code).toBe(0);
    expect(history.out).toContain('lane demo+null: 2 kept runs');
    const rows = history.out.split('\n').filter((l) => l.startsWith('2026'));
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual([RUN1, RUN2]);
    // 0/15 then 5/15; +33 points over three tasks, one of which moved
    expect(rows[1]).toMatch(/33 % \[\d+, \d+\]\s+5\/15 .* complete\s+\+33 \[/);
    expect((await cli('report', '--history', 'demo+nothing')).code).toBe(1);
  });

  it('compare RUN RUN pairs each lane+harness and compares task by task; --json says which', async () => {
    firstRun();
    secondRun();
    await cli('report', '--from-journals');
    const text = await cli('compare', RUN1, RUN2);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`A  demo+oracle (run ${RUN1}, N=5, complete)`);
    expect(text.out).toContain(`A  demo+null (run ${RUN1}, N=5, complete)`);
    // Fisher p = 2/252 = 0.008 alone; Holm over the 3 tasks: 3 × 0.008 = 0.024, still flagged
    expect(text.out).toMatch(/^t1\s+task\s+0\/5 0 %\s+5\/5 100 %\s+100\s+0\.008\s+0\.024\s+improved$/m);
    const json = await cli('compare', RUN1, RUN2, '--json');
    const parsed = JSON.parse(json.out) as { comparisons: Array<{ a: { key: string; graded: number }; prompts: Array<{ prompt_id: string; flag: string | null }>; paired: { prompts: unknown[] } }> };
    expect(parsed.comparisons.map((c) => c.a.key)).toEqual(['demo+null', 'demo+oracle']);
    expect(parsed.comparisons[0]!.a.graded).toBe(15);
    expect(parsed.comparisons[0]!.prompts.map((p) => [p.prompt_id, p.flag])).toEqual([['t1', 'improvement'], ['t2', null], ['t3', null]]);
    expect(parsed.comparisons[0]!.paired.prompts).toHaveLength(3);
    // the other way round, t1 regressed beyond noise (Holm): the gate fires, on that task alone
    const back = await cli('compare', RUN2, RUN1);
    expect(back.code).toBe(3);
    expect(back.out).toContain('regression gate: fired — 1 task regressed (t1)');
    // one scorecard each, named by key: the latest complete one
    const one = JSON.parse((await cli('compare', `${RUN1}/demo+null`, 'demo+null', '--json')).out) as { b: { run_id: string } };
    expect(one.b.run_id).toBe(RUN2);
  });

  it('refuses to compare a prompt scorecard with a task scorecard', async () => {
    firstRun();
    await cli('report', '--from-journals');
    const lane: Partial<LaneScorecard> = { lane: 'demo', core_n: 0, prompts: [], reproducibility: { run_id: RUN2 } as LaneScorecard['reproducibility'] };
    writeFileSync(join(results, 'demo.json'), JSON.stringify(lane));
    const mixed = await cli('compare', 'demo', 'demo+oracle');
    expect(mixed.code).toBe(2);
    expect(mixed.err).toMatch(/a prompt-suite scorecard and a task-suite scorecard cannot be compared/);
  });
});

describe('task scorecards carry provenance and share the publisher', () => {
  it('taskScorecard keeps the provenance block it is given; publishScorecard files it by lane+harness', async () => {
    const loaded = loadTaskSuite(suite);
    const reproducibility = {
      suite: loaded.name, suite_hash: loaded.hash, fixture_hash: '', n: 1, parallel: 1, adaptive: false, sampling: { temperature: 0.2 },
      lane_command: 'llama-server -m model.gguf --port 8080', brainbench_version: '0', started_at: 's', ended_at: 'e', machine: 'spark', run_id: RUN1, engine_version: 'llama.cpp b1234',
    } satisfies LaneScorecard['reproducibility'];
    const card = taskScorecard({
      lane: 'spark', harness: 'builtin', environment: 'bwrap', simulated: false, suite: loaded, skipped: {}, n: 1, runId: RUN1, startedAt: 's', endedAt: 'e',
      records: trials('spark', 'builtin', TASKS, 1, () => true, 's'), reproducibility,
    });
    expect(card.reproducibility).toEqual(reproducibility);
    // what the runner passes: the same block prompt scorecards get, from a task suite
    const plan = JSON.parse(readFileSync(join(taskRun(results, RUN1, suite, { lanes: ['spark'], harnesses: ['builtin'], n: 1, records: [] }), 'run.json'), 'utf8')) as RunPlan;
    const made = reproducibilityOf(plan, loaded, { laneCommand: 'llama-server', parallel: 1, startedAt: 's', endedAt: 'e' });
    expect(made).toMatchObject({ suite: loaded.name, suite_hash: loaded.hash, fixture_hash: '', n: 1, lane_command: 'llama-server', run_id: RUN1 });
    const path = await publishScorecard(results, join(results, 'runs', RUN1), card);
    expect(path).toBe(join(results, 'tasks', 'spark+builtin.json'));
    expect(readCard('runs', RUN1, 'scorecards', 'spark+builtin.json').reproducibility?.lane_command).toBe('llama-server -m model.gguf --port 8080');
    await cli('report');
    const summary = readFileSync(join(results, 'summary.md'), 'utf8');
    expect(summary).toContain('### Task provenance');
    expect(summary).toMatch(/\| spark\+builtin \| llama\.cpp b1234 \| — \| 0 \| llama-server -m model\.gguf --port 8080 \|/);
  });

  it('report --html draws the lanes × harnesses heatmap and lists every task card with graded/planned', async () => {
    firstRun();
    await cli('report', '--from-journals');
    const page = join(results, 'report.html');
    expect((await cli('report', '--html', page)).code).toBe(0);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('data-chart="harnesses"');
    expect(html).toContain('<td>demo</td><td>oracle</td>');
    expect(html).toContain('<td>15/15 graded</td>');
    expect(html).toContain('2 task scorecards');
  });
});

// Real task runs from the CLI (the one runner, oracle and null harnesses: no lane needed), then
// every verdict surface on what they left.
const bwrap = await sandboxAvailable();
describe.runIf(bwrap)('verdicts on real task runs', () => {
  async function realRun(): Promise<string> {
    const before = existsSync(join(results, 'runs')) ? readdirSync(join(results, 'runs')) : [];
    const run = await spawnCli(['run', '--lane', 'demo', '--suite', 'tasks-v1', '--harness', 'oracle,null', '-n', '1', '--results', results], { env: { BRAINBENCH_STATE_DIR: tempDir('bb-task-state-') } });
    expect(run.exitCode, String(run.stdout) + String(run.stderr)).toBe(0);
    return readdirSync(join(results, 'runs')).find((id) => !before.includes(id))!;
  }

  it('report, --from-journals, --history, --html and compare all see them', async () => {
    const first = await realRun();
    const second = await realRun();
    const published = readCard('tasks', 'demo+oracle.json');
    expect(published).toMatchObject({ run_id: second, completeness: { lane_errors: 0 } });
    const journal = readFileSync(join(results, 'runs', first, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind?: string });
    expect(journal.every((r) => r.kind === 'trial')).toBe(true);

    const rebuilt = await cli('report', '--from-journals');
    expect(rebuilt.out).toContain('rebuilt 4 scorecards');
    // rebuilding from the journal gives the figures the runner published
    const again = readCard('tasks', 'demo+oracle.json');
    expect([again.run_id, again.pass_rate, again.completeness, again.outcomes]).toEqual([published.run_id, published.pass_rate, published.completeness, published.outcomes]);
    expect(readCard('tasks', 'demo+null.json').pass_rate).toBe(0);

    const history = await cli('report', '--history', 'demo+null');
    expect(history.code).toBe(0);
    expect(history.out).toContain(`${first} `);
    expect(history.out).toContain(`${second} `);

    const page = join(results, 'page.html');
    expect((await cli('report', '--html', page)).code).toBe(0);
    expect(readFileSync(page, 'utf8')).toContain('data-chart="harnesses"');

    const compared = await cli('compare', first, second, '--json');
    const json = JSON.parse(compared.out) as { comparisons: Array<{ a: { key: string; run_id: string }; b: { run_id: string }; prompts: Array<{ prompt_id: string; flag: string | null }> }> };
    // a busy machine may time out a trial, so the figures are not asserted, only that each lane+harness is paired task by task
    expect(json.comparisons.map((c) => [c.a.key, c.a.run_id, c.b.run_id])).toEqual([['demo+null', first, second], ['demo+oracle', first, second]]);
    expect(json.comparisons[1]!.prompts.map((p) => p.prompt_id)).toEqual(published.tasks.map((t) => t.task_id));
    expect(compared.code).toBe(json.comparisons.some((c) => c.prompts.some((p) => p.flag === 'regression')) ? 3 : 0);
  }, 120_000);
});
