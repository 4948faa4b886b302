// Unified memory (DESIGN §7): on GB10 nvidia-smi reports memory.used as [N/A], so the box's memory
// in use is MemTotal − MemAvailable from /proc/meminfo; it works on any Linux, GPU or not.
import { readFileSync } from 'node:fs';

/** Decimal GB, as the box is sold ("128 GB") and as the published numbers are written. */
const KB_PER_GB = 1e9 / 1024;

function kbField(text: string, name: string): number | null {
  const match = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const gb = (kb: number) => round3(kb / KB_PER_GB);

export interface Meminfo {
  /** MemTotal − MemAvailable. */
  used_gb: number;
  total_gb: number;
  /** Page cache: Cached + Buffers (null where the file lacks them). */
  cache_gb: number | null;
  /**
   * MemFree: free memory not counting the page cache (null where the file lacks it). On GB10 this
   * is about what cudaMemGetInfo reports free, and what vLLM checks at startup.
   */
  free_gb?: number | null;
}

/** Memory in use, in total and as page cache, in GB; null where /proc/meminfo is absent or lacks the fields. */
export function parseMeminfo(text: string): Meminfo | null {
  const total = kbField(text, 'MemTotal');
  const available = kbField(text, 'MemAvailable');
  if (total === null || available === null) return null;
  const cached = kbField(text, 'Cached');
  const buffers = kbField(text, 'Buffers');
  const free = kbField(text, 'MemFree');
  return {
    used_gb: gb(total - available),
    total_gb: gb(total),
    cache_gb: cached === null ? null : gb(cached + (buffers ?? 0)),
    ...(free !== null ? { free_gb: gb(free) } : {}),
  };
}

export function readUnifiedMemory(path = '/proc/meminfo'): Meminfo | null {
  const text = readText(path);
  return text === null ? null : parseMeminfo(text);
}

export interface MemoryPressure {
  /** % of the last 10 s in which some task stalled on memory. */
  some: number | null;
  /** % of the last 10 s in which every task stalled (the box thrashes). */
  full: number | null;
}

/** PSI avg10 of `/proc/pressure/memory`; nulls without PSI. */
export function readPressure(path = '/proc/pressure/memory'): MemoryPressure {
  const text = readText(path) ?? '';
  const avg10 = (line: string) => {
    const match = new RegExp(`^${line}\\b.*\\bavg10=(\\d+(?:\\.\\d+)?)`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  };
  return { some: avg10('some'), full: avg10('full') };
}

/** PSI "some avg10" alone; null without PSI. */
export function readMemoryPressure(path = '/proc/pressure/memory'): number | null {
  return readPressure(path).some;
}
