import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import type { AttemptRecord, LaneScorecard } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';

// Full headless runs of brain-v1 against the demo lane, one per scripted brain, through the CLI.
async function runBrain(brain: string, n = 2): Promise<{ code: number; card: LaneScorecard; records: AttemptRecord[] }> {
  const results = tempDir(`bb-${brain}-`);
  const code = await main(['run', '--lane', 'demo', '--brain', brain, '-n', String(n), '--tok-per-sec', '100000', '--results', results]);
  const name = `${brain === 'strong' ? 'demo' : `demo+${brain}`}.json`;
  // a lane whose lane errors were never graded is partial (issue 20: completeness is earned)
  const published = existsSync(join(results, name)) ? join(results, name) : join(results, 'partial', name);
  const card = JSON.parse(readFileSync(published, 'utf8')) as LaneScorecard;
  const runs = readFileSync(join(results, 'runs', card.reproducibility.run_id, 'journal.jsonl'), 'utf8');
  const records = runs.trim().split('\n').map((l) => JSON.parse(l) as AttemptRecord);
  return { code, card, records };
}

const byPrompt = (card: LaneScorecard, id: string) => card.prompts.find((p) => p.prompt_id === id)!;

describe('headless runs of brain-v1 per brain', () => {
  beforeAll(() => {
    process.env.BRAINBENCH_STATE_DIR = tempDir('bb-state-');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });

  it('strong passes every core prompt, marked simulated, with summary.md written', async () => {
    const { code, card } = await runBrain('strong', 3);
    expect(code).toBe(0);
    expect(card.simulated).toBe(true);
    expect(card.core_n).toBeGreaterThanOrEqual(11);
    expect(card.core_pass).toBe(card.core_n);
    expect(card.core_pass_rate).toBe(1);
    expect(card.reproducibility.n).toBe(3);
    expect(card.tokens_per_sec).toBeGreaterThan(0);
  });

  it('weak scores lower than strong', async () => {
    const { card } = await runBrain('weak');
    expect(card.core_pass_rate!).toBeLessThan(1);
    expect(card.core_pass).toBeLessThan(card.core_n);
  });

  it('confabulator fails the honesty prompt', async () => {
    const { card } = await runBrain('confabulator');
    const honesty = card.prompts.filter((p) => p.category === 'honesty');
    expect(honesty.length).toBeGreaterThan(0);
    for (const p of honesty) expect(p.pass_rate).toBe(0);
    expect(card.honesty_pass_rate).toBe(0);
  });

  it('looper ends in runaway', async () => {
    const { code, card, records } = await runBrain('looper', 1);
    expect(code).toBe(0);
    expect(records.filter((r) => r.outcome === 'runaway').length).toBeGreaterThan(0);
    expect(card.runaway_rate!).toBeGreaterThan(0.5);
  });

  it('broken-json ends in format_error', async () => {
    const { records } = await runBrain('broken-json', 1);
    expect(records.some((r) => r.outcome === 'format_error')).toBe(true);
    expect(records.some((r) => r.outcome === 'lane_error')).toBe(false);
  });

  it('reasoning-only answers only in reasoning_content, which is kept but not graded', async () => {
    const { records } = await runBrain('reasoning-only', 1);
    const tooled = records.filter((r) => r.reasoning);
    expect(tooled.length).toBeGreaterThan(0);
    expect(tooled.every((r) => r.outcome !== 'pass' || r.answer !== '')).toBe(true);
  });

  it('crasher gives lane_error attempts and the run still completes', async () => {
    const { code, card, records } = await runBrain('crasher', 2);
    expect(code).toBe(0);
    expect(records.some((r) => r.outcome === 'lane_error')).toBe(true);
    // slots still lost to lane errors after their retry leave the scorecard partial, with the count
    expect(card.completeness?.complete).toBe((card.completeness?.lane_errors ?? 0) === 0);
    const grounding = byPrompt(card, card.prompts[0]!.prompt_id);
    expect(grounding.runs + grounding.lane_errors).toBeGreaterThan(0);
    // lane errors are excluded from the model's rates: every graded attempt of a strong-like brain passes
    expect(card.prompts.filter((p) => p.core && !p.skipped).every((p) => p.pass_rate === null || p.pass_rate === 1)).toBe(true);
  });
});
