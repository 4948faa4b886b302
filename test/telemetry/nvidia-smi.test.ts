import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gpuDriverInfo } from '../../src/telemetry/gpu-info.js';
import { GpuStream, NVIDIA_SMI_ARGS, parseGpuLine, runBounded } from '../../src/telemetry/nvidia-smi.js';
import { tempDir } from '../helpers/tmp.js';

const SHIM = resolve('test/shims/nvidia-smi');
const DRIVER_ERROR =
  "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";

describe('parseGpuLine', () => {
  it('reads a GB10 line whose memory fields are [N/A]', () => {
    expect(parseGpuLine('96, 71, [N/A], [N/A], 38.52, 2405, 0x0000000000000000', 0)).toEqual({
      index: 0,
      util_pct: 96,
      temp_c: 71,
      mem_used_mb: null,
      mem_total_mb: null,
      power_w: 38.52,
      sm_clock_mhz: 2405,
      throttle: [],
    });
  });

  it('reads a discrete-GPU line', () => {
    expect(parseGpuLine('45, 62, 10240, 81920, 250.31, 1980, 0x0000000000000001', 3)).toEqual({
      index: 3,
      util_pct: 45,
      temp_c: 62,
      mem_used_mb: 10240,
      mem_total_mb: 81920,
      power_w: 250.31,
      sm_clock_mhz: 1980,
      // GPU idle (0x1) is not a slowdown
      throttle: [],
    });
  });

  it('makes each unreadable field null on its own', () => {
    expect(parseGpuLine('[Not Supported], 55, N/A, , banana, [N/A], [Not Supported]', 1)).toEqual({
      index: 1,
      util_pct: null,
      temp_c: 55,
      mem_used_mb: null,
      mem_total_mb: null,
      power_w: null,
      sm_clock_mhz: null,
      throttle: null,
    });
  });

  it('reads two GPUs as two lines with their own index', () => {
    const lines = '45, 62, 10240, 81920, 250.31, 1980, 0x0\n12, 48, 2048, 81920, 80.00, 1980, 0x0'.split('\n');
    const gpus = lines.map((line, i) => parseGpuLine(line, i));
    expect(gpus.map((g) => [g?.index, g?.util_pct, g?.power_w])).toEqual([
      [0, 45, 250.31],
      [1, 12, 80],
    ]);
  });

  it('refuses a truncated line, an error message and prose with commas', () => {
    expect(parseGpuLine('45, 62, 102', 0)).toBeNull();
    expect(parseGpuLine(DRIVER_ERROR, 0)).toBeNull();
    expect(parseGpuLine('No devices were found, sorry, try, again, later, please, thanks', 0)).toBeNull();
    expect(parseGpuLine('', 0)).toBeNull();
  });

  it('names the slowdowns of a clocks_event_reasons bitmask', () => {
    const line = (mask: string) => parseGpuLine(`90, 80, [N/A], [N/A], 95.10, 1200, ${mask}`, 0)!.throttle;
    expect(line('0x0000000000000004')).toEqual(['sw_power_cap']);
    expect(line('0x00000000000000C8')).toEqual(['hw_slowdown', 'hw_thermal', 'hw_power_brake']);
    // sync boost (0x10) and display clocks (0x100) hold nothing back
    expect(line('0x0000000000000110')).toEqual([]);
  });

  it('flags a busy GPU whose SM clock is capped with no reason (the Spark ~611 MHz fault)', () => {
    expect(parseGpuLine('97, 60, [N/A], [N/A], 30.52, 611, 0x0000000000000000', 0)!.throttle).toEqual(['sm_clock_capped']);
    // idle: a low clock is normal
    expect(parseGpuLine('3, 45, [N/A], [N/A], 5.10, 611, 0x0000000000000001', 0)!.throttle).toEqual([]);
    // a named reason explains it: that reason, not a second flag
    expect(parseGpuLine('97, 60, [N/A], [N/A], 30.52, 611, 0x0000000000000004', 0)!.throttle).toEqual(['sw_power_cap']);
    // at full clock nothing is flagged
    expect(parseGpuLine('97, 60, [N/A], [N/A], 30.52, 2405, 0x0000000000000000', 0)!.throttle).toEqual([]);
  });

  it('asks nvidia-smi for the seven fields in one looping process', () => {
    expect(NVIDIA_SMI_ARGS).toEqual([
      '--query-gpu=utilization.gpu,temperature.gpu,memory.used,memory.total,power.draw,clocks.sm,clocks_event_reasons.active',
      '--format=csv,noheader,nounits',
      '-lms',
      '500',
    ]);
  });
});

