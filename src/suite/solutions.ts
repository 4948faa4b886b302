// solutions.json: the scripted answers the fake lane's brains play for a suite (DESIGN §10).
// The strong brain performs `steps` in order, then answers `answer`; the weak brain stops
// after the first step and answers `weak_answer`; the confabulating brain answers
// `confab_answer`.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SuiteError } from './errors.js';

const stepSchema = z.object({ tool: z.string().min(1), args: z.record(z.string(), z.unknown()) });

const solutionSchema = z.object({
  /** The exact prompt text as sent to the model; the fake lane recognises the prompt by it. */
  match: z.string().min(1),
  steps: z.array(stepSchema),
  answer: z.string(),
  weak_answer: z.string().optional(),
  confab_answer: z.string().optional(),
});

export const solutionsFileSchema = z.object({
  suite: z.string().min(1),
  prompts: z.record(z.string(), solutionSchema),
});

export type ScriptedStep = z.infer<typeof stepSchema>;
export type Solution = z.infer<typeof solutionSchema>;
export type SolutionsFile = z.infer<typeof solutionsFileSchema>;

/** Reads and validates a solutions.json. */
export async function loadSolutions(file: string): Promise<SolutionsFile> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new SuiteError(file, `cannot read solutions: ${(err as Error).message}`);
  }
  const parsed = solutionsFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SuiteError(file, issue.message, { field: issue.path.map(String).join('.') });
  }
  return parsed.data;
}
