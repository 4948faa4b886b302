// The docker CLI, as vllm and nim lanes use it. Errors carry docker's own text.
import { execa } from 'execa';
import { LaneError } from './errors.js';

export const DOCKER_MISSING =
  'docker is not installed or not on PATH — vllm and nim lanes run in Docker: install Docker with the NVIDIA Container Toolkit, or use a llamacpp lane';

/**
 * Runs `docker <args>` and returns its stdout. `env` is added to docker's own environment, so
 * `-e NAME` passes a secret through without it ever being on a command line. `interleaved`
 * returns stdout and stderr together (docker logs writes the container's stderr to its stderr).
 */
export async function docker(lane: string, args: string[], opts: { env?: Record<string, string>; interleaved?: boolean } = {}): Promise<string> {
  const result = await execa('docker', args, { env: opts.env, all: opts.interleaved, reject: false, stdin: 'ignore', timeout: 120_000 });
  if ((result as { code?: string }).code === 'ENOENT') throw new LaneError(lane, 'missing', DOCKER_MISSING);
  if (result.failed) {
    const text = (result.stderr || result.stdout || result.shortMessage || '').trim();
    throw new LaneError(lane, 'failed', `docker ${args[0]} failed${result.exitCode !== undefined ? ` (exit ${result.exitCode})` : ''}: ${text}`);
  }
  return opts.interleaved ? (result.all ?? '') : result.stdout;
}

/**
 * Like docker(), but a failure is returned instead of thrown (for clean-up steps that may find
 * nothing). `interleaved`: stdout and stderr together — what `docker logs` needs, since it prints
 * the container's stderr (tracebacks, vLLM's memory errors) on its own stderr.
 */
export async function dockerQuiet(lane: string, args: string[], opts: { interleaved?: boolean } = {}): Promise<{ ok: true; stdout: string } | { ok: false; error: LaneError }> {
  try {
    return { ok: true, stdout: await docker(lane, args, opts) };
  } catch (err) {
    if (err instanceof LaneError && err.reason === 'missing') throw err;
    return { ok: false, error: err as LaneError };
  }
}
