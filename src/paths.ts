import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own root (holds fixtures/ and lanes.yaml), from src/ or dist/src/. */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'brainbench') return dir;
    } catch {
      // not here; go up
    }
    dir = dirname(dir);
  }
  throw new Error('brainbench: cannot find its own package.json');
}

export const packageRoot = findPackageRoot();

export const brainbenchVersion = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

export const builtinSuitesDir = join(packageRoot, 'fixtures');

/** A suite argument: a path, or the name of a built-in suite under fixtures/. */
export function resolveSuitePath(nameOrPath: string): string {
  if (/^[\w.-]+$/.test(nameOrPath)) {
    const builtin = join(builtinSuitesDir, nameOrPath);
    try {
      readFileSync(join(builtin, 'prompts.jsonl'));
      return builtin;
    } catch {
      // not a built-in name; treat as a path
    }
  }
  return resolve(nameOrPath);
}

export const defaultSuite = 'brain-v1';

export function defaultResultsDir(): string {
  return resolve(process.env.BRAINBENCH_RESULTS ?? 'results');
}

export function runDir(resultsDir: string, runId: string): string {
  return join(resultsDir, 'runs', runId);
}
