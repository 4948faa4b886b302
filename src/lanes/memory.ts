// Unified memory around a swap (DESIGN §15): what a lane needs before it is started (admission),
// and whether a stopped lane gave its memory back. All figures are decimal GB from /proc/meminfo.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scorecardFileName, PARTIAL_DIR } from '../verdict/scorecard-files.js';
import { readUnifiedMemory, type Meminfo } from '../telemetry/meminfo.js';
import type { LaneScorecard, MemoryRelease } from '../types.js';
import type { LaneSpec } from './manifest.js';
import { sleep } from './net.js';

/**
 * A GGUF's weights are mapped whole; on top come the KV cache at a typical context, compute
 * buffers and the CUDA context. 1.25 × the file covers a 30B Q4 model at 64k context on a GB10;
 * a lane's own recorded peak replaces the estimate after its first run.
 */
export const GGUF_OVERHEAD = 1.25;
/** vLLM takes gpu_memory_utilization × the GPU's memory up front; its default is 0.9. */
const VLLM_DEFAULT_UTILIZATION = 0.9;

export interface MemoryNeed {
  gb: number;
  /** Where the figure comes from, for the message. */
  basis: string;
}

const gb1 = (x: number) => x.toFixed(1);

/** The lane's peak over its idle baseline in its latest scorecard (complete, else partial). */
async function recordedPeak(resultsDir: string, lane: string): Promise<MemoryNeed | null> {
  for (const dir of [resultsDir, join(resultsDir, PARTIAL_DIR)]) {
    try {
      const card = JSON.parse(await readFile(join(dir, scorecardFileName(lane)), 'utf8')) as LaneScorecard;
      const peak = card.telemetry?.unified_used_gb_max;
      if (typeof peak !== 'number') continue;
      const idle = card.telemetry?.unified_idle_gb ?? 0;
      return { gb: Math.max(0, peak - idle), basis: `recorded peak of run ${card.reproducibility.run_id}` };
    } catch {
      // no scorecard there
    }
  }
  return null;
}

/** What starting `spec` will take: its recorded peak, else an estimate by kind; null when unknown. */
export async function memoryNeed(spec: LaneSpec, resultsDir: string, totalGb: number): Promise<MemoryNeed | null> {
  const recorded = await recordedPeak(resultsDir, spec.id);
  if (recorded) return recorded;
  if (spec.kind === 'llamacpp') {
    const size = await stat(spec.model!).then((s) => s.size / 1e9, () => null);
    return size === null ? null : { gb: size * GGUF_OVERHEAD, basis: `model file ${gb1(size)} GB × ${GGUF_OVERHEAD}` };
  }
  if (spec.kind === 'vllm') {
    const share = spec.gpu_memory_utilization ?? VLLM_DEFAULT_UTILIZATION;
    return { gb: share * totalGb, basis: `gpu_memory_utilization ${share} × ${gb1(totalGb)} GB` };
  }
  return null;
}

export interface Admission {
  ok: boolean;
  /** Free after the resident lanes are stopped. */
  freeGb: number;
  message: string;
}

/**
 * Whether `need` fits in MemTotal − what stays in use once the resident lanes (holding
 * `residentGb` together) are stopped.
 */
export function admit(lane: string, need: MemoryNeed, memory: Meminfo, residentGb: number, stopping: string[]): Admission {
  const freeGb = memory.total_gb - Math.max(0, memory.used_gb - residentGb);
  const after = stopping.length > 0 ? ` after stopping ${stopping.join(', ')}` : '';
  const cache = memory.cache_gb !== null && memory.cache_gb >= 0.1 * memory.total_gb ? `; the page cache holds ${gb1(memory.cache_gb)} GB (dropping it may help)` : '';
  const message = `lane ${lane} needs ~${gb1(need.gb)} GB (${need.basis}), ${gb1(freeGb)} GB free${after} (MemTotal ${gb1(memory.total_gb)} GB, ${gb1(memory.used_gb)} GB in use)${cache}`;
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

/** Drops the page cache (root only); the error text when it could not. */
export async function dropCaches(path = '/proc/sys/vm/drop_caches'): Promise<string | null> {
  try {
    await writeFile(path, '3\n');
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}
