// Issue 16, DESIGN §15: a swap refuses, before stopping anything, a lane whose memory need does not
// fit (with the numbers), unless forced; a stop waits for memory to come back and says how much is
// still held; a run's lease on a lane makes another brainbench's stop or swap refuse; drop_caches.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { LaneError } from '../../src/lanes/errors.js';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest, type LaneSpec } from '../../src/lanes/manifest.js';
import { awaitRelease, dropCaches, memoryNeed } from '../../src/lanes/memory.js';
import { rollupOf } from '../../src/telemetry/rollup.js';
import { currentHolder, processStartTime } from '../../src/os/pid-lock.js';
import type { EngineEvent } from '../../src/types.js';
import { fakeModel, fakeServer, freePort, QWEN3_MOE_META, tempDir, writeGguf, writeManifest } from './helpers.js';

/** A /proc/meminfo with `usedGb` of 128 GB in use and `cacheGb` of page cache (decimal GB). */
function meminfo(path: string, usedGb: number, cacheGb = 2): void {
  const kb = (gb: number) => Math.round((gb * 1e9) / 1024);
  writeFileSync(path, `MemTotal: ${kb(128)} kB\nMemFree: ${kb(1)} kB\nMemAvailable: ${kb(128 - usedGb)} kB\nBuffers: 0 kB\nCached: ${kb(cacheGb)} kB\n`);
}

const lane = (id: string, port: number, extra = '') =>
  `  - id: ${id}\n    kind: llamacpp\n    model: ${fakeModel}\n    bin: ${fakeServer}\n    port: ${port}\n    ready_timeout_s: 30\n${extra}`;

let dir: string;
let memPath: string;
let manager: LaneManager | undefined;
let events: EngineEvent[];
let holder: ChildProcess | null = null;

async function makeManager(opts: { releaseTimeoutMs?: number; dropCachesPath?: string } = {}): Promise<LaneManager> {
  const [a, b] = [await freePort(), await freePort()];
  const manifest = await loadManifest(writeManifest(`version: 1\nlanes:\n${lane('small', a)}${lane('big', b, '    drop_caches: true\n')}`, dir));
  const bus = new EventBus();
  bus.on((e) => events.push(e));
  return new LaneManager({
    manifest,
    bus,
    logDir: join(dir, 'logs'),
    stateDir: join(dir, 'state'),
    resultsDir: join(dir, 'results'),
    memory: {
      meminfoPath: memPath,
      dropCachesPath: opts.dropCachesPath ?? join(dir, 'drop_caches'),
      bootIdPath: join(dir, 'boot_id'),
      releaseTimeoutMs: opts.releaseTimeoutMs ?? 0,
      releasePollMs: 10,
    },
  });
}

/** big's last run peaked at 40 GB over an idle 6 GB measured before its load: it needs ~34 GB. */
function recordPeak(telemetry: object = { unified_used_gb_max: 40, unified_idle_gb: 6, unified_idle_basis: 'before_load' }): void {
  mkdirSync(join(dir, 'results'), { recursive: true });
  const card = { lane: 'big', telemetry, reproducibility: { run_id: 'r-old' } };
  writeFileSync(join(dir, 'results', 'big.json'), JSON.stringify(card));
}

/** big as a manifest lane (for memoryNeed on its own). */
const bigSpec = () => ({ id: 'big', kind: 'llamacpp', model: fakeModel, args: [] as string[], env: {} }) as unknown as LaneSpec;

/** Resolves once lane `id` has said `state`. */
async function waitForEvent(state: string, id: string): Promise<void> {
  while (!events.some((e) => e.type === 'lane.state' && e.lane === id && e.state === state)) await new Promise((r) => setTimeout(r, 5));
}

const stops = (id: string) => events.filter((e) => e.type === 'lane.state' && e.lane === id && e.state === 'stopping').length;

beforeEach(() => {
  dir = tempDir('bb-admission-');
  memPath = join(dir, 'meminfo');
  events = [];
});

afterEach(async () => {
  holder?.kill('SIGKILL');
  holder = null;
  await manager?.stopAll({ force: true });
  manager = undefined; // its folder goes with this test: the next test must not write there again
});

describe('memory admission before a swap', () => {
  it('refuses with the numbers before stopping the resident lane; --force goes on', async () => {
    recordPeak();
    manager = await makeManager();
    meminfo(memPath, 95); // the box's idle use when small starts: its baseline
    await manager!.start('small');
    meminfo(memPath, 100); // small holds 5 GB: 128 − 95 = 33 GB free once it stops
    const err = await manager!.start('big').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LaneError);
    expect((err as Error).message).toContain('lane big needs ~34.0 GB (recorded peak of run r-old; estimate ');
    expect((err as Error).message).toContain('33.0 GB free after stopping small (MemTotal 128.0 GB, 100.0 GB in use, page cache counted as free)');
    expect((err as Error).message).toContain('--force');
    expect(stops('small')).toBe(0);
    expect(await manager!.isUp('small')).toBe(true);

    await manager!.start('big', { force: true });
    expect(stops('small')).toBe(1);
    expect(await manager!.isUp('big')).toBe(true);
  });

  it('lets the same swap through when it fits', async () => {
    recordPeak();
    manager = await makeManager();
    meminfo(memPath, 60);
    await manager!.start('small');
    meminfo(memPath, 80); // 128 − 60 = 68 GB free once small stops
    await manager!.start('big');
    expect(await manager!.isUp('big')).toBe(true);
  });
});

