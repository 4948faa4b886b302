// Calibration of the verdicts (issue 21 item 8, DESIGN §14 "honest at small N"): a seeded
// simulation of pairs of lanes on a suite of K = 11–13 prompts at N = 3, 5 and 10 attempts, each
// prompt's pass rate drawn from a spread (logit-normal: most prompts easy, some hard, a few near
// 0 or 1, as real suites are). It runs the real paired verdict and the real `compare` gate.
// - equal lanes (both draw from the same per-prompt rates): how often "separable" and how often
//   the exit-3 gate fire — false positives, target ≤ 5 % within Monte Carlo error;
// - a known gap (B's per-prompt rate one logit lower, about 15–20 points): the power of both.
// The old choices are shown beside them: z with no CR1 correction, and per-prompt Fisher with no
// multiplicity control. Prints a table; asserts nothing. Not a timed test: a few minutes on 2 cores.
//
// Run: npx tsx bench/calibration.ts [--reps 20000] [--seed 21]
import { intFlag, parseFlags } from '../src/cli/args.js';
import { seededRandom } from '../src/prng.js';
import { Z95 } from '../src/stats.js';
import type { LaneScorecard, PromptStats } from '../src/types.js';
import { compareCards, FLAG_ALPHA } from '../src/verdict/compare.js';
import { noiseFloor, pairedDifference, type PairedDifference } from '../src/verdict/paired.js';

type Random = () => number;

const normal = (rand: Random) => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const binomial = (rand: Random, n: number, p: number) => Array.from({ length: n }, () => rand() < p).filter(Boolean).length;

const logitOfUniform = (rand: Random, low: number, high: number) => {
  const u = low + (high - low) * rand();
  return Math.log(u / (1 - u));
};

/**
 * Spreads of prompt difficulty, as logits: logit-normal (centre 1 = 73 %, sd 1.5: most easy, a few
 * near 0 or 1), rates uniform on (0.05, 0.95), or all mid-range, uniform on (0.3, 0.7) — the
 * hardest case for per-prompt tests, where every prompt can flip.
 */
const SPREADS = {
  'logit-normal': (rand: Random) => 1 + 1.5 * normal(rand),
  uniform: (rand: Random) => logitOfUniform(rand, 0.05, 0.95),
  'mid-range': (rand: Random) => logitOfUniform(rand, 0.3, 0.7),
} satisfies Record<string, (rand: Random) => number>;
type Spread = keyof typeof SPREADS;

/** Just what the verdict code reads of a scorecard: prompts and the run's N. */
function card(lane: string, passes: number[], n: number): LaneScorecard {
  const prompts = passes.map((c, i): Partial<PromptStats> => ({ prompt_id: `p${i + 1}`, category: 'c', core: true, runs: n, pass_count: c, pass_rate: c / n }));
  return { lane, prompts, reproducibility: { n, run_id: lane, suite: 's', suite_hash: 'h', sampling: {} } } as unknown as LaneScorecard;
}

/** The verdict as it was before issue 21: z, clustered variance with no K/(K−1), unadjusted floor. */
function oldSeparable(p: PairedDifference): boolean {
  const k = p.prompts.length;
  const diffs = p.prompts.map((x) => x.a.pass / x.a.runs - x.b.pass / x.b.runs);
  const between = diffs.reduce((s, d) => s + (d - p.difference) ** 2, 0) / (k * k);
  const raw = (c: number, n: number) => (c * (n - c)) / (n * n * (n - 1));
  const within = p.prompts.reduce((s, x) => s + raw(x.a.pass, x.a.runs) + raw(x.b.pass, x.b.runs), 0) / (k * k);
  const se = Math.sqrt(Math.max(between, within));
  return Math.abs(p.difference) - Z95 * se > 1e-12;
}

interface Tally {
  separable: number;
  gate: number;
  oldSeparable: number;
  oldGate: number;
  gap: number;
  zeroWidth: number;
}

function simulate(rand: Random, spread: Spread, reps: number, n: number, shift: number): Tally {
  const t: Tally = { separable: 0, gate: 0, oldSeparable: 0, oldGate: 0, gap: 0, zeroWidth: 0 };
  for (let r = 0; r < reps; r++) {
    const k = 11 + Math.floor(rand() * 3);
    const logits = Array.from({ length: k }, () => SPREADS[spread](rand));
    const a = card('A', logits.map((x) => binomial(rand, n, logistic(x))), n);
    const b = card('B', logits.map((x) => binomial(rand, n, logistic(x - shift))), n);
    const c = compareCards(a, b);
    const paired = c.paired ?? pairedDifference(a, b)!;
    t.gap += logits.reduce((s, x) => s + logistic(x) - logistic(x - shift), 0) / k;
    if (paired.separable) t.separable++;
    if (c.gate.fired) t.gate++;
    if (oldSeparable(paired)) t.oldSeparable++;
    if (c.prompts.some((d) => d.p !== null && d.p < FLAG_ALPHA && d.difference! < 0)) t.oldGate++;
    if (paired.high - paired.low <= 0 || noiseFloor(paired.prompts) <= 0) t.zeroWidth++;
  }
  return t;
}

const pct = (x: number, reps: number) => `${((100 * x) / reps).toFixed(1)} %`;

function main(): void {
  const { values } = parseFlags(process.argv.slice(2), { reps: { type: 'string' }, seed: { type: 'string' } });
  const reps = intFlag(values.reps, 'reps', 20000, { min: 100 });
  const seed = intFlag(values.seed, 'seed', 21, { min: 0 });
  const mc = (100 * Math.sqrt((0.05 * 0.95) / reps)).toFixed(1);
  console.log(`brainbench verdict calibration: ${reps} simulated pairs per row, K = 11–13 prompts, seed ${seed}; Monte Carlo error at 5 %: ±${mc} pts (1 se)`);
  console.log('separable: paired verdict, CR1 + t(K−1), adjusted-rate floor. gate: compare exit 3 (suite verdict B < A, or a Holm-flagged prompt).');
  console.log('old: z without K/(K−1); per-prompt Fisher p < 0.05 with no multiplicity control.\n');
  const header = ['spread', 'lanes', 'N', 'mean gap', 'separable', 'gate', 'old separable', 'old gate', 'zero-width'];
  const rows: string[][] = [];
  for (const [s, spread] of (Object.keys(SPREADS) as Spread[]).entries()) {
    for (const [label, shift] of [['equal', 0], ['gap', 1]] as const) {
      for (const n of [3, 5, 10]) {
        const t = simulate(seededRandom(seed * 1000 + s * 100 + n * 10 + shift), spread, reps, n, shift);
        rows.push([spread, label, String(n), `${((100 * t.gap) / reps).toFixed(1)} pts`, pct(t.separable, reps), pct(t.gate, reps), pct(t.oldSeparable, reps), pct(t.oldGate, reps), String(t.zeroWidth)]);
      }
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  console.log('\nequal rows: false-positive rates (target ≤ 5 %); gap rows: power on a one-logit drop in every prompt (B worse).');
}

main();
