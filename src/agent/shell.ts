// run_shell: one command inside the attempt's sandbox (src/sandbox/): no network, the scratch
// folder read-write at /work, an allow-listed read-only system, per-attempt limits. Its time is
// the smaller of its own limit and what is left of the attempt; the attempt's abort kills it.
import { DEFAULT_LIMITS, sandboxAvailable, type Sandbox } from '../sandbox/sandbox.js';
import { failure, success, type ToolResult } from './toolResult.js';

export const SHELL_TIMEOUT_MS = 20_000;
export const SHELL_OUTPUT_CAP_CHARS = 16 * 1024;
/** Processes the sandboxed command may have at once: a fork bomb stops here. */
export const SANDBOX_MAX_PROCESSES = DEFAULT_LIMITS.processes;
/** Largest file the command may write (RLIMIT_FSIZE); beyond it the write fails with EFBIG. */
export const SANDBOX_MAX_FILE_BYTES = DEFAULT_LIMITS.fileBytes;

/**
 * What the sandbox refused, read from the output: only messages that a confined command gets
 * when it reaches for something outside (writing outside /work and /tmp, the network, more
 * processes, memory or a bigger file than allowed) — these count as escape attempts.
 */
const REFUSALS: [RegExp, string][] = [
  [/Read-only file system/, 'a write outside the working folder'],
  [/Cannot fork|fork: (retry: )?Resource temporarily unavailable/, `more than ${SANDBOX_MAX_PROCESSES} processes`],
  [/File size limit exceeded/, `a file larger than ${SANDBOX_MAX_FILE_BYTES / 1024 / 1024} MB`],
  [/Cannot allocate memory|[Oo]ut of memory|MemoryError/, `more than ${DEFAULT_LIMITS.memoryBytes / 1024 ** 3} GB of memory`],
  [/Network is unreachable|Temporary failure in name resolution|Could not resolve host/, 'network access'],
  [/Invalid cross-device link/, 'a hard link to a file outside'],
];

export function sandboxRefusals(output: string): string[] {
  return REFUSALS.filter(([pattern]) => pattern.test(output)).map(([, what]) => what);
}

export interface ShellOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function runShell(sandbox: Sandbox, command: string, opts: ShellOptions = {}): Promise<ToolResult> {
  const timeoutMs = opts.timeoutMs ?? SHELL_TIMEOUT_MS;
  let result;
  try {
    result = await sandbox.run(command, { timeoutMs, ...(opts.signal && { signal: opts.signal }) });
  } catch (err) {
    return failure(`could not start the sandbox: ${(err as Error).message}`);
  }
  let output = result.output.length > SHELL_OUTPUT_CAP_CHARS ? result.output.slice(0, SHELL_OUTPUT_CAP_CHARS) : result.output;
  if (output.length < result.output.length || result.outputBytes > Buffer.byteLength(result.output)) {
    output += `\n[truncated: showing the first ${output.length} characters of ${result.outputBytes} bytes]`;
  }
  if (result.aborted) return failure(`the attempt ended (time up or cancelled); the command was killed\n${output}`);
  if (result.timedOut) return failure(`command timed out after ${timeoutMs / 1000} s and was killed\n${output}`);
  const refused = sandboxRefusals(result.output);
  if (result.overCap) refused.push(result.overCap);
  const note = refused.length ? `\n[sandbox refused: ${refused.join('; ')}]` : '';
  const status = result.overCap ? 'killed' : (result.code ?? 'killed');
  return { ...success(`exit code ${status}\n${output}${note}`), escape: refused.length > 0 };
}

/** run_shell is offered only where the full sandbox runs (bwrap, prlimit, user namespaces). */
export const shellAvailable = sandboxAvailable;