describe('admission stays on after a run (issue 22)', () => {
  it("a lane's second start is weighed on what it took over the baseline measured before its load", async () => {
    manager = await makeManager();
    meminfo(memPath, 10); // idle box
    const first = await manager!.start('big');
    expect(first.idleBaselineGb).toBe(10); // measured before the load, not by the sampler after it
    // the run: the lane holds 60 GB the whole time the sampler looks, so its first sample is not idle
    const samples = [70, 71, 70].map((used, t) => ({ t, gpus: null, unified_used_gb: used, unified_total_gb: 128, mem_pressure_some_avg10: null }));
    recordPeak(rollupOf(samples, { idleBaselineGb: first.idleBaselineGb }));
    await manager!.stop('big');
    const need = await memoryNeed(bigSpec(), join(dir, 'results'), 128);
    expect(need?.gb).toBeCloseTo(61, 5);
    expect(need?.basis).toMatch(/^recorded peak of run r-old; estimate /);
  });

  it('ignores a recorded peak whose idle was taken with the lane up, and never goes below the estimate', async () => {
    // the old sampler-made baseline: idle 66 / peak 66 would say the lane needs nothing
    recordPeak({ unified_used_gb_max: 66, unified_idle_gb: 66 });
    const model = writeGguf(join(dir, 'big.gguf'), QWEN3_MOE_META, 1_000_000);
    const bigSpec = () => ({ id: 'big', kind: 'llamacpp', model, ctx: 64000, args: [] as string[], env: {} }) as unknown as LaneSpec;
    const estimate = await memoryNeed(bigSpec(), join(dir, 'no-results'), 128);
    expect(estimate!.gb).toBeGreaterThan(8); // 6.3 GB of KV cache + 2 GB buffers + the weights
    expect(await memoryNeed(bigSpec(), join(dir, 'results'), 128)).toEqual(estimate);
    // a low peak measured properly does not lower it either
    recordPeak({ unified_used_gb_max: 6.001, unified_idle_gb: 6, unified_idle_basis: 'before_load' });
    const need = await memoryNeed(bigSpec(), join(dir, 'results'), 128);
    expect(need!.gb).toBe(estimate!.gb);
    expect(need!.basis).toContain('recorded peak of run r-old: 0.0 GB');
  });
});

describe('memory after a stop', () => {
  it('records how long memory took to come back', async () => {
    meminfo(memPath, 40);
    setTimeout(() => meminfo(memPath, 10.5), 50);
    const release = await awaitRelease('x', 10, 30, { meminfoPath: memPath, timeoutMs: 30_000, pollMs: 5 });
    expect(release).toMatchObject({ lane: 'x', baseline_gb: 10, held_gb: 0 });
    expect(release!.returned_after_s).toBeGreaterThan(0);
  });

  it('warns with the amount still held, in status and in the next lane', async () => {
    manager = await makeManager({ releaseTimeoutMs: 100 });
    meminfo(memPath, 10);
    await manager!.start('big');
    meminfo(memPath, 42); // the lane took 32 GB, and its stop gives none of it back
    await manager!.stop('big');
    const warning = events.find((e) => e.type === 'log' && e.level === 'warn' && e.message.includes('still held'));
    expect(warning && 'message' in warning ? warning.message : '').toMatch(/lane big stopped, but 32\.0 GB of memory is still held \(idle baseline 10\.0 GB, now 42\.0 GB\)/);
    // the structured report the cockpit's lane bar shows
    expect(events).toContainEqual(expect.objectContaining({ type: 'lane.memory', lane: 'big', heldGb: 32, returnedAfterS: null }));
    const status = (await manager!.status()).find((s) => s.id === 'big')!;
    expect(status.state).toBe('stopped');
    expect(status.detail).toContain('32.0 GB of memory is still held');
    const next = await manager!.start('small');
    expect(next.memoryHeldBeforeStart).toMatchObject({ lane: 'big', held_gb: 32, returned_after_s: null });
  });
});

