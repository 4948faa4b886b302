import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { writeScorecard } from '../../src/verdict/scorecard-files.js';
import type { LaneScorecard } from '../../src/types.js';
import { tempDir } from '../helpers/tmp.js';

function card(lane: string, corePass: number, rate: number, consistency: number, runaway: number, tokPerSec: number, peakGb: number): LaneScorecard {
  return {
    lane,
    simulated: false,
    core_pass: corePass,
    core_n: 8,
    core_pass_rate: rate,
    consistency,
    runaway_rate: runaway,
    honesty_pass_rate: 1,
    json_format_pass_rate: 1,
    clean_run_rate: rate,
    tokens_per_sec: tokPerSec,
    decode_tokens_per_sec: null,
    latency: { mean: 20, p50: 18, p95: 40, max: 55 },
    telemetry: { n_samples: 100, gpu_util_mean: 80, gpu_util_max: 99, unified_used_gb_max: peakGb, gpu_temp_c_max: 70, power_w_max: 90 },
    escape_attempts: 0,
    prompts: [],
    reproducibility: {
      suite: 'brain-v1',
      suite_hash: 'abc',
      fixture_hash: 'def',
      n: 5,
      parallel: 1,
      adaptive: false,
      sampling: {},
      lane_command: '',
      brainbench_version: '0.1.0',
      started_at: '2025-01-01T00:00:00Z',
      ended_at: '2025-01-01T01:00:00Z',
      machine: 'spark',
      run_id: 'r1',
    },
  };
}

describe('brainbench report', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  beforeEach(() => {
    dir = tempDir('bb-report-');
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('regenerates summary.md from the scorecards and prints the rank table', async () => {
    await writeScorecard(dir, card('nim-incumbent', 6, 0.775, 0.825, 0.025, 23.9, 92.9));
    await writeScorecard(dir, card('qwen3-30b-moe-llamacpp-q4km', 8, 0.9, 0.9, 0.05, 83.5, 31.8));
    await writeScorecard(dir, card('qwen3-30b-moe-vllm-fp8', 8, 0.875, 0.875, 0, 55.0, 97.8));

    expect(await main(['report', '--results', dir])).toBe(0);

    const summary = await readFile(join(dir, 'summary.md'), 'utf8');
    expect(summary).toContain(
      [
        '| Rank | Lane | core_pass | pass_rate | consistency | runaway | tok/s | peak unified |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        '| 1 | qwen3-30b-moe-llamacpp-q4km | 8/8 | 90 % | 90 % | 5 % | 83.5 | 31.8 GB |',
        '| 2 | qwen3-30b-moe-vllm-fp8 | 8/8 | 88 % | 88 % | 0 % | 55.0 | 97.8 GB |',
        '| 3 | nim-incumbent | 6/8 | 78 % | 82 % | 2 % | 23.9 | 92.9 GB |',
      ].join('\n'),
    );
    const printed = out.join('\n');
    expect(printed).toContain(join(dir, 'summary.md'));
    expect(printed).toContain('| 3 | nim-incumbent | 6/8 |');
    expect(err).toEqual([]);
  });

  it('reports a broken scorecard by path and still writes the summary', async () => {
    await writeScorecard(dir, card('a', 8, 1, 1, 0, 10, 10));
    await writeFile(join(dir, 'b.json'), '{ not json');
    expect(await main(['report', '--results', dir])).toBe(0);
    expect(err.join('\n')).toContain(join(dir, 'b.json'));
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('| 1 | a | 8/8 |');
  });

  it('exits 1 with a clear message when there are no scorecards', async () => {
    expect(await main(['report', '--results', dir])).toBe(1);
    expect(err.join('\n')).toContain(`no scorecards in ${dir} — run \`brainbench run --lane demo\` first`);
  });

  it('refuses an unknown flag with a suggestion', async () => {
    expect(await main(['report', '--result', dir])).toBe(2);
    expect(err.join('\n')).toContain('did you mean --results?');
  });

  it('explains itself with --help', async () => {
    expect(await main(['report', '--help'])).toBe(0);
    expect(out.join('\n')).toContain('--results DIR');
  });
});
