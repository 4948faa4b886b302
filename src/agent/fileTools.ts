// The file tools the model gets: list, read, glob, grep, write — each confined to the scratch
// root through resolveInside, never following a symlink out.
import { constants } from 'node:fs';
import { mkdir, open, readdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { globToRegExp } from './globPattern.js';
import { createTextMatcher, RegexTimeout } from './regexWorker.js';
import { resolveInside } from './sandbox.js';
import { failure, success, type ToolResult } from './toolResult.js';
import { walk } from './walk.js';

export const READ_CAP_BYTES = 64 * 1024;
export const WRITE_CAP_BYTES = 1024 * 1024;
export const LIST_CAP_ENTRIES = 1000;
export const GLOB_CAP_MATCHES = 1000;
export const GREP_CAP_MATCHES = 200;
const GREP_LINE_CHARS = 300;
const GREP_FILE_MAX_BYTES = 2 * 1024 * 1024;
const WALK_CAP_ENTRIES = 20_000;

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  ELOOP: 'is a symlink (refused)',
  ENXIO: 'is not a regular file',
};

function fsFailure(err: unknown, userPath: string): ToolResult {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return failure(`${FS_ERRORS[code] ?? (err as Error).message}: '${userPath}'`);
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

export async function listFiles(root: string, userPath: string): Promise<ToolResult> {
  const target = resolveInside(root, userPath);
  if (!target.ok) return failure(target.reason, target.escape);
  try {
    const entries = await readdir(target.path, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const lines = entries
      .slice(0, LIST_CAP_ENTRIES)
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.isSymbolicLink() ? `${e.name}@` : e.name));
    if (entries.length > LIST_CAP_ENTRIES) lines.push(`[truncated: ${entries.length} entries, showing ${LIST_CAP_ENTRIES}]`);
    return success(lines.length ? lines.join('\n') : '(empty directory)');
  } catch (err) {
    return fsFailure(err, userPath);
  }
}

/**
 * Open a resolved path without following a final symlink and without blocking (a FIFO opened for
 * reading returns at once; for writing without a reader it fails with ENXIO); refuse anything but
 * a single-link regular file.
 */
async function openRegularFile(path: string, flags: number) {
  const handle = await open(path, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  const st = await handle.stat();
  if (!st.isFile() || st.nlink > 1) {
    await handle.close();
    return { handle: null, why: st.isFile() ? 'is a hard link (refused)' : 'is not a regular file' };
  }
  return { handle, size: st.size };
}

export async function readFile(root: string, userPath: string): Promise<ToolResult> {
  const target = resolveInside(root, userPath);
  if (!target.ok) return failure(target.reason, target.escape);
  try {
    const opened = await openRegularFile(target.path, constants.O_RDONLY);
    if (!opened.handle) return failure(`${opened.why}: '${userPath}'`, opened.why.includes('hard link'));
    try {
      const buffer = Buffer.alloc(Math.min(opened.size, READ_CAP_BYTES));
      const { bytesRead } = await opened.handle.read(buffer, 0, buffer.length, 0);
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      if (opened.size <= READ_CAP_BYTES) return success(text);
      return success(`${text}\n[truncated: showing the first ${READ_CAP_BYTES} of ${opened.size} bytes]`);
    } finally {
      await opened.handle.close();
    }
  } catch (err) {
    return fsFailure(err, userPath);
  }
}

export async function writeFile(root: string, userPath: string, content: string): Promise<ToolResult> {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > WRITE_CAP_BYTES) return failure(`content is ${bytes} bytes; the limit is ${WRITE_CAP_BYTES} bytes`);
  const target = resolveInside(root, userPath);
  if (!target.ok) return failure(target.reason, target.escape);
  try {
    await mkdir(dirname(target.path), { recursive: true });
    const opened = await openRegularFile(target.path, constants.O_WRONLY | constants.O_CREAT);
    if (!opened.handle) return failure(`${opened.why}: '${userPath}'`, opened.why.includes('hard link'));
    try {
      await opened.handle.truncate(0);
      await opened.handle.writeFile(content, 'utf8');
    } finally {
      await opened.handle.close();
    }
    return success(`wrote ${bytes} bytes to ${userPath}`);
  } catch (err) {
    return fsFailure(err, userPath);
  }
}

