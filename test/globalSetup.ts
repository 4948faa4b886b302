// Every test run gets its own temp root: os.tmpdir() (TMPDIR) and the per-attempt scratch root
// point into it, for the test processes and every child they start. Tests remove what they make;
// whatever one forgets is named here and removed with the root, so a run leaves nothing behind.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'brainbench-tests-'));
  const scratch = join('/dev/shm', `brainbench-tests-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  process.env.TMPDIR = root;
  process.env.BRAINBENCH_SCRATCH_DIR = scratch;
  return () => {
    const left = readdirSync(root);
    if (left.length) console.warn(`[globalSetup] ${left.length} temp entries left by tests (removed): ${left.slice(0, 8).join(', ')}`);
    rmSync(root, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  };
}
