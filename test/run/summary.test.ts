import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadScorecards, scorecardFileName, writeScorecard } from '../../src/verdict/scorecard-files.js';
import { renderRankTable, renderSummary, writeSummary } from '../../src/verdict/summary.js';
import type { LaneScorecard, PromptStats } from '../../src/types.js';
import { tempDir } from '../helpers/tmp.js';

function promptStat(id: string, fields: Partial<PromptStats> = {}): PromptStats {
  return {
    prompt_id: id,
    category: 'grounding',
    core: true,
    vibe: false,
    runs: 5,
    pass_count: 5,
    pass_rate: 1,
    agreement: 1,
    answer_agreement: 1,
    correct_tool_rate: 1,
    runaway_rate: 0,
    wall: { mean: 10, min: 8, max: 12 },
    wilson95: { low: 0.57, high: 1 },
    outcomes: { pass: 5 },
    lane_errors: 0,
    ...fields,
  };
}

function card(lane: string, fields: Partial<LaneScorecard>): LaneScorecard {
  return {
    lane,
    simulated: false,
    core_pass: 8,
    core_n: 8,
    core_pass_rate: 1,
    consistency: 1,
    runaway_rate: 0,
    honesty_pass_rate: 1,
    json_format_pass_rate: 1,
    clean_run_rate: 1,
    tokens_per_sec: 50,
    decode_tokens_per_sec: null,
    latency: { mean: 12.34, p50: 11, p95: 30.25, max: 41 },
    telemetry: { n_samples: 7200, gpu_util_mean: 71.4, gpu_util_max: 99, unified_used_gb_max: 50, gpu_temp_c_max: 72, power_w_max: 95.5 },
    escape_attempts: 0,
    prompts: [promptStat('p1_read_grounding')],
    reproducibility: {
      suite: 'brain-v1',
      suite_hash: '0123456789abcdef0123',
      fixture_hash: 'f1',
      n: 5,
      parallel: 1,
      adaptive: false,
      sampling: { temperature: 0.6 },
      lane_command: 'llama-server ...',
      brainbench_version: '0.1.0',
      started_at: '2025-01-01T00:00:00Z',
      ended_at: '2025-01-01T02:00:00Z',
      machine: 'spark-1 (GB10)',
      run_id: `run-${lane}`,
    },
    ...fields,
  };
}

/** The published DGX Spark reference (N=5, 8 core prompts), given in scrambled order. */
const referenceCards: LaneScorecard[] = [
  card('nim-incumbent', { core_pass: 6, core_pass_rate: 0.775, consistency: 0.825, runaway_rate: 0.025, tokens_per_sec: 23.9, telemetry: { n_samples: 10, gpu_util_mean: 60, gpu_util_max: 97, unified_used_gb_max: 92.9, gpu_temp_c_max: 68, power_w_max: 80 } }),
  card('qwen3-30b-moe-vllm-fp8', { core_pass: 8, core_pass_rate: 0.875, consistency: 0.875, runaway_rate: 0, tokens_per_sec: 55.0, telemetry: { n_samples: 10, gpu_util_mean: 70, gpu_util_max: 98, unified_used_gb_max: 97.8, gpu_temp_c_max: 70, power_w_max: 85 } }),
  card('qwen3-30b-moe-llamacpp-q4km', { core_pass: 8, core_pass_rate: 0.9, consistency: 0.9, runaway_rate: 0.05, tokens_per_sec: 83.5, telemetry: { n_samples: 10, gpu_util_mean: 80, gpu_util_max: 99, unified_used_gb_max: 31.8, gpu_temp_c_max: 71, power_w_max: 90 } }),
];

describe('the published reference table', () => {
  it('renders exactly the reference rows, in rank order', () => {
    const summary = renderSummary(referenceCards, { generatedAt: '2025-01-01T03:00:00Z' });
    const lines = summary.split('\n');
    const header = lines.indexOf('| Rank | Lane | core_pass | pass_rate | consistency | runaway | tok/s | peak unified |');
    expect(header).toBeGreaterThan(-1);
    expect(lines[header + 1]).toMatch(/^\| --- (\| --- )+\|$/);
    expect(lines.slice(header + 2, header + 5)).toEqual([
      '| 1 | qwen3-30b-moe-llamacpp-q4km | 8/8 | 90 % | 90 % | 5 % | 83.5 | 31.8 GB |',
      '| 2 | qwen3-30b-moe-vllm-fp8 | 8/8 | 88 % | 88 % | 0 % | 55.0 | 97.8 GB |',
      '| 3 | nim-incumbent | 6/8 | 78 % | 82 % | 2 % | 23.9 | 92.9 GB |',
    ]);
    expect(lines[header + 5]).toBe('');
  });
});

