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
/** A run of another lane in which five core prompts regressed: enough for the suite verdict at N=5. */
const BROKEN = '20991231-235959-dead';
const FIVE = ['p1_read_grounding', 'p3_tool_plus_compute', 'p4_honesty', 'p6_code_task', 'p8_disambiguation'];

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

/** A kept copy of a run's demo scorecard in which these prompts failed every attempt: a later run that regressed. */
function injectRegression(fromRun: string, runId: string, prompts: string[], lane = 'demo'): void {
  const card = JSON.parse(readFileSync(join(results, 'runs', fromRun, 'scorecards', 'demo.json'), 'utf8')) as LaneScorecard;
  for (const id of prompts) {
    const p = card.prompts.find((s) => s.prompt_id === id)!;
    Object.assign(p, { pass_count: 0, pass_rate: 0, outcomes: { wrong_answer: p.runs } });
  }
  card.lane = lane;
  card.reproducibility = { ...card.reproducibility, run_id: runId, started_at: '2099-12-31T23:59:59Z', ended_at: '2100-01-01T00:00:00Z' };
  const dir = join(results, 'runs', runId, 'scorecards');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${lane}.json`), JSON.stringify(card));
}

beforeAll(async () => {
  results = tempDir('bb-compare-');
  state = tempDir('bb-compare-state-');
  process.env.BRAINBENCH_STATE_DIR = state;
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  for (const brain of ['strong', 'strong', 'weak', 'confabulator']) await runBrain(brain);
  runs = readdirSync(join(results, 'runs')).sort();
  injectRegression(runs[1]!, INJECTED, ['p4_honesty']);
  injectRegression(runs[1]!, BROKEN, FIVE, 'demo-broken');
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
  it('stays quiet on two runs of the same deterministic brain, with an interval of real width and K', async () => {
    const { code, out } = await cli(['compare', runs[0]!, runs[1]!]);
    expect(code).toBe(0);
    // 5/5 against 5/5 on every prompt: the adjusted-rate floor keeps the interval open
    expect(out).toContain('verdict: A and B level: 0 points [-13, 13] — not separable at N=5 over K=11 prompts; no difference seen');
    expect(out).toContain('regression gate: clear — no regression beyond noise');
    expect(out).not.toContain('REGRESSION');
    expect(out).not.toMatch(/^note:/m);
  });

  it('does not fire on one regressed prompt of thirteen at N=5, and says the per-prompt flags cannot fire until N=6', async () => {
    const { code, out } = await cli(['compare', runs[1]!, `${INJECTED}/demo`]);
    expect(code).toBe(0);
    // Fisher p = 2/C(10,5) = 0.008 alone; Holm over 13 prompts: 13 × 0.008 = 0.103
    expect(out).toMatch(/^p4_honesty\s+honesty\s+5\/5 100 %\s+0\/5 0 %\s+-100\s+0\.008\s+0\.103$/m);
    expect(out).toContain('regression gate: clear');
    expect(out).toContain('but: per-prompt flags cannot fire at N=5 over 13 prompts (smallest possible p 0.008, Holm needs < 0.0038); they could at N ≥ 6');
  });

  it('fires the gate (exit 3) when the suite verdict puts B below A', async () => {
    const { code, out } = await cli(['compare', runs[1]!, `${BROKEN}/demo-broken`]);
    expect(code).toBe(3);
    expect(out).toMatch(/^verdict: A ahead of B by 45 points \[\d+, \d+\] — separable at N=5 over K=11 prompts$/m);
    expect(out).toContain('regression gate: fired — B below A on the whole suite beyond noise');
    expect(out.split('\n').filter((l) => l.includes('REGRESSION'))).toHaveLength(0);
  });

  it('does not separate strong from weak at N=5 (three prompts of eleven), nor from a brain that differs by one prompt', async () => {
    const weak = await cli(['compare', 'demo', 'demo+weak']);
    // CR1 with t(10): 27 ± 2.228 × sqrt(24/110)/sqrt(11)… → [-4, 59]; z without K/(K−1) said [1, 54], separable
    expect(weak.out).toContain('verdict: A ahead of B by 27 points [-4, 59] — not separable at N=5 over K=11 prompts; the gap sits in a few prompts');
    expect(weak.code).toBe(0);
    const confab = await cli(['compare', 'demo', 'demo+confabulator']);
    expect(confab.out).toContain('verdict: A ahead of B by 9 points [-11, 29] — not separable at N=5 over K=11 prompts');
  });

  it('prints JSON with --json: Holm-adjusted p, the gate and the verdict', async () => {
    const { out } = await cli(['compare', runs[1]!, `${BROKEN}/demo-broken`, '--json']);
    const json = JSON.parse(out) as {
      a: { lane: string };
      paired: { separable: boolean; quantile: number; unit: string };
      prompts: { prompt_id: string; p: number | null; p_holm: number | null; flag: string | null }[];
      gate: { fired: boolean; suite_regressed: boolean; regressed_prompts: string[]; cannot_fire: string[] };
    };
    expect(json.a.lane).toBe('demo');
    expect(json.paired).toMatchObject({ separable: true, unit: 'prompts' });
    expect(json.paired.quantile).toBeCloseTo(2.228139, 5);
    expect(json.gate).toMatchObject({ fired: true, suite_regressed: true, regressed_prompts: [] });
    const p1 = json.prompts.find((p) => p.prompt_id === 'p1_read_grounding')!;
    expect(p1.p).toBeCloseTo(2 / 252, 12);
    // five equal smallest p of 13: Holm multiplies the first by 13, and later ones stay at least as large
    expect(p1.p_holm).toBeCloseTo((13 * 2) / 252, 12);
  });

  it('notes every difference in set-up between A and B: N, sampling, fixture hash, engine, model', async () => {
    const card = JSON.parse(readFileSync(join(results, 'runs', runs[1]!, 'scorecards', 'demo.json'), 'utf8')) as LaneScorecard;
    const other = { ...card, reproducibility: { ...card.reproducibility, run_id: '20991231-235959-0ddd', n: 3, sampling: { temperature: 1.5 }, fixture_hash: 'f'.repeat(64), engine_version: 'llama.cpp b1', model_identity: { id: 'sha256:abc' } } };
    const dir = join(results, 'runs', '20991231-235959-0ddd', 'scorecards');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'demo.json'), JSON.stringify(other));
    const { out } = await cli(['compare', runs[1]!, '20991231-235959-0ddd/demo']);
    const notes = out.split('\n').filter((l) => l.startsWith('note:'));
    expect(notes.map((l) => l.slice(0, l.indexOf(' differs')))).toEqual(['note: fixture hash', 'note: N', 'note: sampling', 'note: engine', 'note: model']);
    expect(notes[1]).toContain('(A 5; B 3)');
    expect(notes[2]).toContain('B temperature=1.5');
    expect(notes[4]).toContain('A not recorded; B sha256:abc');
    rmSync(join(results, 'runs', '20991231-235959-0ddd'), { recursive: true, force: true });
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
    // every attempt agrees: the interval stays open (adjusted-rate floor), and K is said
    expect(rows[1]).toMatch(/complete\s+0 \[-13, 13\] K=11$/);
    // one of eleven prompts lost: clustered by prompt, CR1 with t(10), the pooled interval is
    // [71, 100] (plain Wilson, attempts as independent, said [80, 96]); the paired one [-29, 11]
    expect(rows[2]).toMatch(/91 % \[71, 100\]\s+50\/55\s.*-9 \[-29, 11\] K=11$/);
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
