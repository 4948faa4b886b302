import { parseArgs, type ParseArgsConfig } from 'node:util';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** A usage problem: the CLI prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest known word within a small edit distance, for "did you mean" hints. */
export function suggest(word: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** How a flag is written on the command line: `-n` for a one-letter name, `--timeout` otherwise. */
export function flagName(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

// A value that starts with a dash but reads as a number (`-n -2`): the flag's range check answers it.
const DASHED_NUMBER = /^-(\d|\.\d|Infinity$)/;

/**
 * The arguments with every value of a string flag joined to it (`--name=value`), so a value such
 * as `-2` is the flag's value and not read as another flag; a string flag without a value is
 * refused here, in brainbench's words.
 */
function joinValues(argv: string[], options: FlagSpec): string[] {
  const takesValue = new Map<string, string>();
  for (const [long, spec] of Object.entries(options)) {
    if (spec.type !== 'string') continue;
    takesValue.set(`--${long}`, long);
    if (spec.short) takesValue.set(`-${spec.short}`, long);
  }
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...joined, ...argv.slice(i)];
    const long = takesValue.get(arg);
    if (long === undefined) {
      joined.push(arg);
      continue;
    }
    const value = argv[++i];
    if (value === undefined || (value.startsWith('-') && !DASHED_NUMBER.test(value))) throw new UsageError(`${arg} needs a value`);
    joined.push(`--${long}=${value}`);
  }
  return joined;
}

/** node:util's parse error, said the way brainbench says things (and naming the flag as typed). */
function usageError(err: Error, options: FlagSpec): UsageError {
  const message = err.message;
  const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
  if (unknown) {
    const names = Object.entries(options).flatMap(([long, spec]) => [`--${long}`, ...(spec.short ? [`-${spec.short}`] : [])]);
    const hint = suggest(unknown, names);
    return new UsageError(`unknown flag ${unknown}${hint ? `; did you mean ${hint}?` : ''}`);
  }
  const noValue = /Option '(-{1,2}[^' ,]+)' does not take an argument/.exec(message)?.[1];
  if (noValue) return new UsageError(`${noValue} takes no value`);
  const positional = /Unexpected argument '([^']*)'/.exec(message)?.[1];
  if (positional !== undefined) return new UsageError(`unexpected argument '${positional}'`);
  return new UsageError(message.split('\n')[0]!.replace(/\. To specify a positional.*$/s, ''));
}

/**
 * Parses a command's flags strictly. An unknown flag is a UsageError that suggests the nearest
 * known one ("unknown flag --resum; did you mean --resume?").
 */
export function parseFlags<T extends FlagSpec>(argv: string[], options: T, allowPositionals = false) {
  const args = joinValues(argv, options);
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (err) {
    throw usageError(err as Error, options);
  }
}

export interface Range {
  min?: number;
  max?: number;
}

/**
 * Sane bounds for the numeric run flags, shared by `run` and the cockpit. The timeout bound also
 * keeps Node's timers (at most 2^31-1 ms) from overflowing into "every attempt is instantly runaway".
 */
export const LIMITS = {
  n: { max: 1000 },
  timeout: { max: 86_400 },
  parallel: { max: 256 },
  slots: { max: 256 },
  'turn-budget': { max: 1000 },
  fps: { max: 120 },
  /** Telemetry sample interval in ms; the ceiling keeps it a timer Node honours (src/timers.ts). */
  interval: { min: 100, max: 3_600_000 },
  'tok-per-sec': { above: 0, max: 1_000_000 },
  temperature: { min: 0, max: 2 },
} satisfies Record<string, Range & { above?: number }>;

function rangeText({ min, max }: Range): string {
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}`;
  if (min !== undefined) return `≥ ${min}`;
  return max !== undefined ? `≤ ${max}` : '';
}

/** A whole-number flag within [min, max] (min defaults to 1); `name` as in the spec ('n', 'timeout'). */
export function intFlag(value: string | undefined, name: string, fallback: number, range: Range = {}): number {
  if (value === undefined) return fallback;
  const { min = 1, max = Number.MAX_SAFE_INTEGER } = range;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flagName(name)} wants a whole number ${rangeText({ min, ...(range.max !== undefined ? { max } : {}) })}, got '${value}'`);
  }
  return n;
}

/** A number flag within [min, max]; `above` makes min exclusive (a rate must be more than 0). */
export function numberFlag(value: string | undefined, name: string, range: Range & { above?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const x = value.trim() === '' ? NaN : Number(value);
  const low = range.above !== undefined ? x > range.above : range.min === undefined || x >= range.min;
  if (!Number.isFinite(x) || !low || (range.max !== undefined && x > range.max)) {
    const limits = range.above !== undefined ? `> ${range.above}${range.max !== undefined ? ` and ≤ ${range.max}` : ''}` : rangeText(range);
    throw new UsageError(`${flagName(name)} wants a number${limits ? ` ${limits}` : ''}, got '${value}'`);
  }
  return x;
}

export interface Command {
  name: string;
  summary: string;
  /** Full --help text. */
  help: string;
  run(argv: string[]): Promise<number>;
}
