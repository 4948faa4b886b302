// `compare`'s regression gate (exit 3), honest at small N (issue 21, DESIGN §14). It fires when
// either of two families says B fell behind A:
// - the suite: the paired verdict (./paired.ts, CR1 with t(K−1)) separates B below A — one side
//   of a 95 % interval, so ~2.5 % false alarms on equal lanes;
// - a prompt: Fisher's exact test per prompt with Holm's step-down over the K prompts, so the
//   chance that any unchanged prompt is flagged stays under 5 % (regressions alone: under ~2.5 %).
// Per-prompt tests alone fired on 8–15 % of unchanged lanes; bench/calibration.ts shows the rate
// of this gate on equal lanes. Where a family cannot fire at this N, the gate says so, and what N
// would let it.
import { fisherExact } from './fisher.js';
import { adjustedVariance, tCritical, type PairedDifference } from './paired.js';

/** Family-wise level of the per-prompt flags (Holm). */
export const FLAG_ALPHA = 0.05;
/** Largest N the "could at N ≥ …" search tries. */
const MAX_N = 1000;

/** Holm's step-down adjusted p-values, in the order given: max over j ≤ i of (m−j+1)·p₍ⱼ₎, capped at 1. */
export function holm(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** Whether the paired verdict could separate at all over K prompts at N each: every attempt of A passing, of B failing. */
function suiteCanFire(k: number, n: number): boolean {
  if (k < 2) return false;
  const floor = (k * (adjustedVariance(n, n) + adjustedVariance(0, n))) / (k * k);
  return 1 - tCritical(k) * Math.sqrt(floor) > 0;
}

/** Whether Holm over m prompts could flag one at N each: its most extreme table against α/m. */
const promptCanFire = (m: number, n: number): boolean => m > 0 && fisherExact(n, n, 0, n) < FLAG_ALPHA / m;

/** The smallest N ≥ n at which `can` holds, or null below MAX_N. */
function neededN(n: number, can: (n: number) => boolean): number | null {
  for (let x = Math.max(1, n); x <= MAX_N; x++) if (can(x)) return x;
  return null;
}

const couldAt = (needed: number | null, item: string) => (needed === null ? `only more ${item}s would let it` : `it could at N ≥ ${needed}`);

/** Plain-words notes for each family of the gate that cannot fire at this N and K. */
export function cannotFireNotes(paired: PairedDifference | null, tested: number, n: number, item: string): string[] {
  const notes: string[] = [];
  const k = paired?.prompts.length ?? 0;
  if (!suiteCanFire(k, n)) {
    const at = k < 2 ? `only more shared ${item}s would let it` : couldAt(neededN(n, (x) => suiteCanFire(k, x)), item);
    notes.push(`the suite verdict cannot flag a regression at N=${n} over K=${k} ${item}s, even if every attempt of B failed where A passed; ${at}`);
  }
  if (!promptCanFire(tested, n)) {
    const smallest = tested > 0 ? fisherExact(n, n, 0, n) : 1;
    const needed = neededN(n, (x) => promptCanFire(tested, x));
    const at = tested > 0 ? couldAt(needed, item).replace('it could', 'they could') : `no ${item} was graded by both`;
    notes.push(`per-${item} flags cannot fire at N=${n} over ${tested} ${item}s (smallest possible p ${smallest.toFixed(3)}, Holm needs < ${(FLAG_ALPHA / Math.max(1, tested)).toFixed(4)}); ${at}`);
  }
  return notes;
}

/** The suite family: B below A, separable. */
export const suiteRegressed = (paired: PairedDifference | null): boolean => paired !== null && paired.separable && paired.difference > 0;
