import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import type { LaneScorecard } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';

// Real headless runs of the deterministic demo brains at N=5 (issue 15 acceptance): two runs of
// the same brain, one run with a regression injected into a copy of its scorecard, and the weak
// and confabulating brains beside the strong one.
let results: string;
let state: string;
let runs: string[];
const INJECTED = '20991231-235959-beef';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main([...args, '--results', results]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

async function runBrain(brain: string): Promise<void> {
  const { code } = await cli(['run', '--lane', 'demo', '--brain', brain, '-n', '5', '--tok-per-sec', '100000']);
  expect(code).toBe(0);
}

/** A kept copy of a run's demo scorecard in which p4_honesty failed every attempt: a later run that regressed. */
function injectRegression(fromRun: string): void {
  const card = JSON.parse(readFileSync(join(results, 'runs', fromRun, 'scorecards', 'demo.json'), 'utf8')) as LaneScorecard;
  const p4 = card.prompts.find((p) => p.prompt_id === 'p4_honesty')!;
  Object.assign(p4, { pass_count: 0, pass_rate: 0, outcomes: { wrong_answer: p4.runs } });
  card.reproducibility = { ...card.reproducibility, run_id: INJECTED, started_at: '2099-12-31T23:59:59Z', ended_at: '2100-01-01T00:00:00Z' };
  const dir = join(results, 'runs', INJECTED, 'scorecards');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'demo.json'), JSON.stringify(card));
}

beforeAll(async () => {
  results = tempDir('bb-compare-');
  state = tempDir('bb-compare-state-');
  process.env.BRAINBENCH_STATE_DIR = state;
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  for (const brain of ['strong', 'strong', 'weak', 'confabulator']) await runBrain(brain);
  runs = readdirSync(join(results, 'runs')).sort();
  injectRegression(runs[1]!);
}, 180_000);

afterAll(() => {
  vi.restoreAllMocks();
  rmSync(results, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

describe('scorecards carry their statistics', () => {
  it('writes pass^k and pass@k per prompt and the lane statistics at k = N', () => {
    const weak = JSON.parse(readFileSync(join(results, 'demo+weak.json'), 'utf8')) as LaneScorecard;
    const chain = weak.prompts.find((p) => p.prompt_id === 'p2_multistep_chain')!;
    expect([chain.pass_hat_k, chain.pass_at_k]).toEqual([0, 0]);
    expect(weak.statistics).toMatchObject({ k: 5, pass_count: 40, runs: 55, all_pass: 8, all_fail: 3, split: 0, pass_hat_k: 8 / 11, pass_at_k: 8 / 11 });
    expect(weak.statistics!.categories.find((c) => c.category === 'chain')).toMatchObject({ prompts: 1, pass_count: 0, runs: 5 });
  });
});

describe('brainbench compare', () => {
  it('stays quiet on two runs of the same deterministic brain', async () => {
    const { code, out } = await cli(['compare', runs[0]!, runs[1]!]);
    expect(code).toBe(0);
    expect(out).toContain('verdict: A and B level: 0 points [0, 0] — not separable at N=5; no difference seen');
    expect(out).toContain('regressions beyond noise: none');
    expect(out).not.toContain('REGRESSION');
  });

  it('flags an injected regression, and only that prompt', async () => {
    const { code, out } = await cli(['compare', runs[1]!, `${INJECTED}/demo`]);
    expect(code).toBe(3);
    const flagged = out.split('\n').filter((l) => l.includes('REGRESSION'));
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatch(/^p4_honesty\s+honesty\s+5\/5 100 %\s+0\/5 0 %\s+-100\s+0\.008\s+REGRESSION$/);
    expect(out).toContain('regressions beyond noise: 1 (p4_honesty)');
  });

  it('separates strong from weak but not from a brain that differs by one prompt', async () => {
    const weak = await cli(['compare', 'demo', 'demo+weak']);
    expect(weak.out).toContain('verdict: A ahead of B by 27 points [1, 54] — separable at N=5');
    const confab = await cli(['compare', 'demo', 'demo+confabulator']);
    expect(confab.out).toContain('verdict: A ahead of B by 9 points [-8, 26] — not separable at N=5');
  });

  it('prints JSON with --json', async () => {
    const { out } = await cli(['compare', 'demo', 'demo+weak', '--json']);
    const json = JSON.parse(out) as { a: { lane: string }; paired: { separable: boolean }; prompts: { prompt_id: string; flag: string | null }[] };
    expect(json.a.lane).toBe('demo');
    expect(json.paired.separable).toBe(true);
    expect(json.prompts.filter((p) => p.flag === 'regression').map((p) => p.prompt_id)).toEqual(['p2_multistep_chain', 'p7_multi_file_join', 'p10_error_recovery']);
  });

  it('refuses what it cannot resolve, with a suggestion', async () => {
    const unknown = await cli(['compare', 'demo', 'demo+wek']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('did you mean demo+weak');
    expect((await cli(['compare', 'demo'])).code).toBe(2);
  });
});

describe('brainbench report --history and --html', () => {
  it('lists the lane runs oldest first with intervals, status and the change from the run before', async () => {
    const { code, out } = await cli(['report', '--history', 'demo']);
    expect(code).toBe(0);
    const rows = out.split('\n').filter((l) => /^\d{8}-\d{6}-[0-9a-f]{4}\s/.test(l));
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual([runs[0], runs[1], INJECTED]);
    expect(rows[0]).toMatch(/\s5\s+100 % \[93, 100\]\s+55\/55\s.*complete\s+—$/);
    expect(rows[1]).toMatch(/complete\s+0 \[0, 0\]$/);
    expect(rows[2]).toMatch(/91 % \[80, 96\]\s+50\/55\s.*-9 \[-26, 8\]$/);
    expect((await cli(['report', '--history', 'nobody'])).code).toBe(1);
  });

  it('writes one self-contained HTML file with both charts', async () => {
    const file = join(results, 'out', 'report.html');
    const { code, out } = await cli(['report', '--html', file]);
    expect(code).toBe(0);
    expect(out).toContain(`wrote ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('data-chart="frontier"');
    expect(html).toContain('data-chart="heatmap"');
    // nothing to fetch: no external src/href, no stylesheet or script, url() only to the page's own gradients
    const external = html.match(/(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]*|url\((?!#)[^)]*\)|@import[^;]*|<script[^>]*>|<link[^>]*>/gi);
    expect(external).toBeNull();
  });
});
