// A paired comparison in plain words: who is ahead, by how much, how sure, and what would settle
// it ("A ahead of B by 12 points [4, 20] — separable at N=5 over K=11 prompts").
import { roundHalfEven } from '../stats.js';
import type { PairedDifference } from './paired.js';

/** Percentage points, half to even, ASCII minus: 0.1234 → "12"; −0.05 → "-5". */
export function points(x: number): string {
  const p = roundHalfEven(x * 100, 0);
  return String(p === 0 ? 0 : p);
}

/** `N=5 over K=11 prompts`: the attempts and the clusters the verdict rests on. */
/** `[-4, 59]` in points; rounded outward where whole points would show no width, so no interval claims exactness. */
export function pointsInterval(low: number, high: number): string {
  if (points(low) !== points(high)) return `[${points(low)}, ${points(high)}]`;
  return `[${points(Math.floor(low * 100) / 100)}, ${points(Math.ceil(high * 100) / 100)}]`;
}

function atN(result: PairedDifference): string {
  const n = result.n;
  return `${n.a === n.b ? `N=${n.a}` : `N=${n.a}/${n.b}`} over K=${result.prompts.length} ${result.unit}`;
}

function whatWouldTell(result: PairedDifference): string {
  const more = result.more!;
  if (more.kind === 'level') return 'no difference seen';
  const item = result.unit === 'tasks' ? 'task' : 'prompt';
  if (more.kind === 'prompts') {
    return result.prompts.length < 2
      ? `one shared ${item} cannot separate lanes; more ${item}s would`
      : `the gap sits in a few ${item}s, not in attempt noise: more attempts per ${item} would not tell, more ${item}s would`;
  }
  if (more.kind === 'unmeasured') return `at N=1 attempt noise is unmeasured: run N ≥ 2 to learn how many attempts would tell`;
  const m = more.per_prompt;
  return `about ${m} more attempt${m === 1 ? '' : 's'} per ${item} would tell at 80 % power, if the gap holds`;
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
  const interval = pointsInterval(low, high);
  const claim = points(d) === '0' ? `${aName} and ${bName} level: 0 points ${interval}` : `${lead} ahead of ${other} by ${points(d)} points ${interval}`;
  if (result.separable) return `${claim} — separable at ${atN(result)}`;
  return `${claim} — not separable at ${atN(result)}; ${whatWouldTell(result)}`;
}