export async function glob(root: string, pattern: string, signal?: AbortSignal): Promise<ToolResult> {
  const rootReal = await realpath(root);
  let relPattern = pattern.replace(/^(\.\/)+/, '');
  if (isAbsolute(relPattern)) {
    if (!relPattern.startsWith(rootReal + '/')) return failure(`pattern '${pattern}' is outside the working folder`, true);
    relPattern = relPattern.slice(rootReal.length + 1);
  }
  if (relPattern.split('/').includes('..')) return failure(`pattern '${pattern}' leaves the working folder ('..')`, true);
  if (relPattern.includes('\0')) return failure('pattern contains a NUL byte');
  const entries: { rel: string; kind: string }[] = [];
  const state = { seen: 0, truncated: false };
  for await (const entry of walk(rootReal, WALK_CAP_ENTRIES, state)) {
    if (signal?.aborted) return failure('glob stopped: the attempt has ended');
    entries.push(entry);
  }
  const matcher = createTextMatcher(globToRegExp(relPattern));
  let hits: number[];
  try {
    hits = await matcher.match(
      entries.map((e) => e.rel),
      GLOB_CAP_MATCHES,
    );
  } catch (err) {
    if (err instanceof RegexTimeout) return failure(`glob '${pattern}': ${err.message}`);
    throw err;
  }
  const matches = hits.map((i) => (entries[i]!.kind === 'dir' ? `${entries[i]!.rel}/` : entries[i]!.rel));
  if (matches.length >= GLOB_CAP_MATCHES) matches.push(`[truncated: first ${GLOB_CAP_MATCHES} matches]`);
  if (state.truncated) matches.push(`[search stopped after ${WALK_CAP_ENTRIES} entries]`);
  return success(matches.length ? matches.join('\n') : `no files match '${pattern}'`);
}

/** A JS regex from the model's pattern; a leading ripgrep-style `(?i)` becomes the `i` flag. */
function compileGrepPattern(pattern: string): RegExp {
  const caseless = pattern.startsWith('(?i)');
  return new RegExp(caseless ? pattern.slice(4) : pattern, caseless ? 'iu' : 'u');
}

export async function grep(root: string, pattern: string, userPath: string, signal?: AbortSignal): Promise<ToolResult> {
  let regex: RegExp;
  try {
    regex = compileGrepPattern(pattern);
  } catch (err) {
    return failure(`invalid regular expression: ${(err as Error).message}`);
  }
  const target = resolveInside(root, userPath);
  if (!target.ok) return failure(target.reason, target.escape);
  const rootReal = await realpath(root);
  const lines: string[] = [];
  const matcher = createTextMatcher(regex);
  const searchFile = async (abs: string): Promise<boolean> => {
    const opened = await openRegularFile(abs, constants.O_RDONLY).catch(() => null);
    if (!opened?.handle) return true;
    try {
      if (opened.size > GREP_FILE_MAX_BYTES) return true;
      const buffer = await opened.handle.readFile();
      if (buffer.subarray(0, 8192).includes(0)) return true; // binary
      const rel = toPosix(relative(rootReal, abs));
      const fileLines = buffer.toString('utf8').split(/\r?\n/);
      for (const i of await matcher.match(fileLines, GREP_CAP_MATCHES - lines.length)) {
        const line = fileLines[i]!;
        lines.push(`${rel}:${i + 1}:${line.length > GREP_LINE_CHARS ? `${line.slice(0, GREP_LINE_CHARS)}…` : line}`);
      }
      return lines.length < GREP_CAP_MATCHES;
    } finally {
      await opened.handle.close();
    }
  };
  try {
    const opened = await open(target.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = await opened.stat();
    await opened.close();
    const isDir = st.isDirectory();
    if (!isDir && !st.isFile()) return failure(`is not a regular file: '${userPath}'`);
    let complete = true;
    if (isDir) {
      for await (const entry of walk(target.path, WALK_CAP_ENTRIES)) {
        if (signal?.aborted) return failure('grep stopped: the attempt has ended');
        if (entry.kind === 'file' && !(complete = await searchFile(entry.abs))) break;
      }
    } else {
      complete = await searchFile(target.path);
    }
    if (!complete) lines.push(`[truncated: first ${GREP_CAP_MATCHES} matches]`);
    return success(lines.length ? lines.join('\n') : `no matches for /${pattern}/ in ${userPath}`);
  } catch (err) {
    if (err instanceof RegexTimeout) return failure(`grep /${pattern}/: ${err.message}`);
    return fsFailure(err, userPath);
  }
}
