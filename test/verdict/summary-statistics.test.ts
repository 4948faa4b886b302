import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../src/verdict/summary.js';
import type { LaneScorecard } from '../../src/types.js';
import { laneCard } from './cards.js';

// summary.md's statistics on hand-computed cases, the edges 0/n, n/n and n = 1 among them.
function lane(name: string, passes: number[], n: number): LaneScorecard {
  const card = laneCard(name, passes, n);
  card.prompts[1]!.category = 'honesty';
  card.consistency = card.prompts.reduce((s, p) => s + p.agreement!, 0) / card.prompts.length;
  return card;
}

const cards = [lane('none', [0, 0], 5), lane('one', [1, 0], 1), lane('all', [5, 5], 5), lane('mid', [3, 4], 5)];
const summary = renderSummary(cards, { generatedAt: 'now' });
const row = (text: string, start: string) => text.split('\n').find((l) => l.startsWith(start));

describe('summary.md statistics', () => {
  it('gives each lane its pooled pass rate with a clustered interval, pass^k and pass@k at one k, and verdict agreement in prompts', () => {
    // one k for every lane: the smallest N (lane one ran N=1), so pass^1 = pass@1 = the pass rate.
    // Intervals: Wilson 10/10 = [72, 100], 0/10 = [0, 28] (no spread between prompts); mid 3/5 and
    // 4/5: CR1 SE = sqrt(2/1 · (0.5² + 0.5²)/10²) = 0.1, t(1) = 12.71 → [0, 100]
    expect(summary).toContain('| Lane | pass rate [95 %] | pass^1 | pass@1 | same verdict on every attempt |');
    expect(row(summary, '| all |')).toBe('| all | 100 % [72, 100] (10/10) | 100 % | 100 % | 2/2 prompts (2 all pass, 0 all fail) |');
    expect(row(summary, '| none |')).toBe('| none | 0 % [0, 28] (0/10) | 0 % | 0 % | 2/2 prompts (0 all pass, 2 all fail) |');
    expect(row(summary, '| one |')).toBe('| one | 50 % [0, 100] (1/2) | 50 % | 50 % | 2/2 prompts (1 all pass, 1 all fail) |');
    expect(row(summary, '| mid |')).toBe('| mid | 70 % [0, 100] (7/10) | 70 % | 70 % | 0/2 prompts (0 all pass, 0 all fail) |');
    expect(summary).toContain('One k for every lane: k=1, the smallest N.');
  });

  it('does not let a lane that fails every attempt read as consistent in a good way', () => {
    expect(row(summary, '| 4 | none |')).toContain('| 0 % | 100 % |');
    expect(summary).toContain('it measures repeatability, not quality');
    expect(summary).toContain('a lane that fails every attempt is 100 % consistent');
  });

  it('takes a stated k, and says the coverage where a lane has fewer attempts', () => {
    // k = 2: pass^2 = (C(3,2) + C(4,2)) / C(5,2) / 2 = (0.3 + 0.6) / 2; pass@2 = (0.9 + 1) / 2
    const atTwo = renderSummary(cards, { generatedAt: 'now', k: 2 });
    expect(row(atTwo, '| mid |')).toBe('| mid | 70 % [0, 100] (7/10) | 45 % | 95 % | 0/2 prompts (0 all pass, 0 all fail) |');
    // one lane made only 1 attempt per prompt: no prompt has 2
    expect(row(atTwo, '| one |')).toContain('| — (0 of 2 prompts) | — |');
    expect(atTwo).toContain('One k for every lane: k=2.');
  });

  it('says for every adjacent pair in the ranking whether it is separable, with K, at 80 % power', () => {
    const lines = summary.split('\n').filter((l) => /^- \d vs \d:/.test(l));
    expect(lines).toEqual([
      // D = (0.4, 0.2): CR1 between = 0.02/2 = 0.01; adjusted floor (6+6+12+10)/343/4 = 0.0248 is larger: SE 0.157,
      // t(1) = 12.71 clips to [-100, 100]; 80 % power: (0.3/(12.71 + 1.376))² = 4.54e-4 → N' = 5·0.025/4.54e-4 = 275.4, 271 more (unbiased noise (0.06 + 0.04)/4 = 0.025)
      '- 1 vs 2: **all** ahead of **mid** by 30 points [-100, 100] — not separable at N=5 over K=2 prompts; about 271 more attempts per prompt would tell at 80 % power, if the gap holds',
      '- 2 vs 3: **mid** ahead of **one** by 20 points [-100, 100] — not separable at N=5/1 over K=2 prompts; at N=1 attempt noise is unmeasured: run N ≥ 2 to learn how many attempts would tell',
      '- 3 vs 4: **one** ahead of **none** by 50 points [-100, 100] — not separable at N=1/5 over K=2 prompts; at N=1 attempt noise is unmeasured: run N ≥ 2 to learn how many attempts would tell',
    ]);
  });

  it('names the sampling and the fixture hash the lanes ran with', () => {
    expect(summary).toContain('fixtures sha256 def, N=5/1, sampling default;');
    const hot = lane('hot', [5, 5], 5);
    hot.reproducibility.sampling = { temperature: 0.7, top_p: 0.9 };
    hot.reproducibility.fixture_hash = '0123456789abcdef';
    expect(renderSummary([...cards, hot], { generatedAt: 'now' })).toContain('fixtures sha256 def, 0123456789ab, N=5/1, sampling default / temperature=0.7, top_p=0.9;');
  });

  it('has a per-category table with pooled rates and intervals', () => {
    expect(summary).toContain('| Category | prompts | all | mid | one | none |');
    expect(summary).toContain('| grounding | 1 | 100 % [57, 100] (5/5) | 60 % [23, 88] (3/5) | 100 % [21, 100] (1/1) | 0 % [0, 43] (0/5) |');
    expect(summary).toContain('| honesty | 1 | 100 % [57, 100] (5/5) | 80 % [38, 96] (4/5) | 0 % [0, 79] (0/1) | 0 % [0, 43] (0/5) |');
  });

  it('puts the Wilson interval beside each per-prompt pass rate', () => {
    expect(summary).toContain('| p1 | grounding | yes | 100 % (5/5) [57, 100] | 60 % (3/5) [23, 88] | 100 % (1/1) [21, 100] | 0 % (0/5) [0, 43] |');
  });
});
