import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

export { freePort } from '../helpers/ports.js';
export { tempDir };

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
