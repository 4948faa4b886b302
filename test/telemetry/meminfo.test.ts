import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMemoryPressure, readUnifiedMemory } from '../../src/telemetry/meminfo.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('meminfo-');
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// The head of /proc/meminfo on a DGX Spark-sized box (kB).
const SPARK_MEMINFO = `MemTotal:       125493248 kB
MemFree:         2123456 kB
MemAvailable:   94427648 kB
Buffers:           12345 kB
Cached:         80000000 kB
`;

describe('readUnifiedMemory', () => {
  it('is MemTotal − MemAvailable in decimal GB', () => {
    const memory = readUnifiedMemory(file('meminfo', SPARK_MEMINFO));
    // (125493248 − 94427648) kB × 1024 B = 31.811 GB; 125493248 kB = 128.505 GB.
    // Cached + Buffers = 80012345 kB = 81.933 GB of page cache. MemFree 2123456 kB = 2.174 GB: free
    // excluding the page cache, what vLLM's startup check sees on GB10.
    expect(memory).toEqual({ used_gb: 31.811, total_gb: 128.505, cache_gb: 81.933, free_gb: 2.174 });
  });

  it('is null without the file or without MemAvailable', () => {
    expect(readUnifiedMemory(join(dir, 'absent'))).toBeNull();
    expect(readUnifiedMemory(file('old', 'MemTotal: 1000 kB\nMemFree: 10 kB\n'))).toBeNull();
  });

  it('reads the real /proc/meminfo of this machine', () => {
    const memory = readUnifiedMemory();
    expect(memory).not.toBeNull();
    expect(memory!.used_gb).toBeGreaterThan(0);
    expect(memory!.used_gb).toBeLessThan(memory!.total_gb);
  });
});

describe('readMemoryPressure', () => {
  it('reads "some avg10" from PSI', () => {
    const psi = file('psi', 'some avg10=1.25 avg60=0.50 avg300=0.10 total=123456\nfull avg10=0.75 avg60=0.00 avg300=0.00 total=100\n');
    expect(readMemoryPressure(psi)).toBe(1.25);
  });

  it('is null where the kernel has no PSI', () => {
    expect(readMemoryPressure(join(dir, 'no-psi'))).toBeNull();
    expect(readMemoryPressure(file('junk', 'nothing here\n'))).toBeNull();
  });
});
