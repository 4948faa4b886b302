// GPU telemetry from ONE long-running `nvidia-smi ... -lms <interval>` child (DESIGN §7): a process
// per sample would cost far more than the sampling itself. Lines arrive in bursts, one line per
// GPU per tick; a burst is one reading of every GPU. nvidia-smi has hung for minutes on a Spark in
// a memory livelock (DESIGN §15): a child that goes quiet is killed and restarted with backoff, and
// the reading says since when it is stale; nothing ever waits on the child.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { GpuSample } from '../types.js';

/** The throttle field was renamed (drivers ≥ 535 say clocks_event_reasons); older ones only know the first name. */
export const THROTTLE_FIELD = 'clocks_event_reasons.active';
export const LEGACY_THROTTLE_FIELD = 'clocks_throttle_reasons.active';
const BASE_FIELDS = 'utilization.gpu,temperature.gpu,memory.used,memory.total,power.draw,clocks.sm';

const queryOf = (throttleField: string) => `${BASE_FIELDS},${throttleField}`;

export const NVIDIA_SMI_ARGS: string[] = [`--query-gpu=${queryOf(THROTTLE_FIELD)}`, '--format=csv,noheader,nounits', '-lms', '500'];

/** The argv for a given loop interval and throttle field name (the constant is the 500 ms, current-name one). */
export function nvidiaSmiArgs(intervalMs: number, throttleField = THROTTLE_FIELD): string[] {
  return [`--query-gpu=${queryOf(throttleField)}`, '--format=csv,noheader,nounits', '-lms', String(intervalMs)];
}

const FIELD_COUNT = queryOf(THROTTLE_FIELD).split(',').length;
const NUMBER = /^-?\d+(\.\d+)?$/;
const HEX = /^0x[0-9a-f]+$/i;
/** What nvidia-smi prints for a value it cannot give: [N/A], [Not Supported], [Unknown Error], N/A. */
const PLACEHOLDER = /^(\[[^\]]*\]|N\/A)$/i;
/** nvidia-smi's answer to a query field this driver does not know. */
const INVALID_FIELD = /is not a valid field to query/i;

/**
 * The clock-event bits that mean the GPU is held back (NVML nvmlClocksEventReason*). GPU idle,
 * application clocks, sync boost and display clocks are not slowdowns and are left out.
 */
const SLOWDOWN_BITS: [bigint, string][] = [
  [0x4n, 'sw_power_cap'],
  [0x8n, 'hw_slowdown'],
  [0x20n, 'sw_thermal'],
  [0x40n, 'hw_thermal'],
  [0x80n, 'hw_power_brake'],
];

/**
 * A busy GPU whose SM clock sits below this with no slowdown reason is capped: a known DGX Spark
 * power-delivery fault holds GB10 at ~611 MHz (it boosts to ~2.4 GHz) and nvidia-smi names no reason.
 * Flagged as the pseudo-reason 'sm_clock_capped', so gauges, roll-up and probe say so like a throttle.
 */
export const CAPPED_SM_MHZ = 1000;
/** Utilisation at which the clock should be up (an idle GPU clocks down on its own). */
const BUSY_UTIL_PCT = 50;

/** The slowdowns of a reading, with a capped SM clock added when nothing else explains it. */
function slowdowns(reported: string[] | null, util: number | null, smClock: number | null): string[] | null {
  if (reported === null || reported.length > 0) return reported;
  return util !== null && util >= BUSY_UTIL_PCT && smClock !== null && smClock < CAPPED_SM_MHZ ? ['sm_clock_capped'] : reported;
}

function field(raw: string | undefined): number | null {
  const text = (raw ?? '').trim();
  return NUMBER.test(text) ? Number(text) : null;
}

/** The active slowdowns of a clocks_event_reasons bitmask ([] = none); null when not reported. */
export function throttleReasons(raw: string | undefined): string[] | null {
  const text = (raw ?? '').trim();
  if (!HEX.test(text)) return null;
  const bits = BigInt(text);
  return SLOWDOWN_BITS.filter(([bit]) => (bits & bit) !== 0n).map(([, name]) => name);
}

