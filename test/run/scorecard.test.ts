import { describe, expect, it } from 'vitest';
import { rankLanes } from '../../src/verdict/rank.js';
import { laneScorecard, normaliseAnswer, promptStats, type LaneScorecardInput } from '../../src/verdict/scorecard.js';
import type { AttemptRecord, LaneScorecard, Outcome, Prompt } from '../../src/types.js';

function prompt(id: string, overrides: Partial<Prompt> = {}): Prompt {
  return {
    id,
    prompt: `prompt ${id}`,
    category: 'grounding',
    core: true,
    vibe: false,
    expect_tool_any: ['read'],
    check: { kind: 'substring', all: ['x'] },
    source: { file: 'prompts.jsonl', line: 1 },
    extra: {},
    ...overrides,
  };
}

let attemptCounter = 0;
function record(promptId: string, outcome: Outcome, overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  attemptCounter++;
  return {
    lane: 'lane-a',
    prompt_id: promptId,
    attempt: attemptCounter,
    outcome,
    check_passed: outcome === 'pass',
    why: '',
    correct_tool: outcome === 'pass',
    tools_called: ['read_file'],
    tool_errors: 0,
    turns: 2,
    tokens: { prompt: 10, completion: 5 },
    wall_s: 10,
    ttft_s: 0.1,
    answer: outcome === 'pass' ? 'ORION-7' : 'unknown',
    transcript: 'runs/r1/transcripts/x.json',
    escape_attempts: 0,
    started_at: '2025-01-01T00:00:00Z',
    ended_at: '2025-01-01T00:00:10Z',
    ...overrides,
  };
}

const reproducibility: LaneScorecard['reproducibility'] = {
  suite: 'brain-v1',
  suite_hash: 'abc',
  fixture_hash: 'def',
  n: 5,
  parallel: 1,
  adaptive: false,
  sampling: { temperature: 0 },
  lane_command: 'llama-server -m x.gguf',
  brainbench_version: '0.1.0',
  started_at: '2025-01-01T00:00:00Z',
  ended_at: '2025-01-01T01:00:00Z',
  machine: 'spark',
  run_id: 'r1',
};

function input(overrides: Partial<LaneScorecardInput>): LaneScorecardInput {
  return { lane: 'lane-a', simulated: false, prompts: [], records: [], skipped: {}, probe: null, telemetry: null, reproducibility, ...overrides };
}

describe('normaliseAnswer', () => {
  it('lowercases, collapses whitespace and strips trailing punctuation', () => {
    expect(normaliseAnswer('  The codename is\n  ORION-7.  ')).toBe('the codename is orion-7');
    expect(normaliseAnswer('42,000!?')).toBe('42,000');
    expect(normaliseAnswer('Budget: 42,000 …')).toBe('budget: 42,000');
  });
});

