// The seeded scratch tree: its content hash (recorded in every scorecard) and the fresh copy
// each attempt works in. Suite and task folders are untrusted input: the host never opens a FIFO,
// device or socket in them (a FIFO blocks the reader for good, a device may act on open), and
// never follows a link while hashing.
import { createHash, type Hash } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { specialKind } from '../os/safeRead.js';
import type { Suite } from '../types.js';
import { SuiteError } from './errors.js';

/** The hash of a suite with no scratch tree (sha256 of nothing). */
export const EMPTY_TREE_HASH = createHash('sha256').digest('hex');

const NOT_A_FILE = 'only regular files, folders and links are allowed; refused unopened';

/** A suite or task file refused for what it is (a FIFO, a link, too large); `detail` is the reason alone. */
export class UnsafeFileError extends SuiteError {
  constructor(
    file: string,
    readonly detail: string,
  ) {
    super(file, detail);
    this.name = 'UnsafeFileError';
  }
}

function refusal(file: string, stats: Stats): UnsafeFileError {
  const what = stats.isSymbolicLink() ? 'a link' : stats.isDirectory() ? 'a folder' : (specialKind(stats) ?? 'not a regular file');
  return new UnsafeFileError(file, `${what}: ${NOT_A_FILE}`);
}

/**
 * Opens `file`, which must be a regular file: anything else is a SuiteError naming it, and a FIFO
 * or device is never opened. A link is followed only with `follow`. The opened file is checked
 * again, so a swap between check and open cannot slip a FIFO in (O_NONBLOCK never waits for a writer).
 */
function openRegularSync(file: string, follow: boolean): { fd: number; size: number } {
  const before = follow ? statSync(file) : lstatSync(file);
  if (!before.isFile()) throw refusal(file, before);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | (follow ? 0 : constants.O_NOFOLLOW));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new UnsafeFileError(file, `a link: ${NOT_A_FILE}`);
    throw err;
  }
  const stats = fstatSync(fd);
  if (stats.isFile()) return { fd, size: stats.size };
  closeSync(fd);
  throw refusal(file, stats);
}

/** The bytes of `file`, a regular file of at most `maxBytes` (see openRegularSync); `follow` allows a link to one. */
export function readRegularFileSync(file: string, maxBytes: number, opts: { follow?: boolean } = {}): Buffer {
  const { fd, size } = openRegularSync(file, opts.follow ?? false);
  try {
    if (size > maxBytes) throw new UnsafeFileError(file, `larger than ${Math.floor(maxBytes / 1024)} KB; refused unread`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Feeds a regular file's length and bytes to `hash` in chunks (a large data file never sits in memory whole). */
function hashFile(hash: Hash, file: string): void {
  const { fd, size } = openRegularSync(file, false);
  try {
    hash.update(`${size}\0`);
    const chunk = Buffer.allocUnsafe(Math.min(size, 1024 * 1024) || 1);
    for (let at = 0; at < size; ) {
      const read = readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
      if (read === 0) break; // shrank while hashed
      hash.update(chunk.subarray(0, read));
      at += read;
    }
  } finally {
    closeSync(fd);
  }
}

type TreeEntry = { rel: string; kind: 'dir' | 'file' | 'link' };

/** Relative posix paths of everything under `dir`, sorted, directories included; a FIFO, device or socket is refused. */
function listTree(dir: string, prefix = ''): TreeEntry[] {
  const entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  // Code-unit order, not locale order: the same on every machine.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.flatMap((entry): TreeEntry[] => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isSymbolicLink()) return [{ rel, kind: 'link' }];
    if (entry.isDirectory()) return [{ rel, kind: 'dir' }, ...listTree(dir, rel)];
    const special = specialKind(entry);
    if (special) throw new UnsafeFileError(join(dir, rel), `${special}: ${NOT_A_FILE}`);
    return [{ rel, kind: 'file' }];
  });
}

/**
 * sha256 over the tree under `dir`: every entry in sorted relative-path order, as its kind and
 * path, then a file's length and bytes or a link's target. Timestamps and modes do not count,
 * so the same content hashes the same on every machine. Links are hashed by their target, never
 * followed; a FIFO, device or socket is a SuiteError naming it.
 */
export function hashTree(dir: string): string {
  const hash = createHash('sha256');
  for (const { rel, kind } of listTree(dir)) {
    hash.update(`${kind}\0${rel}\0`);
    if (kind === 'file') {
      hashFile(hash, join(dir, rel));
    } else if (kind === 'link') {
      hash.update(`${readlinkSync(join(dir, rel))}\0`);
    }
  }
  return hash.digest('hex');
}

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

/**
 * Gives an attempt its own fresh copy of the suite's scratch tree at `dest`. Whatever was at
 * `dest` is replaced; with no scratch tree, `dest` is an empty directory.
 */
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
