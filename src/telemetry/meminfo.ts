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

/** Memory in use and in total, in GB; null where /proc/meminfo is absent or lacks the fields. */
export function parseMeminfo(text: string): { used_gb: number; total_gb: number } | null {
  const total = kbField(text, 'MemTotal');
  const available = kbField(text, 'MemAvailable');
  if (total === null || available === null) return null;
  return { used_gb: round3((total - available) / KB_PER_GB), total_gb: round3(total / KB_PER_GB) };
}

export function readUnifiedMemory(path = '/proc/meminfo'): { used_gb: number; total_gb: number } | null {
  const text = readText(path);
  return text === null ? null : parseMeminfo(text);
}

/** PSI "some avg10": % of the last 10 s in which some task stalled on memory; null without PSI. */
export function readMemoryPressure(path = '/proc/pressure/memory'): number | null {
  const text = readText(path);
  const match = text === null ? null : /^some\b.*\bavg10=(\d+(?:\.\d+)?)/m.exec(text);
  return match ? Number(match[1]) : null;
}
