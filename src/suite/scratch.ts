// The seeded scratch tree: its content hash (recorded in every scorecard) and the fresh copy
// each attempt works in.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Suite } from '../types.js';

/** The hash of a suite with no scratch tree (sha256 of nothing). */
export const EMPTY_TREE_HASH = createHash('sha256').digest('hex');

/** Relative posix paths of everything under `dir`, sorted, directories included. */
function listTree(dir: string, prefix = ''): { rel: string; kind: 'dir' | 'file' | 'link' }[] {
  const entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  // Code-unit order, not locale order: the same on every machine.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isSymbolicLink()) return [{ rel, kind: 'link' as const }];
    if (entry.isDirectory()) return [{ rel, kind: 'dir' as const }, ...listTree(dir, rel)];
    return [{ rel, kind: 'file' as const }];
  });
}

/**
 * sha256 over the tree under `dir`: every entry in sorted relative-path order, as its kind and
 * path, then a file's length and bytes or a link's target. Timestamps and modes do not count,
 * so the same content hashes the same on every machine.
 */
export function hashTree(dir: string): string {
  const hash = createHash('sha256');
  for (const { rel, kind } of listTree(dir)) {
    hash.update(`${kind}\0${rel}\0`);
    if (kind === 'file') {
      const bytes = readFileSync(join(dir, rel));
      hash.update(`${bytes.length}\0`);
      hash.update(bytes);
    } else if (kind === 'link') {
      hash.update(`${readlinkSync(join(dir, rel))}\0`);
    }
  }
  return hash.digest('hex');
}

/**
 * Gives an attempt its own fresh copy of the suite's scratch tree at `dest`. Whatever was at
 * `dest` is replaced; with no scratch tree, `dest` is an empty directory.
 */
/** Copies a tree: files by content, symlinks as links (never followed), folders recreated. */
function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (entry.isFile()) copyFileSync(source, target);
  }
}

export async function copyScratch(suite: Suite, dest: string): Promise<void> {
  try {
    // Synchronous on purpose: for a few dozen small files the async copy costs ~5× more (one
    // thread-pool round trip per file), and this runs once per attempt (bench/overhead).
    rmSync(dest, { recursive: true, force: true });
    if (suite.scratchDir === undefined) {
      mkdirSync(dest, { recursive: true });
      return;
    }
    // Symlinks are copied as they are (not followed), so sandbox escape fixtures stay escapes.
    copyTree(suite.scratchDir, dest);
  } catch (err) {
    // fs errors do not always name the file; a full or read-only results disk must say where.
    throw new Error(`cannot make the attempt's scratch copy ${dest}: ${(err as Error).message}`, { cause: err });
  }
}