describe('renderSummary', () => {
  const vibe = promptStat('p9_vibe_summary', { vibe: true, core: false, category: 'summary', pass_rate: 0.6, pass_count: 3, answer_agreement: 0.4 });
  const cards = [
    card('demo', {
      simulated: true,
      tokens_per_sec: null,
      telemetry: null,
      latency: null,
      prompts: [promptStat('p1_read_grounding', { pass_rate: 0.8, pass_count: 4 }), promptStat('p7_shell', { skipped: 'needs shell (bubblewrap missing)', runs: 0, pass_rate: null }), vibe],
      reproducibility: { ...card('x', {}).reproducibility, parallel: 2, adaptive: true, run_id: 'run-demo' },
    }),
    card('liar', { core_pass_rate: 1, honesty_pass_rate: 0.2, prompts: [promptStat('p1_read_grounding', { pass_rate: 0.5, pass_count: 1, runs: 2, decided_early: true })] }),
  ];
  const summary = renderSummary(cards, { generatedAt: '2025-06-01T00:00:00Z' });

  it('says how it was made and marks simulated lanes', () => {
    expect(summary).toMatch(/^# brainbench results\n/);
    expect(summary).toContain('brain-v1 (sha256 0123456789ab)');
    expect(summary).toContain('N=5');
    expect(summary).toContain('parallel 2');
    expect(summary).toContain('adaptive');
    expect(summary).toContain('2025-06-01T00:00:00Z');
    expect(summary).toContain('| 1 | demo (simulated) |');
  });

  it('ranks a gated lane last and says why', () => {
    expect(summary).toContain('| 2 | liar |');
    expect(summary).toMatch(/\*\*liar\*\* is gated: honesty pass rate 20 % < 50 %/);
  });

  it('prints missing values as —', () => {
    expect(summary).toContain('| 1 | demo (simulated) | 8/8 | 100 % | 100 % | 0 % | — | — |');
    expect(summary).toContain('| demo (simulated) | — | — | — | — | — | — |');
    expect(summary).toContain('| demo (simulated) | — | — | — | — |');
  });

  it('has per-prompt pass rates with skipped prompts, absent ones and decided-early marks', () => {
    expect(summary).toContain('| Prompt | category | core | demo (simulated) | liar |');
    expect(summary).toContain('| p1_read_grounding | grounding | yes | 80 % (4/5) [38, 96] | 50 % (1/2) [9, 91] * |');
    expect(summary).toContain('| p7_shell | grounding | yes | skipped | — |');
    expect(summary).toContain('decided early');
  });

  it('has telemetry and latency tables', () => {
    expect(summary).toContain('| liar | 7200 | 71 % | 99 % | 50.0 GB | 72 °C | 95.5 W |');
    expect(summary).toContain('| liar | 12.3 s | 11.0 s | 30.2 s | 41.0 s |');
  });

  it('lists vibe prompts in the review queue with where to read the answers', () => {
    const queue = summary.slice(summary.indexOf('## Vibe review queue'));
    expect(queue).toContain('| p9_vibe_summary | demo (simulated) | 60 % | 40 % | answers in runs/run-demo/journal.jsonl |');
    expect(queue).not.toContain('p1_read_grounding');
  });

  it('says so when no lane was gated and no vibe prompt ran', () => {
    const plain = renderSummary([card('a', {})], { generatedAt: 'now' });
    expect(plain).toContain('Every lane passed the honesty gate.');
    expect(plain).toContain('No vibe prompt ran.');
    expect(plain).not.toContain('simulated');
  });
});

describe('scorecard files', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('bb-summary-');
  });

  it('sanitises lane ids into file names', () => {
    expect(scorecardFileName('qwen3-30b-moe-llamacpp-q4km')).toBe('qwen3-30b-moe-llamacpp-q4km.json');
    // through safeFileName: an id that had to change keeps a hash of itself, so ids stay distinct
    expect(scorecardFileName('../etc/passwd')).toMatch(/^__etc_passwd-[0-9a-f]{8}\.json$/);
    expect(scorecardFileName('my lane:1')).toMatch(/^my_lane_1-[0-9a-f]{8}\.json$/);
    expect(scorecardFileName('a/b')).not.toBe(scorecardFileName('a_b'));
  });

  it('writes scorecards and loads them back, ignoring other JSON and reporting broken files', async () => {
    const written = await Promise.all(referenceCards.map((c) => writeScorecard(dir, c)));
    expect(written[0]).toBe(join(dir, 'nim-incumbent.json'));
    await writeFile(join(dir, 'notes.json'), JSON.stringify({ hello: 'world' }));
    await writeFile(join(dir, 'broken.json'), '{"lane": "half');
    const problems: string[] = [];
    const loaded = await loadScorecards(dir, (m) => problems.push(m));
    expect(loaded.map((c) => c.lane).sort()).toEqual(referenceCards.map((c) => c.lane).sort());
    expect(loaded.find((c) => c.lane === 'nim-incumbent')).toEqual(referenceCards[0]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(join(dir, 'broken.json'));
  });

  it('loads nothing from a missing folder', async () => {
    expect(await loadScorecards(join(dir, 'absent'))).toEqual([]);
  });

  it('writes summary.md atomically, leaving no temp file', async () => {
    const path = await writeSummary(join(dir, 'results'), referenceCards, { generatedAt: 'then' });
    expect(path).toBe(join(dir, 'results', 'summary.md'));
    expect(await readFile(path, 'utf8')).toBe(renderSummary(referenceCards, { generatedAt: 'then' }));
    expect(await readdir(join(dir, 'results'))).toEqual(['summary.md']);
  });

  it('renderRankTable is the table alone', () => {
    const lines = renderRankTable(referenceCards).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toBe('| 1 | qwen3-30b-moe-llamacpp-q4km | 8/8 | 90 % | 90 % | 5 % | 83.5 | 31.8 GB |');
  });
});
