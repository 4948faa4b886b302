// Where an agent CLI is installed, and the read-only binds that show exactly that install inside
// the sandbox (DESIGN §13: "its own install is visible read-only; nothing else of the host").
// System folders (/usr, /bin, /lib…) are in every sandbox already; anything elsewhere — an npm
// prefix in HOME, a pipx venv, node from nvm — is bound at its own path: for npm the whole
// enclosing node_modules, as its users have it (hoisted dependencies, optional platform binaries).
// An install the sandbox's user cannot read is refused up front, with the fix (unreadableInstall).
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { isInside } from '../agent/sandbox.js';
import { findExecutable } from '../os/proc.js';
import { runningAsRoot } from '../sandbox/limits.js';
import type { SandboxBind } from '../sandbox/sandbox.js';

const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64'];

export interface HarnessInstall {
  /** The program as found on PATH (maybe a symlink). */
  found: string;
  /** What the sandbox execs: the resolved file. */
  program: string;
  binds: SandboxBind[];
  /** Folders to put in front of the sandbox's PATH (bound interpreters). */
  path: string[];
}

const inSystem = (path: string) => SYSTEM_DIRS.some((dir) => isInside(dir, path));

/**
 * The outermost node_modules holding `file` (…/node_modules), or null. Node looks a package's
 * imports up in every node_modules above it, so hoisted dependencies (pi's undici) and optional
 * platform packages (codex's native binary, opencode's) live beside it, not inside it.
 */
function nodeModulesOf(file: string): string | null {
  const parts = file.split(sep);
  const at = parts.indexOf('node_modules');
  return at > 0 && at < parts.length - 1 ? parts.slice(0, at + 1).join(sep) : null;
}

/** The npm package folder holding `file` (…/node_modules/<pkg> or …/node_modules/@scope/<pkg>), or null. */
function npmPackageOf(file: string): string | null {
  const parts = file.split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length - 1) return null;
  const take = parts[at + 1]!.startsWith('@') ? at + 3 : at + 2;
  return parts.slice(0, take).join(sep);
}

/** A Python venv (pipx, uv tool) whose bin/ holds `file`, or null. */
function venvOf(file: string): string | null {
  const root = dirname(dirname(file));
  return basename(dirname(file)) === 'bin' && existsSync(join(root, 'pyvenv.cfg')) ? root : null;
}

/** The Python installation a venv was made from (pyvenv.cfg `home = <prefix>/bin`). */
function venvPython(venv: string): string | null {
  const home = /^home\s*=\s*(.+)$/m.exec(readFileSync(join(venv, 'pyvenv.cfg'), 'utf8'))?.[1]?.trim();
  return home ? dirname(home) : null;
}

/** Refuses a folder that would show brainbench's own files or what the trial hides. */
function safeFolder(folder: string, hidden: readonly string[]): boolean {
  return folder !== '/' && !hidden.some((h) => isInside(folder, h) || isInside(h, folder));
}

/** The install of `program` on this PATH, or null when it is not installed. */
export function resolveInstall(program: string, hidden: readonly string[], env: NodeJS.ProcessEnv = process.env): HarnessInstall | null {
  const found = findExecutable(program, env);
  if (!found) return null;
  const real = realpathSync(found);
  const binds: SandboxBind[] = [];
  const path: string[] = [];
  if (!inSystem(real)) {
    const venv = venvOf(found);
    // the widest safe folder: the whole node_modules, else the package alone, else the file
    const folders = [nodeModulesOf(real), npmPackageOf(real), venv].filter((f): f is string => f !== null);
    const shown = folders.find((folder) => safeFolder(folder, hidden)) ?? real;
    binds.push({ host: shown, at: shown, readOnly: true });
    const python = venv && venvPython(venv);
    if (python && !inSystem(python) && safeFolder(python, hidden)) binds.push({ host: python, at: python, readOnly: true });
  }
  // node-based CLIs start through `#!/usr/bin/env node`: node must be on the sandbox's PATH
  const node = realpathSync(process.execPath);
  if (!inSystem(node)) {
    binds.push({ host: dirname(node), at: dirname(node), readOnly: true });
    path.push(dirname(node));
  }
  return { found, program: real, binds, path };
}

/**
 * Whether the sandbox's user may use `path` (search a folder, or read a file): run as root the
 * sandbox drops to a leased uid of its own, so only the "other" permission bits count for it.
 */
function sandboxMay(path: string, read: boolean): boolean {
  if (!runningAsRoot) {
    try {
      accessSync(path, read ? constants.R_OK : constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
  const st = statSync(path);
  const need = (read ? constants.S_IROTH : 0) | (st.isDirectory() ? constants.S_IXOTH : 0);
  return (st.mode & need) === need;
}

/** The first folder on the way to `path` (or `path` itself) the sandbox's user cannot pass, and the chmod it lacks; or null. */
function blockedOn(path: string): { at: string; chmod: string } | null {
  const parts = path.split(sep).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const at = sep + parts.slice(0, i + 1).join(sep);
    const read = i === parts.length - 1;
    if (!sandboxMay(at, read)) return { at, chmod: read && statSync(at).isDirectory() ? 'o+rx' : read ? 'o+r' : 'o+x' };
  }
  return null;
}

/**
 * Why the sandbox cannot use this install, with the fix, in one line — or null when it can. An
 * install under a folder only its owner enters (/root is mode 700; nvm puts node and npm's global
 * prefix there) would otherwise fail every trial with bwrap's "Can't find source path".
 */
export function unreadableInstall(install: HarnessInstall, installHint?: string): string | null {
  for (const path of [...install.binds.map((b) => b.host), install.program]) {
    const blocked = blockedOn(path);
    if (!blocked) continue;
    const mode = (statSync(blocked.at).mode & 0o7777).toString(8);
    const elsewhere = installHint?.includes('npm install -g') ? installHint.replace('npm install -g', 'npm install -g --prefix /usr/local') : 'a folder every user can read';
    return `the sandbox's user cannot read ${path} (${blocked.at} is mode ${mode}): install it elsewhere (${elsewhere}) or run chmod ${blocked.chmod} ${blocked.at}`;
  }
  return null;
}

/** For a preflight: why `program` as found on this PATH cannot run in the sandbox, or null (also when it is missing). */
export function installRefusal(program: string, installHint: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const install = resolveInstall(program, [], env);
  return install && unreadableInstall(install, installHint);
}
