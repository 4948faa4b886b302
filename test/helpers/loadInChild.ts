// Loads a suite in a child process. A loader that regresses into reading a FIFO blocks its whole
// event loop, vitest's own test timeout included; in a child it fails the test by timeout instead
// of hanging the run.
import { execa } from 'execa';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './cli.js';

export interface ChildLoad {
  loaded: boolean;
  /** The error's class and message when loading refused. */
  name?: string;
  message?: string;
  timedOut: boolean;
  output: string;
}

const LOADERS = { tasks: ['src/tasks/load.ts', 'loadTaskSuite'], prompts: ['src/suite/load.ts', 'loadSuite'] } as const;

export async function loadInChild(loader: keyof typeof LOADERS, path: string, timeoutMs = 60_000): Promise<ChildLoad> {
  const [file, fn] = LOADERS[loader];
  const script = `
    const m = await import(${JSON.stringify(pathToFileURL(join(repoRoot, file)).href)});
    try { await m.${fn}(process.argv[1]); console.log(JSON.stringify({ loaded: true })); }
    catch (e) { console.log(JSON.stringify({ loaded: false, name: e.name, message: e.message })); }`;
  const child = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path], {
    cwd: repoRoot,
    reject: false,
    timeout: timeoutMs,
    stdin: 'ignore',
  });
  const output = `${child.stdout}\n${child.stderr}`;
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  const result = last.startsWith('{') ? (JSON.parse(last) as Omit<ChildLoad, 'timedOut' | 'output'>) : { loaded: false };
  return { ...result, timedOut: child.timedOut, output };
}