/**
 * One CSV line of the query above → a GPU reading. Each field is parsed on its own: a placeholder
 * or garbage is null for that field only. A line that is not a data record (an error message, a
 * truncated line) is null as a whole.
 */
export function parseGpuLine(line: string, index: number): GpuSample | null {
  const fields = line.split(',').map((f) => f.trim());
  if (fields.length !== FIELD_COUNT) return null;
  // Comma-separated words of prose are not data: a record has at least one number or placeholder.
  if (!fields.some((f) => NUMBER.test(f) || PLACEHOLDER.test(f) || HEX.test(f))) return null;
  const [util, temp, memUsed, memTotal, power, smClock, reasons] = fields;
  const [utilPct, clockMhz] = [field(util), field(smClock)];
  return {
    index,
    util_pct: utilPct,
    temp_c: field(temp),
    mem_used_mb: field(memUsed),
    mem_total_mb: field(memTotal),
    power_w: field(power),
    sm_clock_mhz: clockMhz,
    throttle: slowdowns(throttleReasons(reasons), utilPct, clockMhz),
  };
}

// ---- one-shot calls, hard-bounded -------------------------------------------------------------

export interface BoundedResult {
  /** Exited 0 within the bound. */
  ok: boolean;
  stdout: string;
  stderr: string;
  /** Killed at the bound (its group got SIGKILL; a process stuck in the driver may linger, unwaited). */
  timedOut: boolean;
  /** The binary is not there (or not executable). */
  missing: boolean;
}

/** After the process exits, how long its pipes may stay open (a wrapper's child holding them) before we stop reading. */
const PIPE_GRACE_MS = 200;
/** Output beyond this is dropped (a one-shot query prints a few lines). */
const MAX_OUTPUT = 1 << 20;

/** SIGKILL to the process group `pid` leads; a group that is gone already is fine. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // gone
  }
}

/**
 * Runs `bin args` in its own process group and resolves within `timeoutMs` whatever it does: at the
 * bound the group is SIGKILLed and the call returns at once, without waiting for an exit that a
 * process stuck in the driver never makes, nor for pipes a wrapper's child keeps open. (execa's
 * timeout waits for both: a 5 s timeout once returned after 20 s, a wrapper after 10 minutes.)
 */
export function runBounded(bin: string, args: string[], timeoutMs: number): Promise<BoundedResult> {
  return new Promise((resolve) => {
    const out = { stdout: '', stderr: '' };
    let done = false;
    // the call keeps this process alive until it settles (bounded); after that nothing of it does
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const finish = (result: Omit<BoundedResult, 'stdout' | 'stderr'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.unref();
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ ...result, ...out });
    };
    const timer = setTimeout(() => {
      killGroup(child.pid);
      finish({ ok: false, timedOut: true, missing: false });
    }, Math.max(1, timeoutMs));
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]?.setEncoding('utf8').on('data', (chunk: string) => {
        if (out[name].length < MAX_OUTPUT) out[name] += chunk;
      });
    }
    child.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, timedOut: false, missing: err.code === 'ENOENT' || err.code === 'EACCES' }));
    child.on('close', (code) => finish({ ok: code === 0, timedOut: false, missing: false }));
    child.on('exit', (code) => {
      // the leader is gone; whatever of its group still holds the pipes is not waited for
      setTimeout(() => {
        if (done) return;
        killGroup(child.pid);
        finish({ ok: code === 0, timedOut: false, missing: false });
      }, PIPE_GRACE_MS);
    });
  });
}

export interface GpuStreamOptions {
  /** The nvidia-smi binary (a name looked up on PATH, or a path). */
  bin?: string;
  /** The -lms loop interval. */
  intervalMs?: number;
  /** First wait before restarting a child that died; doubles per failure up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** No reading for this long: the reading is stale and a running child is taken as hung (killed, restarted). */
  staleAfterMs?: number;
  now?: () => number;
}

