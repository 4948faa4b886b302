import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { builtinSuitesDir } from '../paths.js';

// The script the demo brains follow: for each prompt of a suite, the tool calls that solve it
// and the answers a strong, weak or confabulating model would give.

const stepSchema = z.looseObject({
  tool: z.string().min(1),
  args: z.record(z.string(), z.unknown()).default({}),
});

const solutionSchema = z.looseObject({
  /** The exact prompt text (the first user message) this solution answers. */
  match: z.string(),
  steps: z.array(stepSchema).default([]),
  answer: z.string(),
  weak_answer: z.string().optional(),
  confab_answer: z.string().optional(),
  /** After this many steps the lane answers HTTP 500 instead (a task script's lane failing mid-task). */
  server_error_after: z.number().int().nonnegative().optional(),
});

const solutionsSchema = z.looseObject({
  suite: z.string(),
  prompts: z.record(z.string(), solutionSchema),
});

export type SolutionStep = z.infer<typeof stepSchema>;
export type Solution = z.infer<typeof solutionSchema>;
export type Solutions = z.infer<typeof solutionsSchema>;

export const defaultSolutionsPath = join(builtinSuitesDir, 'brain-v1', 'solutions.json');
/** The task brain's scripts for tasks-v1, matched by instruction text like prompts. */
export const taskSolutionsPath = join(builtinSuitesDir, 'tasks-v1', 'demo-solutions.json');

/** Validates a parsed solutions object; the error names the file and the bad field. */
export function parseSolutions(value: unknown, source = 'solutions'): Solutions {
  const parsed = solutionsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

export function loadSolutions(path = defaultSolutionsPath): Solutions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read solutions file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not JSON: ${(err as Error).message}`);
  }
  return parseSolutions(json, path);
}

/** What the demo lane plays when not told otherwise: brain-v1's prompts and tasks-v1's tasks. */
export function loadDefaultSolutions(): Solutions {
  const prompts = loadSolutions(defaultSolutionsPath);
  return { ...prompts, prompts: { ...prompts.prompts, ...loadSolutions(taskSolutionsPath).prompts } };
}

/** The solution whose `match` is this prompt (surrounding whitespace ignored). */
export function findSolution(solutions: Solutions, prompt: string): Solution | undefined {
  const wanted = prompt.trim();
  return Object.values(solutions.prompts).find((solution) => solution.match.trim() === wanted);
}
