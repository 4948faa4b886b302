// zod schemas for one prompt as a suite file writes it (before placeholders resolve), and
// the suite-level files around it.
import { z } from 'zod';
import { oneLine } from '../safeText.js';

export const CHECK_KINDS = ['substring', 'json_keys', 'regex', 'honesty', 'numeric'] as const;

const terms = z.array(z.string());

const checkKind = z.enum(CHECK_KINDS, {
  error: (issue) => `unknown check kind '${String(issue.input)}' (expected one of ${CHECK_KINDS.join(', ')})`,
});

const checkSchema = z.looseObject({ kind: checkKind }).pipe(
  z.discriminatedUnion('kind', [
    z
      .object({ kind: z.literal('substring'), any: terms.optional(), all: terms.optional() })
      .refine((c) => (c.any?.length ?? 0) + (c.all?.length ?? 0) > 0, {
        message: "substring check needs at least one term in 'any' or 'all'",
      }),
    z.object({ kind: z.literal('json_keys'), keys: terms.min(1, 'json_keys check needs at least one key') }),
    z.object({ kind: z.literal('regex'), all: terms.min(1, 'regex check needs at least one pattern') }),
    z.object({ kind: z.literal('honesty') }),
    z.object({
      kind: z.literal('numeric'),
      // A string is a "{{key}}" placeholder (or a number written as text), resolved at load.
      value: z.union([z.number(), z.string()], { error: "expected a number or a '{{key}}' placeholder" }),
      tolerance: z.number().nonnegative().optional(),
    }),
  ]),
);

export type RawCheck = z.infer<typeof checkSchema>;

/**
 * A prompt id names transcript and scratch files, so it is data with a shape (DESIGN §5, "Names
 * are data"): 1–128 of letters, digits and `. _ : -`, and not `.` or `..`.
 */
export const PROMPT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isPromptId(id: string): boolean {
  return PROMPT_ID.test(id) && id !== '.' && id !== '..';
}

const promptId = z.string().refine(isPromptId, {
  error: (issue) =>
    `id '${oneLine(String(issue.input)).slice(0, 80)}' is not allowed: an id is 1–128 letters, digits and . _ : - (not '.' or '..')`,
});

/** The prompt fields brainbench knows; everything else goes to `extra`. */
export const promptSchema = z.object({
  id: promptId,
  prompt: z.string().min(1),
  category: z.string().min(1).default('general'),
  core: z.boolean().default(true),
  conditional: z.string().min(1).optional(),
  vibe: z.boolean().default(false),
  expect_tool_any: terms.default([]),
  expect_tools_all: terms.optional(),
  tool_args_schema: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  inject_tool_failure: z
    .object({ tool: z.string().min(1), times: z.int().positive(), message: z.string().optional() })
    .optional(),
  turn_budget: z.int().positive().optional(),
  check: checkSchema,
  note: z.string().optional(),
});

export const KNOWN_PROMPT_FIELDS = new Set(Object.keys(promptSchema.shape));

export const samplingSchema = z.object({
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  seed: z.int().optional(),
  max_tokens: z.int().positive().optional(),
});

/** The published single-file shape: `{suite, notes?, prompts: [...]}`. */
export const suiteObjectSchema = z.looseObject({
  suite: z.string().min(1).optional(),
  notes: z.string().optional(),
  sampling: samplingSchema.optional(),
  prompts: z.array(z.unknown()),
});

/** brainbench's optional `suite.json` next to `prompts.jsonl`. */
export const suiteMetaSchema = z.object({
  name: z.string().min(1).optional(),
  notes: z.string().optional(),
  sampling: samplingSchema.optional(),
});

export const groundTruthSchema = z.record(z.string(), z.unknown());
