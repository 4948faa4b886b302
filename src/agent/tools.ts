// The tool set given to the model: OpenAI `tools` definitions generated from zod schemas (one
// source for the spec and the validation), and a dispatcher that turns every bad call into an
// `ERROR: ` result listing what is valid, so the loop can go on and recovery can be measured.
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { ToolFailureInjection } from '../types.js';
import { glob, grep, listFiles, readFile, writeFile, READ_CAP_BYTES, WRITE_CAP_BYTES } from './fileTools.js';
import { runShell } from './shell.js';
import { failure, malformedCall, type ToolResult } from './toolResult.js';

export type { ToolResult } from './toolResult.js';
export { shellAvailable } from './shell.js';

interface ToolDef<S extends z.ZodObject> {
  description: string;
  args: S;
  run: (root: string, args: z.output<S>) => Promise<ToolResult>;
}

const path = (what: string) => z.string().describe(`${what}, relative to the working folder`);

function tool<S extends z.ZodObject>(def: ToolDef<S>): ToolDef<z.ZodObject> {
  return def as unknown as ToolDef<z.ZodObject>;
}

const FILE_TOOLS = {
  list_files: tool({
    description: 'List the entries of a directory (directories end with /).',
    args: z.object({ path: path('Directory').default('.') }),
    run: (root, a) => listFiles(root, a.path),
  }),
  read_file: tool({
    description: `Read a text file (at most ${READ_CAP_BYTES / 1024} KB are returned).`,
    args: z.object({ path: path('File') }),
    run: (root, a) => readFile(root, a.path),
  }),
  glob: tool({
    description: 'Find files by glob pattern, e.g. "**/*.csv" or "data/*.json" (** spans directories).',
    args: z.object({ pattern: z.string().describe('Glob pattern relative to the working folder') }),
    run: (root, a) => glob(root, a.pattern),
  }),
  grep: tool({
    description: 'Search file contents with a regular expression; prints file:line:text.',
    args: z.object({
      pattern: z.string().describe('Regular expression (JavaScript syntax; prefix (?i) to ignore case)'),
      path: path('File or directory to search').default('.'),
    }),
    run: (root, a) => grep(root, a.pattern, a.path),
  }),
  write_file: tool({
    description: `Write a text file, creating parent directories (at most ${WRITE_CAP_BYTES / 1024 / 1024} MB).`,
    args: z.object({ path: path('File'), content: z.string().describe('The full new content') }),
    run: (root, a) => writeFile(root, a.path, a.content),
  }),
};

const SHELL_TOOL = {
  run_shell: tool({
    description:
      'Run a shell command (sh -c) in a sandbox: the working folder is /work (the current directory), no network, a 20 s limit.',
    args: z.object({ command: z.string().describe('The command line') }),
    run: (root, a) => runShell(root, a.command),
  }),
};

export interface Toolbox {
  /** OpenAI chat-completions `tools` definitions. */
  specs: ChatCompletionFunctionTool[];
  names: string[];
  call(name: string, rawArgs: string): Promise<ToolResult>;
}

export interface ToolboxOptions {
  shell: boolean;
  injectFailure?: ToolFailureInjection;
}

function parametersOf(def: ToolDef<z.ZodObject>): Record<string, unknown> {
  const schema = z.toJSONSchema(def.args, { io: 'input' }) as Record<string, unknown>;
  delete schema.$schema; // OpenAI-style servers expect a bare object schema
  return schema;
}

/** `{"path": string, "content": string}` with optional arguments marked — for error messages. */
function describeArgs(parameters: Record<string, unknown>): string {
  const properties = (parameters.properties ?? {}) as Record<string, { type?: string }>;
  const required = new Set((parameters.required ?? []) as string[]);
  const fields = Object.entries(properties).map(
    ([key, prop]) => `"${key}": ${prop.type ?? 'any'}${required.has(key) ? '' : ' (optional)'}`,
  );
  return `{${fields.join(', ')}}`;
}

/** The tools for one attempt, confined to `root` (the attempt's scratch copy). */
export function createToolbox(root: string, opts: ToolboxOptions): Toolbox {
  const defs: Record<string, ToolDef<z.ZodObject>> = { ...FILE_TOOLS, ...(opts.shell ? SHELL_TOOL : {}) };
  const names = Object.keys(defs);
  const parameters = Object.fromEntries(names.map((name) => [name, parametersOf(defs[name]!)]));
  const specs: ChatCompletionFunctionTool[] = names.map((name) => ({
    type: 'function',
    function: { name, description: defs[name]!.description, parameters: parameters[name]! },
  }));
  let injectionsLeft = opts.injectFailure?.times ?? 0;

  async function call(name: string, rawArgs: string): Promise<ToolResult> {
    const def = Object.hasOwn(defs, name) ? defs[name] : undefined;
    if (!def) return malformedCall(`unknown tool '${name}'. Valid tools: ${names.join(', ')}`);
    const expected = `${name} expects ${describeArgs(parameters[name]!)}`;
    let json: unknown;
    try {
      // Some servers send an empty string for a call without arguments.
      json = JSON.parse(rawArgs.trim() === '' ? '{}' : rawArgs);
    } catch (err) {
      return malformedCall(`arguments are not valid JSON (${(err as Error).message}). ${expected}`);
    }
    const parsed = def.args.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
      return malformedCall(`invalid arguments (${issues}). ${expected}`);
    }
    // Injected failures hit well-formed calls only: they simulate a flaky tool, not a bad call.
    if (opts.injectFailure?.tool === name && injectionsLeft > 0) {
      injectionsLeft--;
      return failure(opts.injectFailure.message ?? 'temporary failure, try again');
    }
    try {
      return await def.run(root, parsed.data);
    } catch (err) {
      // An unexpected fs error is the tool's result, not the end of the attempt.
      return failure(`${name} failed: ${(err as Error).message}`);
    }
  }

  return { specs, names, call };
}
