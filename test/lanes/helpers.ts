import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const fakeServer = join(repoRoot, 'test/bin/fake-llama-server');
export const shimDir = join(repoRoot, 'test/shims');

export function tempDir(prefix = 'bb-lanes-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `text` as lanes.yaml in a fresh temp dir and returns its path. */
export function writeManifest(text: string, dir = tempDir()): string {
  const file = join(dir, 'lanes.yaml');
  writeFileSync(file, text);
  return file;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}
