// Reading back what a sandbox produced (DESIGN §12: reward files, logs, outputs). The sandbox
// could have left a link to a host file, a FIFO, a device or a huge file where the host expects a
// small text: each component under the trusted root is lstat'ed (a link is never followed), the
// file is opened O_NOFOLLOW|O_NONBLOCK (a FIFO never blocks the open), it must then be a regular
// file, and at most `maxBytes` of it are read. Called after every sandboxed process is gone, so
// nothing swaps a component between the checks and the open.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Dirent, type Stats } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

export type SafeRead = { ok: true; text: string; truncated: boolean } | { ok: false; rule: string; missing?: true };

export interface SafeReadOptions {
  /** Bytes read at most. */
  maxBytes: number;
  /** A longer file: refused (default) or its first maxBytes kept with truncated: true. */
  oversize?: 'refuse' | 'truncate';
  /** A folder the host made and trusts: no component between it and the file may be a link. */
  within?: string;
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** What an entry is when it is none of file, folder or link ("a FIFO"); null for those three. */
export function specialKind(entry: Stats | Dirent): string | null {
  if (entry.isFIFO()) return 'a FIFO';
  if (entry.isCharacterDevice()) return 'a character device';
  if (entry.isBlockDevice()) return 'a block device';
  if (entry.isSocket()) return 'a socket';
  return null;
}

/** What a non-regular file is, in words. */
export function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'is a symbolic link';
  const special = specialKind(st);
  if (special) return `is ${special}`;
  if (st.isDirectory()) return 'is a directory';
  return st.isFile() ? 'is a regular file' : 'is not a regular file';
}

/** Each folder between `within` and `file` must be a real folder (a link there would lead out). */
function checkFolders(within: string, file: string): string | null {
  const rel = relative(within, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return `is not inside ${within}`;
  let dir = within;
  for (const part of rel.split(sep).slice(0, -1)) {
    dir = join(dir, part);
    let st: Stats;
    try {
      st = lstatSync(dir);
    } catch {
      return `folder ${part} does not exist`;
    }
    if (!st.isDirectory()) return `folder ${part} ${kindOf(st)}`;
  }
  return null;
}

function errorRule(err: NodeJS.ErrnoException): SafeRead {
  if (err.code === 'ENOENT') return { ok: false, rule: 'does not exist', missing: true };
  if (err.code === 'ELOOP' || err.code === 'EMLINK') return { ok: false, rule: 'is a symbolic link' };
  return { ok: false, rule: `cannot be opened (${err.code ?? 'error'})` };
}

function readOpen(fd: number, opts: SafeReadOptions): SafeRead {
  const st = fstatSync(fd);
  if (!st.isFile()) return { ok: false, rule: kindOf(st) };
  if (st.nlink > 1) return { ok: false, rule: 'has several hard links' }; // one of them may be a host file
  const cap = opts.maxBytes;
  if (st.size > cap && opts.oversize !== 'truncate') return { ok: false, rule: `larger than ${cap} bytes` };
  // one byte more than the cap tells a file that grew past it since fstat
  const buf = Buffer.alloc(cap + 1);
  let got = 0;
  for (let n = -1; n !== 0 && got < buf.length; got += n) n = readSync(fd, buf, got, buf.length - got, got);
  if (got > cap && opts.oversize !== 'truncate') return { ok: false, rule: `larger than ${cap} bytes` };
  return { ok: true, text: buf.subarray(0, Math.min(got, cap)).toString('utf8'), truncated: got > cap };
}

/** Reads a file the sandbox produced, by the rules above; never follows a link, never blocks. */
export function safeReadFile(file: string, opts: SafeReadOptions): SafeRead {
  const folders = opts.within === undefined ? null : checkFolders(opts.within, file);
  if (folders) return { ok: false, rule: folders };
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (err) {
    return errorRule(err as NodeJS.ErrnoException);
  }
  try {
    return readOpen(fd, opts);
  } finally {
    closeSync(fd);
  }
}

/** lstat that reports "nothing there" as null (existsSync follows links; this never does). */
export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
