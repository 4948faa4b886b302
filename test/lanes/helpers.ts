import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { repoRoot, tempDir as makeTempDir } from '../helpers/cli.js';

export { freePort } from '../helpers/ports.js';

const made: string[] = [];
/** A fresh temp dir, removed after the test file that made it (registered here, so none is forgotten). */
export function tempDir(prefix?: string): string {
  const dir = makeTempDir(prefix);
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export const fakeServer = join(repoRoot, 'test/bin/fake-llama-server');
/** A stand-in GGUF file: the fake server plays the brain its name says (`-m …/strong.gguf`). */
export const fakeModel = join(repoRoot, 'test/bin/models/strong.gguf');
export const shimDir = join(repoRoot, 'test/shims');

/** Writes `text` as lanes.yaml in `dir` (a fresh temp dir by default) and returns its path. */
export function writeManifest(text: string, dir = tempDir('bb-lanes-')): string {
  const file = join(dir, 'lanes.yaml');
  writeFileSync(file, text);
  return file;
}
