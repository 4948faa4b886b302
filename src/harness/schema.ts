// The zod schema of one `harnesses:` entry (lanes.yaml and fixtures/harnesses.yaml). As in
// ../lanes/schema.ts, every `error` text says what a valid value looks like.
import { posix } from 'node:path';
import { z } from 'zod';
import { API_KINDS, CONFIG_PLACEHOLDERS, DEFAULT_HARNESS_LIMITS, MAX_ADDRESS_SPACE_GB, PLACEHOLDERS, unknownPlaceholders } from './spec.js';

/** The kinds built into brainbench: not declared, not overridable. */
export const BUILTIN_HARNESS_KINDS = ['builtin', 'oracle', 'null'] as const;

const placeholderList = (allowed: readonly string[]) => allowed.map((p) => `{${p}}`).join(', ');

/** A template string whose placeholders are all in `allowed`. */
const template = (allowed: readonly string[], what: string) =>
  z.string({ error: what }).superRefine((text, ctx) => {
    for (const name of unknownPlaceholders(text, allowed)) {
      ctx.addIssue({ code: 'custom', message: `one of the placeholders ${placeholderList(allowed)} instead of unknown placeholder {${name}}` });
    }
  });

/** A string is split on whitespace (it reads like the command typed); a list keeps each element whole. */
const command = z
  .union([
    z.string().refine((s) => !/["'\\]/.test(s), { error: 'a list of arguments (quotes and backslashes only work in the list form: [prog, "an arg"])' }),
    z.array(z.string({ error: 'a string (quote numbers: "1")' }), { error: 'a list of arguments' }).min(1, { error: 'at least the program' }),
  ], { error: 'the command line: "prog --flag {prompt}" or [prog, --flag, "{prompt}"]' })
  .transform((value) => (typeof value === 'string' ? value.trim().split(/\s+/).filter(Boolean) : value))
  .superRefine((argv, ctx) => {
    if (argv.length === 0) ctx.addIssue({ code: 'custom', message: 'at least the program' });
    for (const arg of argv) {
      for (const name of unknownPlaceholders(arg, PLACEHOLDERS)) {
        ctx.addIssue({ code: 'custom', message: `one of the placeholders ${placeholderList(PLACEHOLDERS)} instead of unknown placeholder {${name}}` });
      }
    }
    if (!argv.some((arg) => /\{prompt(_file)?\}/.test(arg))) ctx.addIssue({ code: 'custom', message: 'a command that passes the task: {prompt} or {prompt_file} somewhere in it' });
    if (argv[0] && /\{/.test(argv[0])) ctx.addIssue({ code: 'custom', message: 'a program name without placeholders as the first word' });
  });

/** HOME-relative, no `..`, not absolute: the file lands inside the trial's HOME. */
const homePath = z.string().refine((p) => p.length > 0 && !posix.isAbsolute(p) && !posix.normalize(p).startsWith('..') && !p.split('/').includes('..'), {
  error: 'a path inside HOME, e.g. .pi/agent/models.json (not absolute, no ..)',
});

const gib = `a whole number of GiB from 1 to ${MAX_ADDRESS_SPACE_GB} (node CLIs need ≥ 32: WebAssembly reserves ~10 GiB per instance)`;
const limits = z.strictObject(
  { address_space_gb: z.number({ error: gib }).int({ error: gib }).min(1, { error: gib }).max(MAX_ADDRESS_SPACE_GB, { error: gib }).default(DEFAULT_HARNESS_LIMITS.address_space_gb) },
  { error: `per-process bounds: { address_space_gb: ${DEFAULT_HARNESS_LIMITS.address_space_gb} }` },
);

export const harnessSchema = z.strictObject(
  {
    id: z
      .string({ error: 'a harness id (letters, digits, . _ -)' })
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'a harness id of 1–64 letters, digits, . _ - (it names files)' })
      .refine((id) => !(BUILTIN_HARNESS_KINDS as readonly string[]).includes(id), { error: `an id other than ${BUILTIN_HARNESS_KINDS.join(', ')} (built in)` }),
    command,
    api: z.enum(API_KINDS, { error: `the HTTP dialect it speaks: ${API_KINDS.join(' or ')}` }).default('openai'),
    env: z.record(z.string(), template(CONFIG_PLACEHOLDERS, 'a string value (quote numbers: "0")'), { error: 'a mapping of NAME: value' }).default({}),
    files: z.record(homePath, template(CONFIG_PLACEHOLDERS, 'the file contents as a string'), { error: 'a mapping of HOME-relative path: contents' }).default({}),
    install: z.string({ error: 'how to install it, as one line' }).optional(),
    limits: limits.default(() => ({ ...DEFAULT_HARNESS_LIMITS })),
  },
  { error: 'a harness mapping (id:, command:, api:, …)' },
);

export type HarnessDoc = z.infer<typeof harnessSchema>;
export const harnessKeys = Object.keys(harnessSchema.shape);