describe('promptStats', () => {
  it('excludes lane errors from every rate and counts them', () => {
    const records = [
      record('p1', 'pass', { wall_s: 4 }),
      record('p1', 'pass', { wall_s: 6 }),
      record('p1', 'runaway', { wall_s: 20, answer: '' }),
      record('p1', 'lane_error', { wall_s: 100 }),
      record('p1', 'lane_error', { wall_s: 100 }),
      record('other', 'pass'),
    ];
    const stats = promptStats(prompt('p1'), records);
    expect(stats.runs).toBe(3);
    expect(stats.pass_count).toBe(2);
    expect(stats.pass_rate).toBeCloseTo(2 / 3);
    expect(stats.agreement).toBeCloseTo(2 / 3);
    expect(stats.runaway_rate).toBeCloseTo(1 / 3);
    expect(stats.correct_tool_rate).toBeCloseTo(2 / 3);
    expect(stats.lane_errors).toBe(2);
    expect(stats.wall).toEqual({ mean: 10, min: 4, max: 20 });
    expect(stats.outcomes).toEqual({ pass: 2, runaway: 1, lane_error: 2 });
    expect(stats.wilson95!.low).toBeGreaterThan(0);
    expect(stats.skipped).toBeUndefined();
  });

  it('agreement is the verdict majority share, not the pass rate', () => {
    const records = [record('p1', 'pass'), record('p1', 'wrong_answer'), record('p1', 'wrong_answer'), record('p1', 'no_tool_call'), record('p1', 'wrong_answer')];
    const stats = promptStats(prompt('p1'), records);
    expect(stats.pass_rate).toBeCloseTo(0.2);
    expect(stats.agreement).toBeCloseTo(0.8);
  });

  it('answer_agreement is the share giving the modal normalised answer', () => {
    const answers = ['ORION-7', 'orion-7.', '  Orion-7 ', 'ORION-8', 'I do not know'];
    const records = answers.map((answer) => record('p1', 'pass', { answer }));
    expect(promptStats(prompt('p1'), records).answer_agreement).toBeCloseTo(0.6);
  });

  it('a skipped prompt has runs 0, null rates and its reason', () => {
    const stats = promptStats(prompt('p1', { conditional: 'shell' }), [record('p1', 'pass')], { skipped: 'needs shell (bubblewrap missing)' });
    expect(stats).toMatchObject({ runs: 0, pass_count: 0, pass_rate: null, agreement: null, answer_agreement: null, wall: null, wilson95: null, skipped: 'needs shell (bubblewrap missing)' });
  });

  it('marks prompts decided early', () => {
    expect(promptStats(prompt('p1'), [record('p1', 'pass')], { decidedEarly: true }).decided_early).toBe(true);
    expect(promptStats(prompt('p1'), [record('p1', 'pass')]).decided_early).toBeUndefined();
  });
});

describe('laneScorecard', () => {
  const prompts = [
    prompt('core1'),
    prompt('core2'),
    prompt('honest', { category: 'honesty', expect_tool_any: [] }),
    prompt('json', { category: 'json_format', core: false }),
    prompt('shell', { conditional: 'shell' }),
  ];
  const records = [
    ...[1, 2, 3, 4, 5].map((i) => record('core1', 'pass', { wall_s: i })),
    record('core2', 'pass', { wall_s: 6 }),
    record('core2', 'pass', { wall_s: 7, tool_errors: 1 }),
    record('core2', 'runaway', { wall_s: 8 }),
    record('core2', 'wrong_answer', { wall_s: 9 }),
    record('core2', 'wrong_answer', { wall_s: 10, escape_attempts: 2 }),
    record('core2', 'lane_error', { wall_s: 500 }),
    ...[1, 2, 3, 4, 5].map((i) => record('honest', i <= 2 ? 'pass' : 'wrong_answer', { wall_s: 11 })),
    ...[1, 2, 3, 4, 5].map((i) => record('json', i <= 4 ? 'pass' : 'wrong_answer', { wall_s: 12 })),
  ];
  const card = laneScorecard(
    input({
      prompts,
      records,
      skipped: { shell: 'needs shell' },
      probe: { requests: 3, tokens_per_sec: 83.5, decode_tokens_per_sec: 90.1 },
      telemetry: { n_samples: 10, gpu_util_mean: 80, gpu_util_max: 99, unified_used_gb_max: 31.8, gpu_temp_c_max: 70, power_w_max: 90 },
    }),
  );

  it('scores core prompts only for core_pass, core_pass_rate and consistency', () => {
    // core: core1 (5/5), core2 (2/5), honest (2/5); json is not core; shell is skipped.
    expect(card.core_n).toBe(3);
    expect(card.core_pass).toBe(1);
    expect(card.core_pass_rate).toBeCloseTo((1 + 0.4 + 0.4) / 3);
    expect(card.consistency).toBeCloseTo((1 + 0.6 + 0.6) / 3);
  });

  it('computes lane-wide rates over graded attempts', () => {
    expect(card.runaway_rate).toBeCloseTo(1 / 20);
    expect(card.honesty_pass_rate).toBeCloseTo(0.4);
    expect(card.json_format_pass_rate).toBeCloseTo(0.8);
    // clean = pass, no tool errors, no escapes: 5 + 1 + 2 + 4 of 20 graded attempts.
    expect(card.clean_run_rate).toBeCloseTo(12 / 20);
    expect(card.escape_attempts).toBe(2);
  });

  it('takes throughput from the probe and latency from graded attempt walls', () => {
    expect(card.tokens_per_sec).toBe(83.5);
    expect(card.decode_tokens_per_sec).toBe(90.1);
    expect(card.latency).toEqual({ mean: (15 + 40 + 55 + 60) / 20, p50: 10, p95: 12, max: 12 });
    expect(card.telemetry?.unified_used_gb_max).toBe(31.8);
  });

  it('lists every prompt, skipped ones with their reason', () => {
    expect(card.prompts.map((p) => p.prompt_id)).toEqual(['core1', 'core2', 'honest', 'json', 'shell']);
    expect(card.prompts[4]).toMatchObject({ skipped: 'needs shell', runs: 0, pass_rate: null });
    expect(card.prompts[1]!.lane_errors).toBe(1);
  });

  it('has null rates and zero counts with no records', () => {
    const empty = laneScorecard(input({ prompts: [prompt('a')] }));
    expect(empty).toMatchObject({ core_pass: 0, core_n: 1, core_pass_rate: null, consistency: null, runaway_rate: null, honesty_pass_rate: null, clean_run_rate: null, latency: null, tokens_per_sec: null });
  });
});

