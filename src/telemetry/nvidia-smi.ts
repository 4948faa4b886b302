// GPU telemetry from ONE long-running `nvidia-smi ... -lms <interval>` child (DESIGN §7): a process
// per sample would cost far more than the sampling itself. Lines arrive in bursts, one line per
// GPU per tick; a burst is one reading of every GPU.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { GpuSample } from '../types.js';

const QUERY = 'utilization.gpu,temperature.gpu,memory.used,memory.total,power.draw';

export const NVIDIA_SMI_ARGS: string[] = [`--query-gpu=${QUERY}`, '--format=csv,noheader,nounits', '-lms', '500'];

/** The argv for a given loop interval (the exported constant is the 500 ms one). */
export function nvidiaSmiArgs(intervalMs: number): string[] {
  return [...NVIDIA_SMI_ARGS.slice(0, -1), String(intervalMs)];
}

const FIELD_COUNT = QUERY.split(',').length;
const NUMBER = /^-?\d+(\.\d+)?$/;
/** What nvidia-smi prints for a value it cannot give: [N/A], [Not Supported], [Unknown Error], N/A. */
const PLACEHOLDER = /^(\[[^\]]*\]|N\/A)$/i;

function field(raw: string | undefined): number | null {
  const text = (raw ?? '').trim();
  return NUMBER.test(text) ? Number(text) : null;
}

/**
 * One CSV line of the query above → a GPU reading. Each field is parsed on its own: a placeholder
 * or garbage is null for that field only. A line that is not a data record (an error message, a
 * truncated line) is null as a whole.
 */
export function parseGpuLine(line: string, index: number): GpuSample | null {
  const fields = line.split(',').map((f) => f.trim());
  if (fields.length !== FIELD_COUNT) return null;
  // Five comma-separated words of prose are not data: a record has at least one number or placeholder.
  if (!fields.some((f) => NUMBER.test(f) || PLACEHOLDER.test(f))) return null;
  const [util, temp, memUsed, memTotal, power] = fields;
  return {
    index,
    util_pct: field(util),
    temp_c: field(temp),
    mem_used_mb: field(memUsed),
    mem_total_mb: field(memTotal),
    power_w: field(power),
  };
}

export interface GpuStreamOptions {
  /** The nvidia-smi binary (a name looked up on PATH, or a path). */
  bin?: string;
  /** The -lms loop interval. */
  intervalMs?: number;
  /** First wait before restarting a child that died; doubles per failure up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
}

/** A child that lived this long was healthy: its death restarts with the initial delay again. */
const HEALTHY_RUN_MS = 30_000;

/**
 * Keeps the latest reading of every GPU from one nvidia-smi child, restarting it (with backoff)
 * when it dies. A missing binary is the permanent "no GPU" state, not an error.
 */
export class GpuStream {
  private readonly bin: string;
  private readonly intervalMs: number;
  private readonly initialRestartDelayMs: number;
  private readonly maxRestartDelayMs: number;
  private restartDelayMs: number;
  private child: ChildProcess | null = null;
  private childStartedAt = 0;
  private running = false;
  private absent = false;
  private partialLine = '';
  private burst: GpuSample[] = [];
  private burstTimer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private last: { gpus: GpuSample[]; at: number } | null = null;
  /** How many nvidia-smi children were started (restarts included). */
  spawnCount = 0;
  /** The last line that was not data (e.g. "NVIDIA-SMI has failed because ..."), for diagnostics. */
  lastError: string | null = null;

  constructor(opts: GpuStreamOptions = {}) {
    this.bin = opts.bin ?? 'nvidia-smi';
    this.intervalMs = opts.intervalMs ?? 500;
    this.initialRestartDelayMs = opts.restartDelayMs ?? 1000;
    this.maxRestartDelayMs = opts.maxRestartDelayMs ?? 30_000;
    this.restartDelayMs = this.initialRestartDelayMs;
  }

  /** False once the binary turned out to be missing (or not executable): "no GPU". */
  get available(): boolean {
    return !this.absent;
  }

  start(): void {
    if (this.running || this.absent) return;
    this.running = true;
    this.spawnChild();
  }

  /** Every GPU's latest reading; null = no GPU, or no fresh reading (the child is down). */
  latest(): GpuSample[] | null {
    if (!this.last) return null;
    const staleAfterMs = Math.max(3 * this.intervalMs, 2000);
    return Date.now() - this.last.at <= staleAfterMs ? this.last.gpus : null;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.burstTimer) clearTimeout(this.burstTimer);
    this.restartTimer = this.burstTimer = null;
    const child = this.child;
    this.child = null;
    // pid undefined: the spawn failed (no nvidia-smi), and such a child never emits 'exit'
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(killTimer);
  }

  private spawnChild(): void {
    const child = spawn(this.bin, nvidiaSmiArgs(this.intervalMs), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.childStartedAt = Date.now();
    this.spawnCount++;
    this.partialLine = '';
    // A forgotten stream must not keep the process alive; the owner holds its own timers.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as (Readable & { unref?: () => void }) | null)?.unref?.();
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.onData(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const line = chunk.trim().split('\n').pop();
      if (line) this.lastError = line;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'EACCES') {
        this.absent = true;
        this.running = false;
      } else {
        this.lastError = err.message;
      }
    });
    child.on('close', () => {
      if (this.child === child) this.child = null;
      if (this.running && !this.absent) this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    if (Date.now() - this.childStartedAt >= HEALTHY_RUN_MS) this.restartDelayMs = this.initialRestartDelayMs;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.running) this.spawnChild();
    }, this.restartDelayMs);
    this.restartTimer.unref();
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, this.maxRestartDelayMs);
  }

  private onData(chunk: string): void {
    const lines = (this.partialLine + chunk).split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const gpu = parseGpuLine(line, this.burst.length);
      if (gpu) this.burst.push(gpu);
      else this.lastError = line.trim();
    }
    // Lines of one tick come together; a short quiet spell closes the burst.
    if (this.burst.length > 0 && !this.burstTimer) {
      this.burstTimer = setTimeout(() => this.closeBurst(), Math.min(50, this.intervalMs / 5));
      this.burstTimer.unref();
    }
  }

  private closeBurst(): void {
    this.burstTimer = null;
    this.last = { gpus: this.burst, at: Date.now() };
    this.burst = [];
  }
}