/** A child that lived this long was healthy: its death restarts with the initial delay again. */
const HEALTHY_RUN_MS = 30_000;
/** stop(): SIGTERM to the child's group, SIGKILL after this, and no waiting past STOP_WAIT_MS. */
const STOP_KILL_AFTER_MS = 500;
const STOP_WAIT_MS = 1000;
/** The longest a quiet child is given before it counts as hung, however slow the box has been. */
const HUNG_CAP_MS = 60_000;
/** How many recent gaps between readings make the child's cadence. */
const CADENCE_GAPS = 4;

/**
 * Keeps the latest reading of every GPU from one nvidia-smi child, restarting it (with backoff)
 * when it dies or hangs. A missing binary is the permanent "no GPU" state, not an error.
 */
export class GpuStream {
  private readonly bin: string;
  private readonly intervalMs: number;
  private readonly initialRestartDelayMs: number;
  private readonly maxRestartDelayMs: number;
  private readonly staleAfterMs: number;
  private readonly now: () => number;
  private restartDelayMs: number;
  private throttleField = THROTTLE_FIELD;
  private child: ChildProcess | null = null;
  /** A hung child that was killed but has not exited yet: no new child starts while it lingers. */
  private killed: ChildProcess | null = null;
  private childStartedAt = 0;
  private firstStartAt: number | null = null;
  private running = false;
  private absent = false;
  private partialLine = '';
  private burst: GpuSample[] = [];
  private burstTimer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private last: { gpus: GpuSample[]; at: number } | null = null;
  /** When the current child last gave a reading (null: not yet). */
  private childReadingAt: number | null = null;
  /** Recent gaps between one child's readings: a slow nvidia-smi (one reading per 3 s) is slow, not hung. */
  private readonly gaps: number[] = [];
  /** Children killed in a row before their first reading: each next one gets twice as long. */
  private silentKills = 0;
  /** How many nvidia-smi children were started (restarts included). */
  spawnCount = 0;
  /** How many children were killed for going quiet. */
  hungCount = 0;
  /** The last line that was not data (e.g. "NVIDIA-SMI has failed because ..."), for diagnostics. */
  lastError: string | null = null;

  constructor(opts: GpuStreamOptions = {}) {
    this.bin = opts.bin ?? 'nvidia-smi';
    this.intervalMs = opts.intervalMs ?? 500;
    this.initialRestartDelayMs = opts.restartDelayMs ?? 1000;
    this.maxRestartDelayMs = opts.maxRestartDelayMs ?? 30_000;
    this.staleAfterMs = opts.staleAfterMs ?? Math.max(4 * this.intervalMs, 2500);
    this.now = opts.now ?? Date.now;
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
    this.watchdog = setInterval(() => this.checkHung(), Math.max(50, Math.min(this.intervalMs, this.staleAfterMs / 2)));
    this.watchdog.unref();
  }

  /** Every GPU's latest reading; null = no GPU, or no fresh reading (the child is down or hung). */
  latest(): GpuSample[] | null {
    return this.last && this.staleSince() === null ? this.last.gpus : null;
  }

  /** Since when (ms since epoch) there has been no fresh reading; null while fresh, before start, or without a GPU. */
  staleSince(): number | null {
    if (this.absent || this.firstStartAt === null) return null;
    const since = this.last?.at ?? this.firstStartAt;
    return this.now() - since > this.staleAfter() ? since : null;
  }

  /** The slowest recent gap between readings (0 before two readings). */
  private cadenceMs(): number {
    return this.gaps.length > 0 ? Math.max(...this.gaps) : 0;
  }

  /** A reading is stale after staleAfterMs, or twice the cadence the box has shown, whichever is longer. */
  private staleAfter(): number {
    return Math.max(this.staleAfterMs, 2 * this.cadenceMs());
  }

