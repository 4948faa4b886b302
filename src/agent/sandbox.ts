// Path confinement for the agent's tools: every model-supplied path must resolve inside the
// attempt's scratch root, after symlinks, or it is refused (DESIGN §5).
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export type Resolved = { ok: true; path: string } | { ok: false; reason: string; escape: boolean };

export const MAX_PATH_LENGTH = 4096;

/** True when `path` is `root` itself or below it (both absolute, normalised). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

function refuse(reason: string, escape: boolean): Resolved {
  return { ok: false, reason, escape };
}

/** The longest prefix of `path` that exists (lstat, so a symlink counts as existing), and the rest. */
function splitExisting(path: string): { existing: string; rest: string } {
  let existing = path;
  while (true) {
    try {
      lstatSync(existing);
      return { existing, rest: relative(existing, path) };
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return { existing, rest: relative(existing, path) };
      existing = parent;
    }
  }
}

/**
 * Resolve `userPath` (relative to `root`, or absolute but already inside it) to a real path
 * inside `root`. `escape` is true when the path tried to leave the root (`..`, an absolute
 * path elsewhere, a symlink or hard link pointing out); false for paths that are merely
 * malformed (NUL byte, too long, a dangling link).
 */
export function resolveInside(root: string, userPath: string): Resolved {
  if (userPath.includes('\0')) return refuse('path contains a NUL byte', false);

  // Whether it leaves is judged first, so a very long run of '../' still counts as an escape.
  const rootReal = realpathSync(root);
  const lexical = resolve(rootReal, userPath);
  const lexicalFromGivenRoot = resolve(root, userPath);
  const shown = userPath.length > 200 ? `${userPath.slice(0, 200)}…` : userPath;
  if (!isInside(rootReal, lexical) && !isInside(resolve(root), lexicalFromGivenRoot)) {
    return refuse(`'${shown}' is outside the working folder`, true);
  }
  if (userPath.length > MAX_PATH_LENGTH) return refuse(`path longer than ${MAX_PATH_LENGTH} characters`, false);
  // An absolute path spelled through the root as given (e.g. a /tmp symlink) is re-based on the real root.
  const candidate = isInside(rootReal, lexical) ? lexical : join(rootReal, relative(resolve(root), lexicalFromGivenRoot));

  // Symlinks: the deepest existing component must really live inside the root; what does not
  // exist yet is created below it as plain directories and files.
  const { existing, rest } = splitExisting(candidate);
  let existingReal: string;
  try {
    existingReal = realpathSync(existing);
  } catch {
    // A dangling symlink: writing through it would create its target, wherever that is.
    let target = existing;
    try {
      target = resolve(dirname(existing), readlinkSync(existing));
    } catch {
      // unreadable link: judged by its own location
    }
    return isInside(rootReal, target)
      ? refuse(`'${userPath}' is a dangling symlink`, false)
      : refuse(`'${userPath}' is a symlink pointing outside the working folder`, true);
  }
  if (!isInside(rootReal, existingReal)) {
    return refuse(`'${userPath}' resolves through a symlink outside the working folder`, true);
  }
  const real = rest === '' ? existingReal : join(existingReal, rest);

  // Hard links: a regular file with more than one link may share its inode with a file outside.
  if (rest === '') {
    const st = statSync(real);
    if (st.isFile() && st.nlink > 1) return refuse(`'${userPath}' is a hard link (refused: may point outside)`, true);
  }
  return { ok: true, path: real };
}
