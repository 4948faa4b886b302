// What a swap checks and records around the lane manager's start and stop (DESIGN §15): the lease
// another run holds on a lane, whether the target fits in unified memory, the page cache before a
// load, and whether a stopped lane gave its memory back.
import { readFileSync } from 'node:fs';
import type { EventBus } from '../events.js';
import { readUnifiedMemory } from '../telemetry/meminfo.js';
import type { MemoryRelease } from '../types.js';
import { LaneError } from './errors.js';
import { describeHolder, LaneLeases } from './lease.js';
import type { LaneSpec } from './manifest.js';
import { admit, awaitRelease, dropCaches, memoryNeed, residentGb } from './memory.js';
import type { LaneRecord, LaneStateStore } from './state.js';

/** This boot's id (changes at every boot); null where the kernel does not say. */
export function readBootId(path = '/proc/sys/kernel/random/boot_id'): string | null {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export interface SwapGuardOptions {
  store: LaneStateStore;
  bus?: EventBus;
  /** Where the lanes' scorecards are (their recorded peaks). */
  resultsDir: string;
  meminfoPath?: string;
  dropCachesPath?: string;
  /** Injectable for tests: /proc/sys/kernel/random/boot_id. */
  bootIdPath?: string;
  /** How long a stop waits for memory to come back, and how often it looks. */
  releaseTimeoutMs?: number;
  releasePollMs?: number;
}

const gb1 = (x: number) => x.toFixed(1);

/** $BRAINBENCH_MEMORY_WAIT_S: how long a stop waits for memory to come back (default 60 s; 0 = do not check). */
function releaseWaitFromEnv(): number {
  const seconds = Number(process.env.BRAINBENCH_MEMORY_WAIT_S ?? 60);
  return Number.isFinite(seconds) ? seconds * 1000 : 60_000;
}

export class SwapGuard {
  readonly leases: LaneLeases;

  constructor(private readonly opts: SwapGuardOptions) {
    this.leases = new LaneLeases(opts.store.dir);
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.opts.bus?.emit({ type: 'log', level, message });
  }

  /** Throws when another live run holds the lease on a lane that would be stopped. */
  refuseLeased(lanes: string[], action: string): void {
    for (const lane of lanes) {
      const holder = this.leases.otherHolder(lane);
      if (holder) throw new LaneError(lane, 'failed', `lane ${lane} is in use by ${describeHolder(holder)}; ${action} refused — wait for that run, stop it, or pass --force`);
    }
  }

  /** Throws when `spec` will not fit once `resident` lanes are stopped; unknown needs pass. */
  async refuseNoRoom(spec: LaneSpec, resident: LaneRecord[]): Promise<void> {
    const memory = readUnifiedMemory(this.opts.meminfoPath);
    if (!memory) return;
    const need = await memoryNeed(spec, this.opts.resultsDir, memory.total_gb);
    if (!need) return;
    const admission = admit(spec, need, memory, residentGb(resident, memory.used_gb), resident.map((r) => r.id));
    if (!admission.ok) throw new LaneError(spec.id, 'missing', `${admission.message} — free memory, or pass --force to try anyway`);
  }

  /**
   * Just before a load: drops the page cache where the lane asks (drop_caches: true, root only), or
   * says when a large page cache may crowd the load. Returns the idle baseline (GB in use now).
   */
  async beforeLoad(spec: LaneSpec): Promise<number | undefined> {
    if (spec.drop_caches) {
      const failed = await dropCaches(this.opts.dropCachesPath);
      if (failed) this.log('warn', `lane ${spec.id}: drop_caches is set but the page cache could not be dropped (${failed}; it needs root)`);
      else this.log('info', `lane ${spec.id}: dropped the page cache before loading`);
    }
    const memory = readUnifiedMemory(this.opts.meminfoPath);
    if (memory?.cache_gb && !spec.drop_caches && memory.cache_gb >= 0.25 * memory.total_gb) {
      this.log('info', `page cache holds ${gb1(memory.cache_gb)} GB; on unified memory a load competes with it — dropping it would help (sudo sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches', or drop_caches: true on the lane when brainbench runs as root)`);
    }
    return memory?.used_gb;
  }

  /** The last stop's memory-held record, re-validated against memory and this boot (see heldNow). */
  heldNow(usedGb?: number): Promise<MemoryRelease | null> {
    return heldNow(this.opts.store, this.opts, usedGb);
  }

  /** Memory in use before a stop (to see what the lane held). */
  usedNow(): number | null {
    return readUnifiedMemory(this.opts.meminfoPath)?.used_gb ?? null;
  }

  /** After a stop: waits (bounded) for the lane's memory to come back and says how it went. */
  async afterStop(record: LaneRecord, usedBeforeStop: number | null): Promise<MemoryRelease | null> {
    const timeoutMs = this.opts.releaseTimeoutMs ?? releaseWaitFromEnv();
    if (record.baselineGb === undefined || usedBeforeStop === null || timeoutMs <= 0) return null;
    const release = await awaitRelease(record.id, record.baselineGb, usedBeforeStop - record.baselineGb, {
      meminfoPath: this.opts.meminfoPath,
      timeoutMs,
      pollMs: this.opts.releasePollMs ?? 500,
    });
    if (!release) return null;
    await this.opts.store.recordRelease(release, readBootId(this.opts.bootIdPath));
    if (release.returned_after_s !== null) this.log('info', `lane ${record.id} gave its memory back in ${release.returned_after_s.toFixed(1)} s`);
    else this.log('warn', heldText(release));
    return release;
  }
}

/** Within this much of the baseline, memory counts as given back. */
const heldTolerance = (totalGb: number) => Math.max(1, 0.02 * totalGb);

/**
 * The last stop's memory-held record, if it still holds: a record from an earlier boot, or one whose
 * memory has come back since (in use is near its baseline again), is forgotten; one that still holds
 * says how much it holds now, never more than at its stop (other programs may have grown). `usedGb`:
 * memory in use to judge by — before a lane that is up now loaded (its own memory is no held memory);
 * else /proc/meminfo now. Without either the record is taken as it is.
 */
export async function heldNow(store: LaneStateStore, opts: Pick<SwapGuardOptions, 'meminfoPath' | 'bootIdPath'>, usedGb?: number): Promise<MemoryRelease | null> {
  const held = (await store.lastRelease()) as (MemoryRelease & { boot_id?: string }) | null;
  if (!held) return null;
  const bootId = readBootId(opts.bootIdPath);
  const memory = readUnifiedMemory(opts.meminfoPath);
  const used = usedGb ?? memory?.used_gb ?? null;
  const rebooted = Boolean(held.boot_id && bootId && held.boot_id !== bootId);
  const returned = used !== null && memory !== null && used - held.baseline_gb <= heldTolerance(memory.total_gb);
  if (rebooted || returned) {
    await store.clearRelease();
    return null;
  }
  const release: MemoryRelease = { lane: held.lane, baseline_gb: held.baseline_gb, used_gb: held.used_gb, returned_after_s: held.returned_after_s, held_gb: held.held_gb };
  if (used === null) return release;
  return { ...release, used_gb: used, held_gb: Math.min(held.held_gb, Math.round((used - held.baseline_gb) * 10) / 10) };
}

/** "lane X stopped, but 12.3 GB is still held …" */
export function heldText(release: MemoryRelease): string {
  return `lane ${release.lane} stopped, but ${gb1(release.held_gb)} GB of memory is still held (idle baseline ${gb1(release.baseline_gb)} GB, now ${gb1(release.used_gb)} GB) — a container or driver may keep it pinned until it is restarted`;
}
