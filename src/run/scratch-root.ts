import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where per-attempt scratch copies live. They are thrown away after each attempt, so a memory
 * filesystem is the right place: on a disk each copy of a few dozen small files costs tens of
 * milliseconds of brainbench's own time per attempt, on /dev/shm about one
 * (BRAINBENCH_SCRATCH_DIR overrides; without /dev/shm they go into the run folder).
 */
export function scratchRoot(runDir: string, runId: string): string {
  const override = process.env.BRAINBENCH_SCRATCH_DIR;
  if (override) return join(override, runId);
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      return join('/dev/shm', `brainbench-${process.getuid?.() ?? 'user'}`, runId);
    }
  } catch {
    // no usable /dev/shm: fall through to the run folder
  }
  return join(runDir, 'work');
}