describe('GpuStream', () => {
  const saved = { ...process.env };
  let stream: GpuStream | null = null;
  afterEach(async () => {
    await stream?.stop();
    stream = null;
    process.env = { ...saved };
  });

  const until = async (cond: () => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('groups the lines of one tick: two GPUs per reading', async () => {
    process.env.NVIDIA_SMI_SHIM_MODE = 'two-gpus';
    stream = new GpuStream({ bin: SHIM, intervalMs: 100 });
    stream.start();
    await until(() => stream!.latest() !== null);
    await new Promise((r) => setTimeout(r, 250));
    const gpus = stream.latest()!;
    expect(gpus.map((g) => g.index)).toEqual([0, 1]);
    // The shim's second GPU mirrors the first: utilisations sum to 100.
    expect(gpus[0]!.util_pct! + gpus[1]!.util_pct!).toBe(100);
    expect(gpus[1]!.mem_used_mb).toBe(2048);
  });

  it('is the "no GPU" state, not an error, when the binary is missing', async () => {
    process.env.PATH = tempDir('no-smi-');
    stream = new GpuStream({ intervalMs: 100 });
    stream.start();
    await until(() => !stream!.available);
    expect(stream.latest()).toBeNull();
  });

  it('keeps the driver error and shows no GPU when nvidia-smi fails', async () => {
    process.env.NVIDIA_SMI_SHIM_MODE = 'fail';
    stream = new GpuStream({ bin: SHIM, intervalMs: 100, restartDelayMs: 10_000 });
    stream.start();
    await until(() => stream!.lastError !== null);
    expect(stream.lastError).toBe(DRIVER_ERROR);
    expect(stream.latest()).toBeNull();
    expect(stream.available).toBe(true);
  });

  it('restarts a child that died, with growing delays', async () => {
    const log = join(tempDir('smi-log-'), 'argv.log');
    process.env.NVIDIA_SMI_SHIM_LOG = log;
    process.env.NVIDIA_SMI_SHIM_TICKS = '1';
    stream = new GpuStream({ bin: SHIM, intervalMs: 100, restartDelayMs: 100, maxRestartDelayMs: 400 });
    stream.start();
    await until(() => stream!.spawnCount >= 3);
    const started = Date.now();
    await until(() => stream!.spawnCount >= 4);
    // The third restart waits 400 ms (100 → 200 → 400), plus the child's own life.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(stream.latest()?.[0]?.power_w).toBe(30.52);
    // Each start is a fresh child (the shim logs its argv per start).
    await until(() => readFileSync(log, 'utf8').trim().split('\n').length >= 4);
  });

  it('marks a hung nvidia-smi stale, kills it, and picks up a working one again', async () => {
    const dir = tempDir('smi-hang-');
    const pidFile = join(dir, 'pid');
    process.env.NVIDIA_SMI_SHIM_PIDFILE = pidFile;
    process.env.NVIDIA_SMI_SHIM_HANG_AFTER = '2';
    stream = new GpuStream({ bin: SHIM, intervalMs: 100, staleAfterMs: 400, restartDelayMs: 100, maxRestartDelayMs: 200 });
    stream.start();
    await until(() => stream!.latest() !== null);
    const hungPid = Number(readFileSync(pidFile, 'utf8'));
    // it printed, then went quiet (ignoring SIGTERM, as one stuck in the driver does)
    await until(() => stream!.staleSince() !== null, 5000);
    expect(stream.latest()).toBeNull();
    await until(() => stream!.hungCount >= 1, 5000);
    await until(() => !alive(hungPid), 5000);
    // the driver answers again: the next child gives fresh readings and the stale mark goes
    delete process.env.NVIDIA_SMI_SHIM_HANG_AFTER;
    await until(() => stream!.latest() !== null, 8000);
    expect(stream.staleSince()).toBeNull();
    expect(stream.spawnCount).toBeGreaterThanOrEqual(2);
  });

  it('asks an older driver for clocks_throttle_reasons.active instead', async () => {
    process.env.NVIDIA_SMI_SHIM_LEGACY = '1';
    process.env.NVIDIA_SMI_SHIM_THROTTLE = '0x0000000000000004';
    stream = new GpuStream({ bin: SHIM, intervalMs: 100, restartDelayMs: 50 });
    stream.start();
    await until(() => stream!.latest() !== null);
    expect(stream.latest()![0]!.throttle).toEqual(['sw_power_cap']);
    expect(stream.spawnCount).toBe(2);
  });
});

describe('every one-shot nvidia-smi call is bounded (issue 22)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('a hung nvidia-smi (ignoring SIGTERM) is killed as a group at the bound and the call returns', async () => {
    const pidFile = join(tempDir('smi-oneshot-'), 'pid');
    process.env.NVIDIA_SMI_SHIM_ONESHOT_HANG = '1';
    process.env.NVIDIA_SMI_SHIM_PIDFILE = pidFile;
    const result = await runBounded(SHIM, [], 300);
    expect(result).toMatchObject({ ok: false, timedOut: true });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitUntil(() => !alive(pid));
    // the driver version reader says "unknown" rather than waiting
    expect(await gpuDriverInfo(SHIM, 300)).toBeNull();
  });

  it('a wrapper that exits but leaves a child holding its output is read, and the child is killed', async () => {
    const pidFile = join(tempDir('smi-wrapper-'), 'pid');
    process.env.NVIDIA_SMI_SHIM_WRAPPER = '1';
    process.env.NVIDIA_SMI_SHIM_PIDFILE = pidFile;
    // a bound far past the test's own timeout: only not waiting for the pipes lets this return
    const result = await runBounded(SHIM, [], 600_000);
    expect(result).toMatchObject({ ok: true, timedOut: false });
    expect(result.stdout).toContain('Driver Version: 580.95.05');
    const child = Number(readFileSync(`${pidFile}.child`, 'utf8'));
    await waitUntil(() => !alive(child));
  });

  it('a missing binary is said as missing', async () => {
    expect(await runBounded(join(tempDir('smi-none-'), 'nvidia-smi'), [], 1000)).toMatchObject({ ok: false, missing: true, timedOut: false });
  });
});

