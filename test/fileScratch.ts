// Runs before every test file (vitest setupFiles): the file's runs, and the children it starts,
// put their per-attempt scratch roots in a folder named after the file, so a scratch root left
// behind names the test file that left it (test/globalSetup.ts reports and fails on it).
import { rmdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

const runScratch = process.env.BRAINBENCH_TEST_SCRATCH;
let mine: string | undefined;

beforeAll((file) => {
  if (!runScratch || !('filepath' in file)) return;
  mine = join(runScratch, relative(process.cwd(), file.filepath).replaceAll('/', '_'));
  process.env.BRAINBENCH_SCRATCH_DIR = mine;
});

afterAll(() => {
  // The folder itself is ours: gone when the file's runs removed theirs, kept for the report if not.
  if (!mine) return;
  try {
    rmdirSync(mine);
  } catch {
    // never made (no run in this file), or not empty: left for the report
  }
});
