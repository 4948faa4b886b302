import { homedir } from 'node:os';
import { join } from 'node:path';

// brainbench targets Linux boxes (DGX Spark); the XDG base-directory spec is the convention there.

/** <user config dir>/brainbench: $XDG_CONFIG_HOME or ~/.config. */
export function userConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'brainbench');
}

/** Where lane state (which lane brainbench started, its pid/container) lives across processes. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BRAINBENCH_STATE_DIR || join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'brainbench');
}

/** The invoking user's home: $HOME as this process sees it now, else the password database's. */
export function userHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME || homedir();
}

/** `~/x` → `<home>/x`; lanes are spawned without a shell, so nothing else would expand it. */
export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}
