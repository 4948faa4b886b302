import { describe, expect, it } from 'vitest';
import { compareCards } from '../../src/verdict/compare.js';
import { cannotFireNotes, holm } from '../../src/verdict/gate.js';
import { renderHtmlReport } from '../../src/verdict/html-report.js';
import { clusteredInterval95, passHatKCell, sharedK, statisticsOf } from '../../src/verdict/lane-stats.js';
import { pairedDifference } from '../../src/verdict/paired.js';
import { verdictLine } from '../../src/verdict/words.js';
import { provenanceNotes, samplingText } from '../../src/verdict/provenance-diff.js';
import { formatInterval, wilson95 } from '../../src/stats.js';
import { laneCard, stat } from './cards.js';

// Verdicts honest at small N (issue 21): hand-computed cases for the gate, the clustered pooled
// interval, one k for pass^k and the provenance notes.
const all = (k: number, pass: number) => Array.from({ length: k }, () => pass);

describe("Holm's step-down", () => {
  it('matches hand-computed adjusted p-values (R: p.adjust(c(0.01, 0.04, 0.03, 0.5), "holm"))', () => {
    // sorted 0.01, 0.03, 0.04, 0.5 → 0.04, 0.09, max(0.09, 0.08) = 0.09, 0.5
    const adjusted = holm([0.01, 0.04, 0.03, 0.5]);
    [0.04, 0.09, 0.09, 0.5].forEach((p, i) => expect(adjusted[i]).toBeCloseTo(p, 12));
    expect(holm([0.6, 0.6])).toEqual([1, 1]);
    expect(holm([])).toEqual([]);
  });
});

describe('the regression gate', () => {
  it('fires on one regressed prompt of eleven at N=10 (Holm), not at N=5, and says why at N=5', () => {
    const at = (n: number) => compareCards(laneCard('a', all(11, n), n), laneCard('b', [0, ...all(10, n)], n));
    const ten = at(10);
    // Fisher 10/10 vs 0/10: p = 2/C(20,10) = 1.08e-5; Holm × 11 = 1.19e-4 < 0.05
    expect(ten.prompts[0]!.p_holm).toBeCloseTo((11 * 2) / 184756, 12);
    expect(ten.gate).toMatchObject({ fired: true, suite_regressed: false, regressed_prompts: ['p1'], cannot_fire: [] });
    const five = at(5);
    expect(five.gate.fired).toBe(false);
    expect(five.gate.cannot_fire).toEqual(['per-prompt flags cannot fire at N=5 over 11 prompts (smallest possible p 0.008, Holm needs < 0.0045); they could at N ≥ 6']);
  });

  it('fires on the suite verdict when B is lower on many prompts, though no prompt alone is flagged', () => {
    // 4/5 against 2/5 on every one of 12 prompts: Fisher p = 0.524 per prompt, but the paired verdict separates
    const c = compareCards(laneCard('a', all(12, 4)), laneCard('b', all(12, 2)));
    expect(c.prompts.every((d) => d.flag === null)).toBe(true);
    expect(c.gate).toMatchObject({ fired: true, suite_regressed: true, regressed_prompts: [] });
    // and never on an improvement
    expect(compareCards(laneCard('a', all(12, 2)), laneCard('b', all(12, 4))).gate.fired).toBe(false);
  });

  it('says when neither family can fire: two prompts at N=1, and what N would let the suite verdict', () => {
    const paired = pairedDifference(laneCard('a', [1, 1], 1), laneCard('b', [0, 0], 1));
    // even D = 1 on both: floor = 2·2·(2/3·1/3/3)/4 = 0.0741; 1 − 12.71·0.272 < 0. At N=11:
    // 2·(12/13·1/13/13)·2/4 = 0.00546, 12.71·0.0739 = 0.94 < 1
    const notes = cannotFireNotes(paired, 2, 1, 'prompt');
    expect(notes[0]).toBe('the suite verdict cannot flag a regression at N=1 over K=2 prompts, even if every attempt of B failed where A passed; it could at N ≥ 11');
    expect(notes[1]).toMatch(/^per-prompt flags cannot fire at N=1 over 2 prompts \(smallest possible p 1\.000, Holm needs < 0\.0250\); they could at N ≥ 5$/);
    expect(cannotFireNotes(pairedDifference(laneCard('a', [1], 1), laneCard('b', [0], 1)), 1, 1, 'prompt')[0]).toContain('only more shared prompts would let it');
  });
});

