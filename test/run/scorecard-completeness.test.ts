// Issue 12: a scorecard says whether it is complete; partial ones are filed apart, listed apart
// and never ranked; every id in summary.md is escaped for Markdown.
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rankRows, promptRateLines } from '../../src/cockpit/leaderboard.js';
import { loadScorecards, publishScorecard, scorecardFileName } from '../../src/verdict/scorecard-files.js';
import { isComplete, partialLabel, scorecardCompleteness } from '../../src/verdict/scorecard.js';
import { renderRankTable, renderSummary } from '../../src/verdict/summary.js';
import type { AttemptRecord, LaneScorecard, Outcome, Prompt, PromptStats } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';

const prompt = (id: string): Prompt => ({
  id,
  prompt: id,
  category: 'grounding',
  core: true,
  vibe: false,
  expect_tool_any: [],
  check: { kind: 'substring', all: ['x'] },
  source: { file: 'prompts.jsonl', line: 1 },
  extra: {},
});

const rec = (promptId: string, attempt: number, outcome: Outcome, retry = false): AttemptRecord => ({
  lane: 'l',
  prompt_id: promptId,
  attempt,
  outcome,
  check_passed: outcome === 'pass',
  why: '',
  correct_tool: true,
  tools_called: [],
  turns: 1,
  tokens: { prompt: 1, completion: 1 },
  wall_s: 1,
  ttft_s: 0.1,
  answer: '',
  transcript: '',
  escape_attempts: 0,
  started_at: '2026-01-01T00:00:00.000Z',
  ended_at: '2026-01-01T00:00:01.000Z',
  ...(retry ? { retry: true } : {}),
});

describe('scorecardCompleteness', () => {
  const ran = [prompt('a'), prompt('b')];

  it('counts graded slots against prompts × N', () => {
    const records = [rec('a', 1, 'pass'), rec('a', 2, 'wrong_answer'), rec('b', 1, 'pass')];
    expect(scorecardCompleteness(ran, records, 2)).toEqual({ attempts_done: 3, attempts_planned: 4, complete: false, lane_errors: 0, degraded: false });
    expect(scorecardCompleteness(ran, [...records, rec('b', 2, 'runaway')], 2).complete).toBe(true);
  });

  it('counts slots, not records: a journal line written twice does not make N+1 attempts', () => {
    const records = [rec('a', 1, 'pass'), rec('a', 1, 'pass'), rec('a', 2, 'pass'), rec('b', 1, 'pass')];
    expect(scorecardCompleteness(ran, records, 2)).toMatchObject({ attempts_done: 3, attempts_planned: 4, complete: false });
  });

  it('a lane_error is not graded, retried or not: the scorecard stays partial and counts it', () => {
    const records = [rec('a', 1, 'pass'), rec('b', 1, 'lane_error')];
    expect(scorecardCompleteness(ran, records, 1)).toEqual({ attempts_done: 1, attempts_planned: 2, complete: false, lane_errors: 1, degraded: true });
    const retried = scorecardCompleteness(ran, [...records, rec('b', 1, 'lane_error', true)], 1);
    expect(retried).toEqual({ attempts_done: 1, attempts_planned: 2, complete: false, lane_errors: 1, degraded: true });
    // the retry that succeeded is the slot's latest record: graded, complete
    expect(scorecardCompleteness(ran, [...records, rec('b', 1, 'pass', true)], 1)).toMatchObject({ complete: true, lane_errors: 0, degraded: false });
  });

  it('a core prompt that still has a graded attempt is partial, not degraded', () => {
    const records = [rec('a', 1, 'pass'), rec('a', 2, 'lane_error', true), rec('b', 1, 'pass'), rec('b', 2, 'pass')];
    expect(scorecardCompleteness(ran, records, 2)).toEqual({ attempts_done: 3, attempts_planned: 4, complete: false, lane_errors: 1, degraded: false });
  });

  it('a prompt decided early plans only the attempts it ran', () => {
    const records = [rec('a', 1, 'pass'), rec('a', 2, 'pass'), rec('a', 3, 'pass'), ...[1, 2, 3, 4, 5].map((i) => rec('b', i, 'pass'))];
    expect(scorecardCompleteness(ran, records, 5, new Set(['a']))).toEqual({ attempts_done: 8, attempts_planned: 8, complete: true, lane_errors: 0, degraded: false });
    expect(scorecardCompleteness(ran, records, 5).complete).toBe(false);
  });
});