describe('the watchdog tells slow from hung (issue 22)', () => {
  const saved = { ...process.env };
  let stream: GpuStream | null = null;
  afterEach(async () => {
    await stream?.stop();
    stream = null;
    process.env = { ...saved };
  });

  it("stop() does not wait on a child stuck in the driver (ignoring SIGTERM): its whole group is killed", async () => {
    const pidFile = join(tempDir('smi-stop-'), 'pid');
    process.env.NVIDIA_SMI_SHIM_PIDFILE = pidFile;
    process.env.NVIDIA_SMI_SHIM_HANG_AFTER = '1';
    process.env.NVIDIA_SMI_SHIM_WRAPPER = '1'; // and it started a child of its own
    // the watchdog would take a minute: only stop() can end this child
    stream = new GpuStream({ bin: SHIM, intervalMs: 100, staleAfterMs: 60_000 });
    stream.start();
    await waitUntil(() => stream!.latest() !== null);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const own = Number(readFileSync(`${pidFile}.child`, 'utf8'));
    await stream.stop();
    stream = null;
    await waitUntil(() => !alive(pid) && !alive(own));
  });

  it('a slow nvidia-smi (a reading per 600 ms, stale bound 400 ms) is kept, and its readings are not stale', async () => {
    process.env.NVIDIA_SMI_SHIM_SLOW_MS = '600';
    stream = new GpuStream({ bin: SHIM, intervalMs: 100, staleAfterMs: 400, restartDelayMs: 50 });
    stream.start();
    let last: unknown = null;
    let readings = 0;
    let staleAfterSecond = 0;
    await waitUntil(() => {
      const gpus = stream!.latest();
      if (gpus && gpus !== last) {
        readings++;
        last = gpus;
      }
      if (readings >= 2 && stream!.staleSince() !== null) staleAfterSecond++;
      return readings >= 6;
    }, 30_000);
    // the first child may be killed once before its first (slow) reading; never again after
    expect(stream.hungCount).toBeLessThanOrEqual(1);
    expect(stream.spawnCount).toBeLessThanOrEqual(2);
    expect(staleAfterSecond).toBe(0);
  });
});

async function waitUntil(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