describe('the pooled pass rate, clustered by prompt', () => {
  it('is the CR1 interval with t(K−1) when prompts differ (hand-computed), never narrower than Wilson', () => {
    // 10 prompts at 5/5 and one at 0/5: p̂ = 50/55; Σ(c − p̂n)² = 10·(5/11)² + (50/11)² = 250/11;
    // V = 11/10 · 250/11 / 55² = 25/3025; half = t(10)·sqrt(V) = 2.228139 · 0.0909 = 0.2026
    const interval = clusteredInterval95([...all(10, 5).map((c, i) => stat(`p${i}`, c, 5)), stat('x', 0, 5)])!;
    expect(interval.low).toBeCloseTo(50 / 55 - 2.228139 * Math.sqrt(25 / 3025), 5);
    expect(interval.high).toBe(1);
    const w = wilson95(50, 55)!;
    expect(interval.low).toBeLessThan(w.low);
  });

  it('has width when every attempt agrees (Wilson then), and needs two prompts to cluster', () => {
    expect(clusteredInterval95(all(11, 5).map((c, i) => stat(`p${i}`, c, 5)))).toEqual(wilson95(55, 55));
    expect(clusteredInterval95([stat('p', 3, 5)])).toEqual(wilson95(3, 5));
    expect(clusteredInterval95([])).toBeNull();
  });
});

describe('one k for pass^k across lanes', () => {
  it('takes the smallest N, or the stated k, and gives coverage where prompts have fewer attempts', () => {
    const five = laneCard('five', [5, 4, 5], 5);
    const ten = laneCard('ten', [10, 9, 10], 10);
    expect(sharedK([five, ten])).toBe(5);
    expect(sharedK([five, ten], 3)).toBe(3);
    // pass^5 of 9/10 = C(9,5)/C(10,5) = 0.5; of 10/10 = 1: mean (1 + 0.5 + 1)/3 = 83 %
    expect(passHatKCell(statisticsOf(ten, 5))).toBe('83 %');
    // a prompt with 3 graded attempts has no pass^5: covered 2 of 3
    const short = laneCard('short', [5, 5, 5], 5);
    short.prompts[2] = stat('p3', 3, 3);
    expect(passHatKCell(statisticsOf(short, 5))).toBe('100 % (2 of 3 prompts)');
  });

  it('puts that one k in the HTML rank table, with the clustered interval and the run settings', async () => {
    const five = laneCard('five', [5, 4, 5], 5);
    const ten = laneCard('ten', [10, 9, 10], 10, { core_pass_rate: 0.97 });
    ten.reproducibility.sampling = { temperature: 0 };
    const html = await renderHtmlReport([five, ten], { generatedAt: 'now' });
    expect(html).toContain('<th>pass^5</th>');
    expect(html).toContain('<td>83 %</td>');
    expect(html).toContain('interval clustered by prompt (CR1, t(K−1)), never narrower than Wilson');
    expect(html).toMatch(/sampling (default \/ temperature=0|temperature=0 \/ default); suite sha256 [^;]+; fixtures sha256 def\./);
    expect(html).toContain('over K=3 prompts');
  });
});

describe('provenance notes of compare', () => {
  it('says sampling in key order, and names nothing when the set-up is the same', () => {
    expect(samplingText({ top_p: 0.9, temperature: 0 })).toBe('temperature=0, top_p=0.9');
    expect(samplingText({})).toBe('default');
    expect(samplingText(undefined)).toBeNull();
    const a = laneCard('a', [5, 5]);
    expect(provenanceNotes(a, laneCard('b', [5, 5]))).toEqual([]);
    const b = laneCard('b', [5, 5], 3);
    b.reproducibility.engine_version = 'vllm 0.11';
    expect(provenanceNotes(a, b)).toEqual([
      'note: N differs (A 5; B 3): part of the difference may be the set-up, not the lane',
      'note: engine differs (A not recorded; B vllm 0.11): part of the difference may be the set-up, not the lane',
    ]);
  });
});

describe('printed intervals', () => {
  it('never round to zero width: 0/800 pooled prints [0, 1], not [0, 0]', () => {
    expect(formatInterval(wilson95(0, 800))).toBe('[0, 1]');
    expect(formatInterval(wilson95(800, 800))).toBe('[99, 100]');
    expect(formatInterval(wilson95(3, 5))).toBe('[23, 88]');
    // the paired verdict's interval too, at N=1000 where the floor is under half a point
    const huge = pairedDifference(laneCard('a', all(13, 1000), 1000), laneCard('b', all(13, 1000), 1000))!;
    expect(verdictLine('a', 'b', huge)).toMatch(/level: 0 points \[-1, 1\]/);
  });
});
