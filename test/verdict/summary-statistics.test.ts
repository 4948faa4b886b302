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
  it('gives each lane its pooled pass rate with a Wilson interval, pass^k, pass@k and verdict agreement in prompts', () => {
    // Wilson 10/10 = [72, 100]; 0/10 = [0, 28]; 1/2 = [9, 91]; 7/10 = [40, 89]
    expect(row(summary, '| all |')).toBe('| all | 100 % [72, 100] (10/10) | 5 | 100 % | 100 % | 2/2 prompts (2 all pass, 0 all fail) |');
    expect(row(summary, '| none |')).toBe('| none | 0 % [0, 28] (0/10) | 5 | 0 % | 0 % | 2/2 prompts (0 all pass, 2 all fail) |');
    expect(row(summary, '| one |')).toBe('| one | 50 % [9, 91] (1/2) | 1 | 50 % | 50 % | 2/2 prompts (1 all pass, 1 all fail) |');
    // 3/5 and 4/5 at k = 5: pass^5 = 0 on both, pass@5 = 1 on both
    expect(row(summary, '| mid |')).toBe('| mid | 70 % [40, 89] (7/10) | 5 | 0 % | 100 % | 0/2 prompts (0 all pass, 0 all fail) |');
  });

  it('does not let a lane that fails every attempt read as consistent in a good way', () => {
    expect(row(summary, '| 4 | none |')).toContain('| 0 % | 100 % |');
    expect(summary).toContain('it measures repeatability, not quality');
    expect(summary).toContain('a lane that fails every attempt is 100 % consistent');
  });

  it('takes a stated k', () => {
    // k = 2: pass^2 = (C(3,2) + C(4,2)) / C(5,2) / 2 = (0.3 + 0.6) / 2; pass@2 = (0.9 + 1) / 2
    const atTwo = renderSummary(cards, { generatedAt: 'now', k: 2 });
    expect(row(atTwo, '| mid |')).toBe('| mid | 70 % [40, 89] (7/10) | 2 | 45 % | 95 % | 0/2 prompts (0 all pass, 0 all fail) |');
    // one lane made only 1 attempt per prompt: no prompt has 2
    expect(row(atTwo, '| one |')).toContain('| 2 (0 prompts with 2+ attempts) | — | — |');
  });

  it('says for every adjacent pair in the ranking whether it is separable', () => {
    const lines = summary.split('\n').filter((l) => /^- \d vs \d:/.test(l));
    expect(lines).toEqual([
      // D = (0.4, 0.2); within = (0.06 + 0.04)/4 = 0.025 beats between = 0.005: SE 0.158; N' = 5·0.025/(0.3/1.96)² = 5.3
      '- 1 vs 2: **all** ahead of **mid** by 30 points [-1, 61] — not separable at N=5; about 1 more attempt per prompt would tell, if the gap holds',
      // D = (−0.4, 0.8): between = 0.72/4 = 0.18 beats within 0.025: SE 0.424, and 0.18 − 0.025 alone exceeds (0.2/1.96)²
      '- 2 vs 3: **mid** ahead of **one** by 20 points [-63, 100] — not separable at N=5/1; the gap sits in a few prompts, not in attempt noise: more attempts per prompt would not tell, more prompts would',
      // D = (1, 0): between = 0.125, no attempt noise at all: it is the prompts, not the attempts
      '- 3 vs 4: **one** ahead of **none** by 50 points [-19, 100] — not separable at N=1/5; the gap sits in a few prompts, not in attempt noise: more attempts per prompt would not tell, more prompts would',
    ]);
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
