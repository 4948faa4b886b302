// Slots, not records (DESIGN §14, issue 21 item 4 / issue 20 item 5) on the prompt side: a
// duplicated journal line never adds an attempt, a lane whose lane errors ate a core prompt is
// "degraded" and never ranked, and summary.md and the HTML page show graded/planned and lane errors.
import { describe, expect, it } from 'vitest';
import { laneScorecard } from '../../src/verdict/scorecard.js';
import { renderSummary } from '../../src/verdict/summary.js';
import { renderHtmlReport } from '../../src/verdict/html-report.js';
import type { AttemptRecord, LaneScorecard, Outcome, Prompt } from '../../src/types.js';
import { laneCard } from './cards.js';

const prompt = (id: string): Prompt => ({
  id, prompt: id, category: 'grounding', core: true, vibe: false, expect_tool_any: [], check: { kind: 'substring', all: ['x'] }, source: { file: 'prompts.jsonl', line: 1 }, extra: {},
});

const rec = (promptId: string, attempt: number, outcome: Outcome, retry = false): AttemptRecord => ({
  lane: 'l', prompt_id: promptId, attempt, outcome, check_passed: outcome === 'pass', why: '', correct_tool: true, tools_called: [], turns: 1,
  tokens: { prompt: 1, completion: 1 }, wall_s: 1, ttft_s: 0.1, answer: 'x', transcript: '', escape_attempts: 0,
  started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:00:01.000Z', ...(retry ? { retry: true } : {}),
});

function cardOf(lane: string, records: AttemptRecord[], n: number): LaneScorecard {
  const base = laneCard(lane, [0], n);
  return laneScorecard({ lane, simulated: false, prompts: [prompt('a'), prompt('b')], records, skipped: {}, probe: null, telemetry: null, reproducibility: { ...base.reproducibility, n } });
}

describe('laneScorecard counts slots', () => {
  it('a journal line written twice is one attempt: N=2 stays 2 runs, complete', () => {
    const records = [rec('a', 1, 'pass'), rec('a', 1, 'pass'), rec('a', 2, 'wrong_answer'), rec('b', 1, 'pass'), rec('b', 2, 'pass'), rec('b', 2, 'pass')];
    const card = cardOf('l', records, 2);
    expect(card.prompts.map((p) => p.runs)).toEqual([2, 2]);
    expect(card.prompts[0]!.pass_rate).toBe(0.5);
    expect(card.completeness).toEqual({ attempts_done: 4, attempts_planned: 4, complete: true, lane_errors: 0, degraded: false });
  });

  it('the latest record of a slot wins: a lane_error retried into a pass is graded once', () => {
    const card = cardOf('l', [rec('a', 1, 'lane_error'), rec('a', 1, 'pass', true), rec('b', 1, 'pass')], 1);
    expect(card.prompts[0]).toMatchObject({ runs: 1, pass_count: 1, lane_errors: 0 });
    expect(card.completeness?.complete).toBe(true);
  });
});

describe('a degraded lane on every surface', () => {
  // b's only attempt ended in a lane error that was retried and failed again
  const degraded = cardOf('flaky', [rec('a', 1, 'pass'), rec('b', 1, 'lane_error'), rec('b', 1, 'lane_error', true)], 1);
  const whole = laneCard('steady', [5, 5], 5);

  it('is partial, degraded, with its lane errors counted', () => {
    expect(degraded.completeness).toEqual({ attempts_done: 1, attempts_planned: 2, complete: false, lane_errors: 1, degraded: true });
    expect(degraded.prompts[1]).toMatchObject({ runs: 0, lane_errors: 1 });
  });

  it('summary.md never ranks it, names it degraded and shows graded/planned and lane errors for every lane', () => {
    const summary = renderSummary([whole, degraded], { generatedAt: 'now' });
    const ranking = summary.slice(summary.indexOf('## Ranking'), summary.indexOf('## Partial runs'));
    expect(ranking).toContain('| 1 | steady |');
    expect(ranking).not.toContain('flaky');
    expect(summary).toContain(`| flaky | degraded (1/2 attempts, 1 lane error, run ${degraded.reproducibility.run_id}) |`);
    const slots = summary.slice(summary.indexOf('## Graded slots'), summary.indexOf('## Provenance'));
    expect(slots).toContain('| steady | complete | 10/10 graded | 0 |');
    expect(slots).toContain('| flaky | degraded | 1/2 graded, 1 lane error | 1 |');
  });

  it('the HTML page lists it apart as degraded with its lane errors, and gives ranked lanes their graded slots', async () => {
    const html = await renderHtmlReport([whole, degraded], { generatedAt: 'now' });
    expect(html).toContain('<h2>Not ranked</h2>');
    expect(html).toContain('<td>flaky</td><td>degraded (1/2 attempts, 1 lane error, run');
    expect(html).toContain('<td>1/2 graded, 1 lane error</td><td>1</td>');
    expect(html).toContain('<td>10/10 graded</td>');
    expect(html).toContain('1 partial or degraded run not drawn');
  });
});