describe('memory still held is re-validated before it is said (issue 22)', () => {
  async function stopHolding(): Promise<void> {
    writeFileSync(join(dir, 'boot_id'), 'boot-a\n');
    manager = await makeManager({ releaseTimeoutMs: 100 });
    meminfo(memPath, 10);
    await manager!.start('big');
    meminfo(memPath, 42);
    await manager!.stop('big'); // 32 GB still held at the stop
    expect((await manager!.status()).find((s) => s.id === 'big')!.detail).toContain('32.0 GB of memory is still held');
  }

  it('memory that came back since is no longer reported, in status nor in the next lane', async () => {
    await stopHolding();
    meminfo(memPath, 10.4); // given back later (vLLM's pinned memory after a while)
    expect((await manager!.status()).find((s) => s.id === 'big')!.detail).toBeUndefined();
    expect((await manager!.start('small')).memoryHeldBeforeStart).toBeUndefined();
    expect(existsSync(join(dir, 'state', 'memory-held.json'))).toBe(false);
  });

  it('a record from before a reboot expires; one that still holds says what it held before the next load', async () => {
    await stopHolding();
    meminfo(memPath, 30); // 12 GB of big's 32 came back
    const startSmall = manager!.start('small');
    await waitForEvent('starting', 'small');
    meminfo(memPath, 70); // small loads 40 GB: that is small's, not held memory
    expect((await startSmall).memoryHeldBeforeStart).toMatchObject({ lane: 'big', held_gb: 20, used_gb: 30 });
    expect((await manager!.status()).find((s) => s.id === 'big')!.detail).toContain('20.0 GB of memory is still held');
    writeFileSync(join(dir, 'boot_id'), 'boot-b\n');
    expect((await manager!.status()).find((s) => s.id === 'big')!.detail).toBeUndefined();
    expect(existsSync(join(dir, 'state', 'memory-held.json'))).toBe(false);
  });
});

describe('drop_caches', () => {
  it('syncs before it drops (drop_caches drops only clean pages)', async () => {
    const path = join(dir, 'drop');
    const seen: boolean[] = [];
    expect(await dropCaches(path, async () => seen.push(existsSync(path)))).toBeNull();
    expect(seen).toEqual([false]);
    expect(readFileSync(path, 'utf8')).toBe('3\n');
  });

  it('drops the page cache before loading a lane that asks for it, and says when it cannot', async () => {
    manager = await makeManager();
    meminfo(memPath, 10);
    await manager!.start('big');
    expect(readFileSync(join(dir, 'drop_caches'), 'utf8')).toBe('3\n');

    const denied = await makeManager({ dropCachesPath: join(dir, 'no', 'such', 'drop_caches') });
    await manager!.stop('big');
    manager = denied;
    await manager!.start('big');
    expect(events.some((e) => e.type === 'log' && e.level === 'warn' && /page cache could not be dropped \(ENOENT/.test(e.message))).toBe(true);
  });
});

describe('a run lease on the resident lane', () => {
  it('makes another brainbench refuse to stop or swap it, naming the run; --force goes on', async () => {
    manager = await makeManager();
    meminfo(memPath, 10);
    await manager!.start('small');
    // another brainbench process runs on small: its lease names it (pid + start time)
    holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = holder.pid!;
    mkdirSync(join(dir, 'state', 'leases'), { recursive: true });
    const lease = { ...currentHolder('run-other'), pid, start: processStartTime(pid) };
    writeFileSync(join(dir, 'state', 'leases', 'small.lock'), JSON.stringify(lease));

    const stop = await manager!.stop('small').catch((e: unknown) => e);
    expect((stop as Error).message).toBe(`lane small is in use by run run-other (pid ${pid}); stop refused — wait for that run, stop it, or pass --force`);
    const swap = await manager!.start('big').catch((e: unknown) => e);
    expect((swap as Error).message).toContain(`in use by run run-other (pid ${pid}); swap to big refused`);
    expect(stops('small')).toBe(0);

    // the holder is gone: the lease is free
    holder.kill('SIGKILL');
    await new Promise((r) => holder!.once('exit', r));
    holder = null;
    await manager!.stop('small');
    expect(stops('small')).toBe(1);
  });

  it('is taken by a run manager and given back when it stops the lane', async () => {
    const [a] = [await freePort()];
    const manifest = await loadManifest(writeManifest(`version: 1\nlanes:\n${lane('small', a)}`, dir));
    manager = new LaneManager({ manifest, logDir: join(dir, 'logs'), stateDir: join(dir, 'state'), resultsDir: join(dir, 'results'), leaseRunId: 'run-1', memory: { meminfoPath: memPath } });
    meminfo(memPath, 10);
    await manager!.start('small');
    const leasePath = join(dir, 'state', 'leases', 'small.lock');
    expect(JSON.parse(readFileSync(leasePath, 'utf8'))).toMatchObject({ pid: process.pid, runId: 'run-1' });
    await manager!.stop('small');
    expect(() => readFileSync(leasePath)).toThrow();
  });
});
