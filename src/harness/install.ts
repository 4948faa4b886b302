// Where an agent CLI is installed, and the read-only binds that show exactly that install inside
// the sandbox (DESIGN §13: "its own install is visible read-only; nothing else of the host").
// System folders (/usr, /bin, /lib…) are in every sandbox already; anything elsewhere — an npm
// prefix in HOME, a pipx venv, node from nvm — is bound at its own path.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { isInside } from '../agent/sandbox.js';
import { findExecutable } from '../os/proc.js';
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
    const folder = npmPackageOf(real) ?? venv;
    const shown = folder && safeFolder(folder, hidden) ? folder : real;
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
