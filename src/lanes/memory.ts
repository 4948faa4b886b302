// Unified memory around a swap (DESIGN §15): what a lane needs before it is started (admission),
// and whether a stopped lane gave its memory back. All figures are decimal GB from /proc/meminfo.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { scorecardFileName, PARTIAL_DIR } from '../verdict/scorecard-files.js';
import { readUnifiedMemory, type Meminfo } from '../telemetry/meminfo.js';
import type { LaneScorecard, MemoryRelease } from '../types.js';
import { argValue, ggufShards, kvCacheOf, LLAMA_DEFAULT_CTX, readGgufMetadata, shardSizes } from './gguf.js';
import type { LaneSpec } from './manifest.js';
import { sleep } from './net.js';

/**
 * A GGUF whose header cannot be read: weights × 1.25 covers a 30B Q4 model at 64k context on a
 * GB10 (KV cache, compute buffers, CUDA context).
 */
export const GGUF_OVERHEAD = 1.25;
/** llama.cpp's compute buffers and CUDA context on top of weights and KV cache (a GB10 at -ngl 99). */
export const LLAMA_BUFFERS_GB = 2;
/** vLLM takes gpu_memory_utilization × the GPU's memory up front; its default is 0.9. */
const VLLM_DEFAULT_UTILIZATION = 0.9;

export interface MemoryNeed {
  gb: number;
  /** Where the figure comes from, for the message. */
  basis: string;
}

const gb1 = (x: number) => x.toFixed(1);

/**
 * The lane's peak over its idle baseline in its latest scorecard (complete, else partial). Only a
 * baseline measured before the load counts: one taken with the lane up (older runs) would make the
 * lane's own memory "idle" and its need ~0.
 */
async function recordedPeak(resultsDir: string, lane: string): Promise<MemoryNeed | null> {
  for (const dir of [resultsDir, join(resultsDir, PARTIAL_DIR)]) {
    try {
      const card = JSON.parse(await readFile(join(dir, scorecardFileName(lane)), 'utf8')) as LaneScorecard;
      const { unified_used_gb_max: peak, unified_idle_gb: idle, unified_idle_basis: basis } = card.telemetry ?? {};
      if (typeof peak !== 'number' || typeof idle !== 'number' || basis !== 'before_load') continue;
      return { gb: Math.max(0, peak - idle), basis: `recorded peak of run ${card.reproducibility.run_id}` };
    } catch {
      // no scorecard there
    }
  }
  return null;
}

/** All shards of the GGUF, plus the KV cache at the lane's context from the header, plus buffers. */
async function llamacppEstimate(spec: LaneSpec): Promise<MemoryNeed | null> {
  const model = spec.model!;
  const weights = await shardSizes(model);
  if (weights.missing.length === weights.files) return null;
  const files = weights.files > 1 ? ` (${weights.files - weights.missing.length} of ${weights.files} shards)` : '';
  const meta = await readGgufMetadata(ggufShards(model)[0]!);
  const ctx = spec.ctx ?? (Number(argValue(spec.args, ['-c', '--ctx-size'])) || LLAMA_DEFAULT_CTX);
  const typeK = argValue(spec.args, ['-ctk', '--cache-type-k']) ?? 'f16';
  const typeV = argValue(spec.args, ['-ctv', '--cache-type-v']) ?? 'f16';
  const kv = meta ? kvCacheOf(meta, ctx, typeK, typeV) : null;
  if (!kv) return { gb: weights.gb * GGUF_OVERHEAD, basis: `model file${files} ${gb1(weights.gb)} GB × ${GGUF_OVERHEAD}` };
  return {
    gb: weights.gb + kv.gb + LLAMA_BUFFERS_GB,
    basis: `model${files} ${gb1(weights.gb)} GB + KV cache ${gb1(kv.gb)} GB (${kv.text}) + ${LLAMA_BUFFERS_GB} GB buffers`,
  };
}

/** The kind's own estimate: llamacpp from the GGUF, vLLM its share of the total; null for the rest. */
async function kindEstimate(spec: LaneSpec, totalGb: number): Promise<MemoryNeed | null> {
  if (spec.kind === 'llamacpp') return llamacppEstimate(spec);
  if (spec.kind === 'vllm') {
    const share = spec.gpu_memory_utilization ?? VLLM_DEFAULT_UTILIZATION;
    return { gb: share * totalGb, basis: `gpu_memory_utilization ${share} × ${gb1(totalGb)} GB` };
  }
  return null;
}

/**
 * What starting `spec` will take: the larger of its kind's estimate and its recorded peak (a run
 * that peaked low — a short suite, a baseline taken late — never lowers the estimate); null when unknown.
 */
export async function memoryNeed(spec: LaneSpec, resultsDir: string, totalGb: number): Promise<MemoryNeed | null> {
  const [estimate, recorded] = [await kindEstimate(spec, totalGb), await recordedPeak(resultsDir, spec.id)];
  if (!estimate || !recorded) return estimate ?? recorded;
  if (recorded.gb > estimate.gb) return { gb: recorded.gb, basis: `${recorded.basis}; estimate ${gb1(estimate.gb)} GB: ${estimate.basis}` };
  return { gb: estimate.gb, basis: `${estimate.basis}; ${recorded.basis}: ${gb1(recorded.gb)} GB` };
}