function card(lane: string, fields: Partial<LaneScorecard>): LaneScorecard {
  return {
    lane,
    simulated: false,
    core_pass: 0,
    core_n: 8,
    core_pass_rate: 0.5,
    consistency: 0.5,
    runaway_rate: 0,
    honesty_pass_rate: null,
    json_format_pass_rate: null,
    clean_run_rate: null,
    tokens_per_sec: 50,
    decode_tokens_per_sec: null,
    latency: null,
    telemetry: null,
    escape_attempts: 0,
    prompts: [],
    reproducibility,
    ...fields,
  };
}

const order = (cards: LaneScorecard[]) => rankLanes(cards).map((c) => c.lane);

describe('rankLanes', () => {
  it('orders by core_pass_rate, then consistency, then fewer runaways, then tok/s', () => {
    const cards = [
      card('slow', { core_pass_rate: 0.8, consistency: 0.9, runaway_rate: 0, tokens_per_sec: 10 }),
      card('fast', { core_pass_rate: 0.8, consistency: 0.9, runaway_rate: 0, tokens_per_sec: 90 }),
      card('loopy', { core_pass_rate: 0.8, consistency: 0.9, runaway_rate: 0.1, tokens_per_sec: 200 }),
      card('flaky', { core_pass_rate: 0.8, consistency: 0.7, tokens_per_sec: 300 }),
      card('best', { core_pass_rate: 0.9, consistency: 0.6, tokens_per_sec: 1 }),
    ];
    expect(order(cards)).toEqual(['best', 'fast', 'slow', 'loopy', 'flaky']);
  });

  it('puts gated lanes after every lane that passes the honesty gate', () => {
    const cards = [
      card('liar', { core_pass_rate: 1, honesty_pass_rate: 0.4 }),
      card('honest', { core_pass_rate: 0.5, honesty_pass_rate: 0.5 }),
      card('no-honesty-prompt', { core_pass_rate: 0.6, honesty_pass_rate: null }),
      card('worse-liar', { core_pass_rate: 0.2, honesty_pass_rate: 0 }),
    ];
    expect(order(cards)).toEqual(['no-honesty-prompt', 'honest', 'liar', 'worse-liar']);
  });

  it('ranks missing values last and keeps full ties in input order', () => {
    const cards = [
      card('no-probe', { tokens_per_sec: null }),
      card('tie-a', {}),
      card('no-rate', { core_pass_rate: null }),
      card('tie-b', {}),
    ];
    expect(order(cards)).toEqual(['tie-a', 'tie-b', 'no-probe', 'no-rate']);
  });

  it('does not change its input', () => {
    const cards = [card('b', { core_pass_rate: 0.1 }), card('a', { core_pass_rate: 0.9 })];
    rankLanes(cards);
    expect(cards.map((c) => c.lane)).toEqual(['b', 'a']);
  });
});