const stat = (id: string, rate: number): PromptStats => ({
  prompt_id: id,
  category: 'grounding',
  core: true,
  vibe: false,
  runs: 2,
  pass_count: rate * 2,
  pass_rate: rate,
  agreement: 1,
  answer_agreement: 1,
  correct_tool_rate: 1,
  runaway_rate: 0,
  wall: null,
  wilson95: null,
  outcomes: {},
  lane_errors: 0,
});

function card(lane: string, rate: number, done: number, planned: number, runId = `run-${lane}`): LaneScorecard {
  return {
    lane,
    simulated: false,
    completeness: { attempts_done: done, attempts_planned: planned, complete: done === planned },
    core_pass: rate > 0.5 ? 1 : 0,
    core_n: 1,
    core_pass_rate: rate,
    consistency: 1,
    runaway_rate: 0,
    honesty_pass_rate: null,
    json_format_pass_rate: null,
    clean_run_rate: rate,
    tokens_per_sec: 40,
    decode_tokens_per_sec: null,
    latency: null,
    telemetry: null,
    escape_attempts: 0,
    prompts: [stat('p1', rate)],
    reproducibility: {
      suite: 's',
      suite_hash: 'h',
      fixture_hash: 'f',
      n: 2,
      parallel: 1,
      adaptive: false,
      sampling: {},
      lane_command: '',
      brainbench_version: '0',
      started_at: '2025-01-01T00:00:00Z',
      ended_at: '2025-01-01T00:01:00Z',
      machine: 'm',
      run_id: runId,
    },
  };
}

describe('summary.md with partial scorecards', () => {
  // the partial lane has the better rate: ranked as if complete it would come first
  const complete = card('steady', 0.5, 22, 22);
  const partial = card('fast-but-stopped', 1, 4, 11, 'run-7');
  const summary = renderSummary([partial, complete], { generatedAt: 'now' });

  it('ranks only complete scorecards and lists partial ones apart, marked', () => {
    const ranking = summary.slice(summary.indexOf('## Ranking'), summary.indexOf('## Partial runs'));
    expect(ranking).toContain('| 1 | steady | 0/1 | 50 % |');
    expect(ranking).not.toContain('fast-but-stopped');
    const apart = summary.slice(summary.indexOf('## Partial runs (not ranked)'), summary.indexOf('## Per-prompt'));
    expect(apart).toContain('| Lane | status | core_pass | pass_rate |');
    expect(apart).toContain('| fast-but-stopped | partial (4/11 attempts, run run-7) | 1/1 | 100 % |');
    expect(summary).toContain('1 lane ranked, 1 partial run listed apart');
    expect(renderRankTable([partial, complete]).split('\n')).toHaveLength(3);
  });

  it('keeps partial figures out of the per-prompt table', () => {
    const perPrompt = summary.slice(summary.indexOf('## Per-prompt'), summary.indexOf('## Telemetry'));
    expect(perPrompt).toContain('| Prompt | category | core | steady |');
    expect(perPrompt).not.toContain('fast-but-stopped');
  });

  it('says so when no scorecard is complete yet', () => {
    const only = renderSummary([partial], { generatedAt: 'now' });
    expect(only).toContain('No complete scorecard yet');
    expect(only).toContain('partial (4/11 attempts, run run-7)');
    expect(only).not.toContain('| Rank |');
  });

  it('counts a scorecard written before completeness existed as complete', () => {
    const legacy = { ...card('old', 0.5, 1, 1) };
    delete legacy.completeness;
    expect(isComplete(legacy)).toBe(true);
    expect(partialLabel(legacy)).toBeNull();
    expect(renderRankTable([legacy])).toContain('| 1 | old |');
  });

  it('renders ids with pipes, newlines and HTML as one escaped table row', () => {
    const evil = card('lane|x\n<script>alert(1)</script>', 1, 2, 2);
    evil.prompts = [stat('p|1\n<b>bold</b>', 1)];
    const text = renderSummary([evil], { generatedAt: 'now' });
    expect(text).not.toContain('<script>');
    expect(text).not.toContain('<b>');
    const rankRow = text.split('\n').filter((l) => l.startsWith('| 1 |'));
    expect(rankRow).toEqual(['| 1 | lane\\|x \\<script\\>alert(1)\\</script\\> | 1/1 | 100 % | 100 % | 0 % | 40.0 | — |']);
    const promptRows = text.split('\n').filter((l) => l.startsWith('| p'));
    expect(promptRows).toEqual(['| p\\|1 \\<b\\>bold\\</b\\> | grounding | yes | 100 % (2/2) [34, 100] |']);
    // every table row still has its header's column count (unescaped pipes would add columns)
    const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length;
    expect(cells(rankRow[0]!)).toBe(cells('| Rank | Lane | core_pass | pass_rate | consistency | runaway | tok/s | peak unified |'));
  });
});

