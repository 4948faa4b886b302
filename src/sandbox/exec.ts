// One sandboxed process, watched: output kept up to a cap, killed with its whole process group
// on its time limit, on the caller's abort, or when the work folder grows past its cap.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { measureWork, overCap, type WorkUsage } from './workQuota.js';
import { clampDelayMs } from '../timers.js';

export interface ExecRequest {
  argv: string[];
  /** Written, in order, to file descriptors 3, 4, … (bwrap's --ro-bind-data). */
  data: string[];
  env: Record<string, string>;
  /** Run as this uid/gid (spawned by root), or as brainbench itself. */
  uid: number | null;
  timeoutMs: number;
  signal?: AbortSignal;
  outputCap: number;
  work: { dir: string; caps: { bytes: number; entries: number }; before: WorkUsage };
}

export interface ExecResult {
  code: number | null;
  /** stdout and stderr, in the order they came, at most the output cap of it. */
  output: string;
  /** All the bytes the command printed (kept or not). */
  outputBytes: number;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the work folder grew past its cap (the command was killed for it). */
  overCap: string | null;
}

const WORK_POLL_MS = 200;

export function killGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Only growth counts: a folder already over its cap may still be cleaned up. */
async function grewPastCap(req: ExecRequest): Promise<string | null> {
  const usage = await measureWork(req.work.dir, req.work.caps).catch(() => req.work.before); // vanished mid-walk: no growth seen
  const grew = usage.bytes > req.work.before.bytes || usage.entries > req.work.before.entries;
  return grew ? overCap(usage, req.work.caps) : null;
}

export function execWatched(req: ExecRequest, onPid: (pid: number, running: boolean) => void): Promise<ExecResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(req.argv[0]!, req.argv.slice(1), {
      detached: true, // its own process group, killed as one
      stdio: ['ignore', 'pipe', 'pipe', ...req.data.map(() => 'pipe' as const)],
      env: req.env,
      ...(req.uid !== null && { uid: req.uid, gid: req.uid }),
    });
    const pid = child.pid;
    if (pid) onPid(pid, true);
    for (const [i, text] of req.data.entries()) {
      const pipe = child.stdio[3 + i] as Writable;
      pipe.on('error', () => undefined); // bwrap killed before it read its data: nothing to do
      pipe.end(text);
    }
    const chunks: Buffer[] = [];
    const state = { kept: 0, outputBytes: 0, timedOut: false, aborted: false, over: null as string | null, polling: false };
    const collect = (chunk: Buffer) => {
      state.outputBytes += chunk.length;
      if (state.kept >= req.outputCap) return;
      const piece = chunk.subarray(0, req.outputCap - state.kept);
      chunks.push(piece);
      state.kept += piece.length;
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const timer = setTimeout(() => {
      state.timedOut = true;
      killGroup(pid);
    }, clampDelayMs(req.timeoutMs));
    const onAbort = () => {
      state.aborted = true;
      killGroup(pid);
    };
    if (req.signal?.aborted) onAbort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const poll = setInterval(() => {
      if (state.polling) return;
      state.polling = true;
      void grewPastCap(req).then((why) => {
        state.polling = false;
        if (!why) return;
        state.over ??= why;
        killGroup(pid);
      });
    }, WORK_POLL_MS);
    const done = () => {
      clearTimeout(timer);
      clearInterval(poll);
      req.signal?.removeEventListener('abort', onAbort);
      if (pid) onPid(pid, false);
    };
    child.on('error', (err) => {
      done();
      reject(err);
    });
    child.on('close', (code) => {
      done();
      void grewPastCap(req).then((why) => {
        const output = Buffer.concat(chunks).toString('utf8');
        resolvePromise({ code, output, outputBytes: state.outputBytes, timedOut: state.timedOut, aborted: state.aborted, overCap: state.over ?? why });
      });
    });
  });
}
