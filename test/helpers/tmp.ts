// The one temp-folder helper for tests. Every folder made here is removed after the test that made
// it (in a test or its beforeEach), or after the test file (when made at module level or in a
// beforeAll), so no test has to remember to clean up. test/globalSetup.ts fails the run when a
// test leaves anything in TMPDIR that did not come from here.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const perTest: string[] = [];
const perFile: string[] = [];
let inTest = false;

function removeAll(dirs: string[]): void {
  // Retries ride out a child that is still exiting and writing its last file.
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

// Hooks only inside a vitest worker (not in a child that inherited VITEST=true): bench scripts
// import the test helpers too, and remove what they make themselves.
if ('__vitest_worker__' in globalThis) {
  const { afterAll, afterEach, beforeEach } = await import('vitest');
  // Registered before the test file's own hooks: this beforeEach runs first, and (hooks unwind as a
  // stack) this afterEach/afterAll run last, after the file has stopped whatever used the folders.
  beforeEach(() => {
    inTest = true;
  });
  afterEach(() => {
    inTest = false;
    removeAll(perTest);
  });
  afterAll(() => removeAll(perFile));
}

/** A fresh folder (real path, no symlinks) under `parent`, removed automatically (see above). */
export function tempDir(prefix = 'bb-', parent = tmpdir()): string {
  const dir = realpathSync(mkdtempSync(join(parent, prefix)));
  (inTest ? perTest : perFile).push(dir);
  return dir;
}

/** A temp folder holding `files` (relative path → content), removed like any tempDir. */
export function tmpTree(files: Record<string, string> = {}, prefix = 'bb-tree-'): string {
  const root = tempDir(prefix);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}