describe('the leaderboard view model', () => {
  it('ranks complete scorecards and marks partial ones after them, unranked', () => {
    const rows = rankRows([card('quick-partial-lane-with-a-long-name', 1, 4, 11), card('b', 0.5, 2, 2), card('a', 0.9, 2, 2)], 80);
    expect(rows.map((r) => r['#'])).toEqual(['1', '2', '—']);
    expect(rows.map((r) => r.lane.slice(0, 1))).toEqual(['a', 'b', 'q']);
    // the mark stays whole; its counts go first when the name needs the room
    expect(rows[2]!.lane).toMatch(/ \(partial( 4\/11)?\)$/);
    const width = (key: keyof (typeof rows)[number]) => Math.max(key.length, ...rows.map((r) => r[key].length)) + 3;
    expect((Object.keys(rows[0]!) as (keyof (typeof rows)[number])[]).reduce((sum, key) => sum + width(key), 1)).toBeLessThanOrEqual(80);
    const lines = promptRateLines([card('p', 1, 4, 11), card('c', 0.5, 2, 2)], 80);
    expect(lines[0]).toMatch(/c\s+p \(partial\)$/);
  });
});

describe('publishScorecard', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('a partial scorecard never replaces the complete one; a later complete one retires it', async () => {
    const results = tempDir('bb-publish-');
    dirs.push(results);
    const runDir = (id: string) => join(results, 'runs', id);
    const name = scorecardFileName('demo');
    await publishScorecard(results, runDir('r1'), card('demo', 0.5, 2, 2, 'r1'));
    expect(await publishScorecard(results, runDir('r2'), card('demo', 1, 1, 2, 'r2'))).toBe(join(results, 'partial', name));
    const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as LaneScorecard;
    expect(read(join(results, name)).reproducibility.run_id).toBe('r1');
    expect(read(join(runDir('r2'), 'scorecards', name)).completeness?.complete).toBe(false);
    expect((await loadScorecards(results)).map((c) => [c.reproducibility.run_id, isComplete(c)])).toEqual([
      ['r1', true],
      ['r2', false],
    ]);
    await publishScorecard(results, runDir('r3'), card('demo', 0.9, 2, 2, 'r3'));
    expect(read(join(results, name)).reproducibility.run_id).toBe('r3');
    expect(existsSync(join(results, 'partial', name))).toBe(false);
    // every run keeps its own
    for (const id of ['r1', 'r2', 'r3']) expect(existsSync(join(runDir(id), 'scorecards', name))).toBe(true);
  });

  it('files a lane id that is not a file name safely inside the results folder', async () => {
    const results = tempDir('bb-publish-');
    dirs.push(results);
    const path = await publishScorecard(results, join(results, 'runs', 'r1'), card('../../escape', 1, 2, 2));
    expect(path.startsWith(`${results}/`)).toBe(true);
    expect(path.slice(results.length + 1)).not.toContain('/');
  });
});