  /**
   * How long the current child may be quiet before it is killed as hung: four readings' worth at its
   * cadence (at least staleAfterMs); before its first reading, twice as long after each child that
   * never gave one (a slow first reading is not killed over and over). Capped at HUNG_CAP_MS.
   */
  private hungAfter(): number {
    const base = this.childReadingAt === null ? this.staleAfter() * 2 ** this.silentKills : Math.max(this.staleAfterMs, 4 * this.cadenceMs());
    return Math.min(HUNG_CAP_MS, base);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of [this.restartTimer, this.burstTimer]) if (timer) clearTimeout(timer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.restartTimer = this.burstTimer = this.watchdog = null;
    const child = this.child;
    this.child = null;
    // pid undefined: the spawn failed (no nvidia-smi), and such a child never emits 'exit'
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    killGroup(child.pid, 'SIGTERM');
    const killTimer = setTimeout(() => killGroup(child.pid), STOP_KILL_AFTER_MS);
    // a child stuck in the driver may not die even then: stopping never waits past the kill
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    clearTimeout(killTimer);
    killGroup(child.pid);
  }

  private spawnChild(): void {
    // its own process group: a hung child is killed with whatever it started (a wrapper's nvidia-smi)
    const child = spawn(this.bin, nvidiaSmiArgs(this.intervalMs, this.throttleField), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.childStartedAt = this.now();
    this.firstStartAt ??= this.childStartedAt;
    this.spawnCount++;
    this.childReadingAt = null;
    this.partialLine = '';
    this.burst = [];
    // A forgotten stream must not keep the process alive; the owner holds its own timers.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as (Readable & { unref?: () => void }) | null)?.unref?.();
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.child === child && this.onData(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const line = chunk.trim().split('\n').pop();
      if (line) this.noteError(line);
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
      if (this.killed === child) this.killed = null;
      if (this.child !== child) return;
      this.child = null;
      if (this.running && !this.absent) this.scheduleRestart();
    });
  }

  private noteError(line: string): void {
    this.lastError = line;
    // an older driver: ask again with the field's old name
    if (INVALID_FIELD.test(line) && line.includes(THROTTLE_FIELD)) this.throttleField = LEGACY_THROTTLE_FIELD;
  }

  /** A running child that printed no reading for staleAfterMs is hung: kill it and start another. */
  private checkHung(): void {
    const child = this.child;
    const quietMs = this.now() - (this.childReadingAt ?? this.childStartedAt);
    const limitMs = this.hungAfter();
    if (!child || quietMs <= limitMs) return;
    if (this.childReadingAt === null) this.silentKills++;
    this.child = null;
    this.killed = child;
    this.hungCount++;
    this.lastError = `nvidia-smi gave no reading for ${(limitMs / 1000).toFixed(1)} s; killed it (pid ${child.pid})`;
    killGroup(child.pid);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.now() - this.childStartedAt >= HEALTHY_RUN_MS) this.restartDelayMs = this.initialRestartDelayMs;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.running) return;
      // the killed child is still stuck (in the driver): do not pile up another one beside it
      if (this.killed) this.scheduleRestart();
      else this.spawnChild();
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
      else this.noteError(line.trim());
    }
    // Lines of one tick come together; a short quiet spell closes the burst.
    if (this.burst.length > 0 && !this.burstTimer) {
      this.burstTimer = setTimeout(() => this.closeBurst(), Math.min(50, this.intervalMs / 5));
      this.burstTimer.unref();
    }
  }

  private closeBurst(): void {
    this.burstTimer = null;
    const at = this.now();
    // a child's first reading took as long as one reading takes on this box: that counts as a gap too
    this.gaps.push(at - (this.childReadingAt ?? this.childStartedAt));
    if (this.gaps.length > CADENCE_GAPS) this.gaps.shift();
    this.childReadingAt = at;
    this.silentKills = 0;
    this.last = { gpus: this.burst, at };
    this.burst = [];
  }
}
