// What differs between the runs behind two compared scorecards (issue 21, item 6): suite and
// fixture hash, N, sampling, engine and model identity (the suite hash has its own note in ./compare.ts). Any of these makes a difference in pass
// rate partly a difference in set-up, so `compare` names each one rather than only the suite.
import type { AnyScorecard } from './scorecard-files.js';
import { runN } from './paired.js';

/** One provenance fact of a scorecard as text, or null where the scorecard did not record it. */
type Fact = (card: AnyScorecard) => string | null;

const reproOf = (card: AnyScorecard): Record<string, unknown> | undefined =>
  card.reproducibility as unknown as Record<string, unknown> | undefined;

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** `temperature=0, top_p=1` in key order; `default` when none was set. */
export function samplingText(sampling: unknown): string | null {
  if (sampling === undefined || sampling === null || typeof sampling !== 'object') return null;
  const entries = Object.entries(sampling as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([x], [y]) => x.localeCompare(y));
  return entries.length === 0 ? 'default' : entries.map(([key, v]) => `${key}=${String(v)}`).join(', ');
}

/** Model identity where the lane recorded one (file, size and a sampled sha256, or the HF id: lanes/modelIdentity.ts). */
export function modelIdentity(card: AnyScorecard): string | null {
  return text(card.reproducibility?.model_identity?.id);
}

const short = (hash: string | null) => (hash === null ? null : hash.slice(0, 12));

const FACTS: Array<[string, Fact]> = [
  ['fixture hash', (c) => short(text(reproOf(c)?.fixture_hash))],
  ['N', (c) => String(runN(c))],
  ['sampling', (c) => samplingText(reproOf(c)?.sampling)],
  ['engine', (c) => text(reproOf(c)?.engine_version)],
  ['model', modelIdentity],
];

/** One `note:` line per fact that differs (a fact only one side recorded counts as different). */
export function provenanceNotes(a: AnyScorecard, b: AnyScorecard): string[] {
  return FACTS.flatMap(([name, fact]) => {
    const [x, y] = [fact(a), fact(b)];
    if (x === y || (x === null && y === null)) return [];
    return [`note: ${name} differs (A ${x ?? 'not recorded'}; B ${y ?? 'not recorded'}): part of the difference may be the set-up, not the lane`];
  });
}
