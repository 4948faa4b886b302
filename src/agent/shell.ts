// run_shell: a command inside bubblewrap — no network, the scratch folder mounted read-write at
// /work, the rest of the system read-only, the user's home hidden, a time limit.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capText, failure, success, type ToolResult } from './toolResult.js';

export const SHELL_TIMEOUT_MS = 20_000;
export const SHELL_OUTPUT_CAP_CHARS = 16 * 1024;

/** A minimal environment: nothing of the user's (API keys included) reaches the sandbox. */
const SANDBOX_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/work', LANG: 'C.UTF-8' };

export function bwrapArgs(root: string): string[] {
  const hidden = ['/root', '/home'].filter((dir) => existsSync(dir)).flatMap((dir) => ['--tmpfs', dir]);
  return [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--ro-bind', '/', '/',
    '--tmpfs', '/tmp',
    '--proc', '/proc',
    '--dev', '/dev',
    ...hidden,
    '--bind', root, '/work',
    '--chdir', '/work',
  ];
}

interface Exec {
  code: number | null;
  output: string;
  timedOut: boolean;
}

/** Run bwrap in its own process group; on timeout the whole group is killed. */
function execSandboxed(root: string, command: string, timeoutMs: number): Promise<Exec> {
  return new Promise((resolvePromise, reject) => {
    // stderr joins stdout inside the sandbox, so the model reads both in the order they happened.
    const child = spawn('bwrap', [...bwrapArgs(root), '/bin/sh', '-c', 'exec 2>&1; eval "$1"', 'sh', command], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: SANDBOX_ENV,
    });
    let output = '';
    let timedOut = false;
    // Keep a little more than the cap so the truncation note can say how much there was.
    const collect = (chunk: Buffer) => {
      if (output.length <= SHELL_OUTPUT_CAP_CHARS * 4) output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output, timedOut });
    });
  });
}

export async function runShell(root: string, command: string, timeoutMs = SHELL_TIMEOUT_MS): Promise<ToolResult> {
  let result: Exec;
  try {
    result = await execSandboxed(root, command, timeoutMs);
  } catch (err) {
    return failure(`could not start the sandbox: ${(err as Error).message}`);
  }
  const output = capText(result.output, SHELL_OUTPUT_CAP_CHARS);
  if (result.timedOut) return failure(`command timed out after ${timeoutMs / 1000} s and was killed\n${output}`);
  return success(`exit code ${result.code ?? 'killed'}\n${output}`);
}

let available: Promise<boolean> | undefined;

/** bwrap is installed and a trivial sandboxed `true` actually runs (user namespaces allowed); cached. */
export async function shellAvailable(): Promise<boolean> {
  available ??= (async () => {
    const probeRoot = await mkdtemp(join(tmpdir(), 'brainbench-bwrap-'));
    try {
      const probe = await execSandboxed(probeRoot, 'true', 5_000);
      return probe.code === 0;
    } catch {
      return false;
    } finally {
      await rm(probeRoot, { recursive: true, force: true });
    }
  })();
  return available;
}
