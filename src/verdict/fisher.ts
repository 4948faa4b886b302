// Fisher's exact test on one prompt's 2×2 table (passes and fails of A and of B): the two-sided
// p-value, summing every table with the same margins that is no more likely than the one seen.
import hypergeometricPmf from '@stdlib/stats-base-dists-hypergeometric-pmf';

/** Relative slack so tables as likely as the observed one, up to rounding, count as "as extreme". */
const TIE = 1 + 1e-7;

export function fisherExact(aPass: number, aRuns: number, bPass: number, bRuns: number): number {
  const total = aRuns + bRuns;
  const passes = aPass + bPass;
  if (aRuns === 0 || bRuns === 0 || passes === 0 || passes === total) return 1;
  // A's passes among all passes, drawing A's attempts from the pooled ones
  const observed = hypergeometricPmf(aPass, total, passes, aRuns);
  let p = 0;
  for (let x = Math.max(0, passes - bRuns); x <= Math.min(passes, aRuns); x++) {
    const px = hypergeometricPmf(x, total, passes, aRuns);
    if (px <= observed * TIE) p += px;
  }
  return Math.min(1, p);
}