export interface Admission {
  ok: boolean;
  /** Free after the resident lanes are stopped. */
  freeGb: number;
  message: string;
}

/**
 * Whether `need` fits once the resident lanes (holding `residentGb` together) are stopped. A llamacpp
 * (or other) lane is weighed against MemTotal − what stays in use (MemAvailable counts the page cache
 * as free: the kernel gives it up). A vLLM lane is weighed as vLLM itself checks at startup: against
 * free memory excluding the page cache (on GB10 that is what CUDA reports free), unless the lane
 * drops the cache first (drop_caches: true).
 */
export function admit(spec: Pick<LaneSpec, 'id' | 'kind' | 'drop_caches'>, need: MemoryNeed, memory: Meminfo, residentGb: number, stopping: string[]): Admission {
  const after = stopping.length > 0 ? ` after stopping ${stopping.join(', ')}` : '';
  const head = `lane ${spec.id} needs ~${gb1(need.gb)} GB (${need.basis})`;
  const cacheGb = memory.cache_gb ?? 0;
  if (spec.kind === 'vllm' && !spec.drop_caches && typeof memory.free_gb === 'number') {
    const freeGb = memory.free_gb + residentGb;
    const ok = need.gb <= freeGb;
    const fix = ok ? '' : ` — drop the page cache (${gb1(cacheGb)} GB: sudo sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches', or drop_caches: true on the lane as root) or lower gpu_memory_utilization`;
    const message = `${head}, ${gb1(freeGb)} GB free excluding the page cache${after}, as vLLM checks it (MemFree ${gb1(memory.free_gb)} GB, page cache ${gb1(cacheGb)} GB, MemTotal ${gb1(memory.total_gb)} GB)${fix}`;
    return { ok, freeGb, message };
  }
  const freeGb = memory.total_gb - Math.max(0, memory.used_gb - residentGb);
  const message = `${head}, ${gb1(freeGb)} GB free${after} (MemTotal ${gb1(memory.total_gb)} GB, ${gb1(memory.used_gb)} GB in use, page cache counted as free)`;
  return { ok: need.gb <= freeGb, freeGb, message };
}

/** What the resident lanes hold now: memory in use over the baseline each recorded at its launch. */
export function residentGb(resident: { baselineGb?: number }[], usedGb: number): number {
  return resident.reduce((sum, r) => sum + (r.baselineGb === undefined ? 0 : Math.max(0, usedGb - r.baselineGb)), 0);
}

/** A lane held less than this: nothing worth waiting for after its stop. */
const NEGLIGIBLE_GB = 1;

export interface ReleaseWait {
  meminfoPath?: string;
  timeoutMs: number;
  pollMs: number;
  now?: () => number;
}

/**
 * After a stop: waits (bounded) until memory is back near `baselineGb` (used before the lane
 * started), or until the `heldGb` the lane had at its stop has come back (other programs may have
 * grown meanwhile). Null when the lane held a negligible amount or memory cannot be read.
 */
export async function awaitRelease(lane: string, baselineGb: number, heldGb: number, wait: ReleaseWait): Promise<MemoryRelease | null> {
  if (heldGb < NEGLIGIBLE_GB) return null;
  const now = wait.now ?? Date.now;
  const started = now();
  const usedAtStop = baselineGb + heldGb;
  for (;;) {
    const memory = readUnifiedMemory(wait.meminfoPath);
    if (!memory) return null;
    const tolerance = Math.max(NEGLIGIBLE_GB, 0.02 * memory.total_gb);
    const back = memory.used_gb - baselineGb <= tolerance || usedAtStop - memory.used_gb >= 0.9 * heldGb;
    const elapsed = now() - started;
    if (back || elapsed >= wait.timeoutMs) {
      const held = back ? 0 : Math.max(0, memory.used_gb - baselineGb);
      return { lane, baseline_gb: baselineGb, used_gb: memory.used_gb, returned_after_s: back ? elapsed / 1000 : null, held_gb: Math.round(held * 10) / 10 };
    }
    await sleep(wait.pollMs);
  }
}

/** `sync` may wait on a slow disk's dirty pages: bounded, then the drop goes ahead anyway. */
const SYNC_TIMEOUT_MS = 60_000;

/**
 * Drops the page cache (root only), after a `sync` so dirty pages are written and can be dropped
 * too (as the kernel documents: drop_caches drops only clean pages). The error text when it could not.
 */
export async function dropCaches(path = '/proc/sys/vm/drop_caches', sync: () => Promise<unknown> = syncDisks): Promise<string | null> {
  await sync().catch(() => undefined);
  try {
    await writeFile(path, '3\n');
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

function syncDisks(): Promise<unknown> {
  return execa('sync', [], { reject: false, stdin: 'ignore', timeout: SYNC_TIMEOUT_MS, forceKillAfterDelay: 1000 });
}
