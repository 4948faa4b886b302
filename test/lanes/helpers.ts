import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../helpers/cli.js';

export { tempDir };
export const fakeServer = join(repoRoot, 'test/bin/fake-llama-server');
export const shimDir = join(repoRoot, 'test/shims');

/** Writes `text` as lanes.yaml in `dir` (a fresh temp dir by default) and returns its path. */
export function writeManifest(text: string, dir = tempDir('bb-lanes-')): string {
  const file = join(dir, 'lanes.yaml');
  writeFileSync(file, text);
  return file;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
