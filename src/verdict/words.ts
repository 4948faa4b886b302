// A paired comparison in plain words: who is ahead, by how much, how sure, and what would settle
// it ("A ahead of B by 12 points [4, 20] — separable at N=5").
import { roundHalfEven } from '../stats.js';
import type { PairedDifference } from './paired.js';

/** Percentage points, half to even, ASCII minus: 0.1234 → "12"; −0.05 → "-5". */
export function points(x: number): string {
  const p = roundHalfEven(x * 100, 0);
  return String(p === 0 ? 0 : p);
}

function atN(n: PairedDifference['n']): string {
  return n.a === n.b ? `N=${n.a}` : `N=${n.a}/${n.b}`;
}

function whatWouldTell(result: PairedDifference): string {
  const more = result.more!;
  if (more.kind === 'level') return 'no difference seen';
  if (more.kind === 'prompts') {
    return result.prompts.length < 2
      ? 'one shared prompt cannot separate lanes; more prompts would'
      : 'the gap sits in a few prompts, not in attempt noise: more attempts per prompt would not tell, more prompts would';
  }
  const m = more.per_prompt;
  return `about ${m} more attempt${m === 1 ? '' : 's'} per prompt would tell, if the gap holds`;
}

/**
 * The verdict line for A − B. The leader is named first, so the difference reads as a positive
 * number of points with its interval.
 */
export function verdictLine(aName: string, bName: string, result: PairedDifference | null): string {
  if (!result) return `${aName} and ${bName} share no graded prompt: nothing to compare`;
  const flip = result.difference < 0;
  const [lead, other] = flip ? [bName, aName] : [aName, bName];
  const [d, low, high] = flip ? [-result.difference, -result.high, -result.low] : [result.difference, result.low, result.high];
  const interval = `[${points(low)}, ${points(high)}]`;
  const claim = points(d) === '0' ? `${aName} and ${bName} level: 0 points ${interval}` : `${lead} ahead of ${other} by ${points(d)} points ${interval}`;
  if (result.separable) return `${claim} — separable at ${atN(result.n)}`;
  return `${claim} — not separable at ${atN(result.n)}; ${whatWouldTell(result)}`;
}
