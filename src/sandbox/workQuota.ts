// How much the work folder holds: bytes really allocated (st_blocks, so a sparse file costs what
// it uses) and entries, never following symlinks. The work folder is in RAM (/dev/shm), so this
// is what a sandbox may not grow past.
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';

export interface WorkUsage {
  bytes: number;
  entries: number;
}

/** Stops counting once either cap is passed (the answer is then "over", not the exact size). */
export async function measureWork(dir: string, caps: { bytes: number; entries: number }): Promise<WorkUsage> {
  const usage: WorkUsage = { bytes: 0, entries: 0 };
  const pending = [dir];
  while (pending.length > 0 && usage.bytes <= caps.bytes && usage.entries <= caps.entries) {
    const current = pending.pop()!;
    let handle;
    try {
      handle = await opendir(current);
    } catch {
      continue; // removed meanwhile, or not readable
    }
    for await (const entry of handle) {
      usage.entries++;
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      try {
        usage.bytes += (await lstat(path)).blocks * 512;
      } catch {
        // removed meanwhile
      }
      if (usage.entries > caps.entries) break;
    }
  }
  return usage;
}

export function overCap(usage: WorkUsage, caps: { bytes: number; entries: number }): string | null {
  if (usage.bytes > caps.bytes) return `the work folder grew past ${Math.round(caps.bytes / 1024 ** 2)} MB`;
  if (usage.entries > caps.entries) return `the work folder grew past ${caps.entries} files and folders`;
  return null;
}
