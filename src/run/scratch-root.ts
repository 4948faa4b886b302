import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The folder that holds the scratch roots of this user's runs when nothing overrides it:
 * /dev/shm/brainbench-<uid> where /dev/shm is a writable folder, else null. The same for every
 * brainbench process of the user on the box (BRAINBENCH_SCRATCH_DIR does not change it).
 */
export function defaultScratchParent(): string | null {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      return join('/dev/shm', `brainbench-${process.getuid?.() ?? 'user'}`);
    }
  } catch {
    // no usable /dev/shm
  }
  return null;
}

/**
 * Where per-attempt scratch copies live. They are thrown away after each attempt, so a memory
 * filesystem is the right place: on a disk each copy of a few dozen small files costs tens of
 * milliseconds of brainbench's own time per attempt, on /dev/shm about one
 * (BRAINBENCH_SCRATCH_DIR overrides; without /dev/shm they go into the run folder).
 */
export function scratchRoot(runDir: string, runId: string): string {
  const override = process.env.BRAINBENCH_SCRATCH_DIR;
  if (override) return join(override, runId);
  const parent = defaultScratchParent();
  return parent ? join(parent, runId) : join(runDir, 'work');
}
