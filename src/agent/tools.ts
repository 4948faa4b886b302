// The tool set given to the model: OpenAI `tools` definitions generated from zod schemas (one
// source for the spec and the validation), and a dispatcher that turns every bad call into an
// `ERROR: ` result listing what is valid, so the loop can go on and recovery can be measured.
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { ToolFailureInjection } from '../types.js';
import { DEFAULT_LIMITS, openSandbox, type Sandbox, type SandboxLimits } from '../sandbox/sandbox.js';
import { measureWork } from '../sandbox/workQuota.js';
import { glob, grep, listFiles, readFile, writeFile, READ_CAP_BYTES, WRITE_CAP_BYTES } from './fileTools.js';
import { runShell, SHELL_TIMEOUT_MS } from './shell.js';
import { failure, malformedCall, type ToolResult } from './toolResult.js';

export type { ToolResult } from './toolResult.js';
export { shellAvailable } from './shell.js';

/** What a tool gets besides its arguments: the folder, the attempt's signal and deadline, the sandbox. */
interface ToolContext {
  root: string;
  signal: AbortSignal | undefined;
  /** Milliseconds left before the attempt's deadline (Infinity without one). */
  timeLeftMs(): number;
  limits: SandboxLimits;
  sandbox(): Promise<Sandbox>;
}

interface ToolDef<S extends z.ZodObject> {
  description: string;
  args: S;
  run: (ctx: ToolContext, args: z.output<S>) => Promise<ToolResult>;
}

const path = (what: string) => z.string().describe(`${what}, relative to the working folder`);

function tool<S extends z.ZodObject>(def: ToolDef<S>): ToolDef<z.ZodObject> {
  return def as unknown as ToolDef<z.ZodObject>;
}

/** write_file may not grow the work folder (it lives in RAM) past the sandbox's cap either. */
async function writeWithinQuota(c: ToolContext, a: { path: string; content: string }): Promise<ToolResult> {
  const usage = await measureWork(c.root, { bytes: c.limits.workBytes, entries: c.limits.workEntries });
  if (usage.bytes + Buffer.byteLength(a.content) > c.limits.workBytes || usage.entries >= c.limits.workEntries) {
    return failure(`the working folder is full (limit ${c.limits.workBytes / 1024 ** 2} MB, ${c.limits.workEntries} entries)`);
  }
  return writeFile(c.root, a.path, a.content);
}

const FILE_TOOLS = {
  list_files: tool({
    description: 'List the entries of a directory (directories end with /).',
    args: z.object({ path: path('Directory').default('.') }),
    run: (c, a) => listFiles(c.root, a.path),
  }),
  read_file: tool({
    description: `Read a text file (at most ${READ_CAP_BYTES / 1024} KB are returned).`,
    args: z.object({ path: path('File') }),
    run: (c, a) => readFile(c.root, a.path),
  }),
  glob: tool({
    description: 'Find files by glob pattern, e.g. "**/*.csv" or "data/*.json" (** spans directories).',
    args: z.object({ pattern: z.string().describe('Glob pattern relative to the working folder') }),
    run: (c, a) => glob(c.root, a.pattern, c.signal),
  }),
  grep: tool({
    description: 'Search file contents with a regular expression; prints file:line:text.',
    args: z.object({
      pattern: z.string().describe('Regular expression (JavaScript syntax; prefix (?i) to ignore case)'),
      path: path('File or directory to search').default('.'),
    }),
    run: (c, a) => grep(c.root, a.pattern, a.path, c.signal),
  }),
  write_file: tool({
    description: `Write a text file, creating parent directories (at most ${WRITE_CAP_BYTES / 1024 / 1024} MB).`,
    args: z.object({ path: path('File'), content: z.string().describe('The full new content') }),
    run: writeWithinQuota,
  }),
};

const SHELL_TOOL = {
  run_shell: tool({
    description:
      'Run a shell command (sh -c) in a sandbox: the working folder is /work (the current directory), no network, a 20 s limit.',
    args: z.object({ command: z.string().describe('The command line') }),
    run: async (c, a) => runShell(await c.sandbox(), a.command, { timeoutMs: Math.min(SHELL_TIMEOUT_MS, c.timeLeftMs()), ...(c.signal && { signal: c.signal }) }),
  }),
};

export interface Toolbox {
  /** OpenAI chat-completions `tools` definitions. */
  specs: ChatCompletionFunctionTool[];
  names: string[];
  call(name: string, rawArgs: string): Promise<ToolResult>;
  /** Ends the sandbox (if run_shell opened one); the toolbox is not used after. */
  close(): Promise<void>;
}

export interface ToolboxOptions {
  shell: boolean;
  injectFailure?: ToolFailureInjection;
  /** The attempt's signal: aborting it interrupts the tool in flight. */
  signal?: AbortSignal;
  /** performance.now() at which the attempt ends: run_shell gets no more than what is left. */
  deadlineAt?: number;
  /** Host paths the sandbox must hide (suite, results, lanes.yaml). */
  hide?: readonly string[];
  limits?: Partial<SandboxLimits>;
  /** Where run_shell sees the folder (default /work); file-tool paths under it are taken as relative. */
  mountAt?: string;
}

/** `/app/src/x.py` → `src/x.py` when the folder is shown at /app (task suites). */
function rebased(args: Record<string, unknown>, mountAt: string | undefined): Record<string, unknown> {
  const path = args.path;
  if (mountAt === undefined || typeof path !== 'string' || (path !== mountAt && !path.startsWith(`${mountAt}/`))) return args;
  return { ...args, path: path.slice(mountAt.length).replace(/^\/+/, '') || '.' };
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
  // Opened on the first run_shell call: attempts that never use the shell pay nothing for it.
  let sandbox: Promise<Sandbox> | undefined;
  const ctx: ToolContext = {
    root,
    signal: opts.signal,
    timeLeftMs: () => (opts.deadlineAt === undefined ? Infinity : Math.max(0, opts.deadlineAt - performance.now())),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    sandbox: () => (sandbox ??= openSandbox({ workDir: root, hide: opts.hide ?? [], ...(opts.limits && { limits: opts.limits }), ...(opts.mountAt && { mountAt: opts.mountAt }) })),
  };

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
    if (opts.signal?.aborted) return failure(`${name} not run: the attempt has ended`);
    try {
      return await def.run(ctx, rebased(parsed.data as Record<string, unknown>, opts.mountAt));
    } catch (err) {
      // An unexpected fs error is the tool's result, not the end of the attempt.
      return failure(`${name} failed: ${(err as Error).message}`);
    }
  }

  async function close(): Promise<void> {
    const opened = sandbox;
    sandbox = undefined;
    await opened?.then((s) => s.close()).catch(() => undefined);
  }

  return { specs, names, call, close };
}
