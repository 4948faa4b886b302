import { execa, type Options } from 'execa';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

/** The brainbench CLI as a real child process (TypeScript run through tsx, no build needed). */
export function cliArgs(args: string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli.ts'), ...args]];
}

export function spawnCli(args: string[], options: Options = {}) {
  const [file, argv] = cliArgs(args);
  return execa(file, argv, { cwd: repoRoot, reject: false, ...options });
}

/** Kept here for the many tests that import it with the CLI helpers; see ./tmp.ts. */
export { tempDir } from './tmp.js';
