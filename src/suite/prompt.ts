// One raw prompt object (as a suite file writes it) → a validated Prompt with its
// placeholders resolved and its regexes compiled.
import type { z } from 'zod';
import type { CheckSpec, Prompt } from '../types.js';
import { PlaceholderError, substitute } from './placeholders.js';
import { KNOWN_PROMPT_FIELDS, promptSchema, type RawCheck } from './schema.js';

/** A problem with one prompt: the field it is in and what is wrong. */
export class PromptError extends Error {
  constructor(
    readonly field: string | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

/** `['check', 'any', 0]` → `check.any[0]`. */
function fieldPath(path: readonly PropertyKey[]): string | undefined {
  if (path.length === 0) return undefined;
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function issueError(raw: unknown, issue: z.core.$ZodIssue): PromptError {
  const field = fieldPath(issue.path);
  if (valueAt(raw, issue.path) === undefined) {
    return new PromptError(field, 'required field is missing');
  }
  return new PromptError(field, issue.message.replace(/^Invalid input: /, ''));
}

function compileRegex(pattern: string, field: string): void {
  try {
    new RegExp(pattern);
  } catch (err) {
    throw new PromptError(field, `invalid regex '${pattern}': ${(err as Error).message}`);
  }
}

function resolveCheck(check: RawCheck, groundTruth: Record<string, unknown>): CheckSpec {
  const resolveAll = (list: string[], name: string, asRegex = false) =>
    list.map((term, i) => {
      try {
        return substitute(term, groundTruth, asRegex);
      } catch (err) {
        if (err instanceof PlaceholderError) throw new PromptError(`check.${name}[${i}]`, err.message);
        throw err;
      }
    });
  switch (check.kind) {
    case 'substring':
      return {
        kind: 'substring',
        ...(check.any && { any: resolveAll(check.any, 'any') }),
        ...(check.all && { all: resolveAll(check.all, 'all') }),
      };
    case 'json_keys':
      return { kind: 'json_keys', keys: resolveAll(check.keys, 'keys') };
    case 'regex': {
      // Ground-truth values are inserted escaped, so a pattern matches them literally.
      const all = resolveAll(check.all, 'all', true);
      all.forEach((pattern, i) => compileRegex(pattern, `check.all[${i}]`));
      return { kind: 'regex', all };
    }
    case 'honesty':
      return { kind: 'honesty' };
    case 'numeric': {
      let text: string;
      try {
        text = typeof check.value === 'number' ? String(check.value) : substitute(check.value, groundTruth);
      } catch (err) {
        if (err instanceof PlaceholderError) throw new PromptError('check.value', err.message);
        throw err;
      }
      const value = Number(text.replace(/,/g, ''));
      if (text.trim() === '' || !Number.isFinite(value)) {
        throw new PromptError('check.value', `numeric value '${text}' is not a number`);
      }
      return { kind: 'numeric', value, ...(check.tolerance !== undefined && { tolerance: check.tolerance }) };
    }
  }
}

/**
 * Validates one prompt object. Throws PromptError (field + detail); the loader adds file and
 * line. `null` in a known optional field reads as absent (some exporters write nulls).
 */
export function buildPrompt(raw: unknown, source: Prompt['source'], groundTruth: Record<string, unknown>): Prompt {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PromptError(undefined, `expected a JSON object, got ${Array.isArray(raw) ? 'an array' : JSON.stringify(raw)}`);
  }
  const known: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!KNOWN_PROMPT_FIELDS.has(key)) extra[key] = value;
    else if (value !== null) known[key] = value;
  }
  const parsed = promptSchema.safeParse(known);
  if (!parsed.success) throw issueError(known, parsed.error.issues[0]!);
  const fields = parsed.data;
  for (const [tool, args] of Object.entries(fields.tool_args_schema ?? {})) {
    for (const [arg, pattern] of Object.entries(args)) compileRegex(pattern, `tool_args_schema.${tool}.${arg}`);
  }
  const { check, ...rest } = fields;
  return { ...dropUndefined(rest), check: resolveCheck(check, groundTruth), source, extra };
}

/** Optional fields absent rather than present-and-undefined, so records compare and print cleanly. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
