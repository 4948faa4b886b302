// Harness ids → Harnesses: the three built-in kinds and every external CLI of the catalog
// (presets + lanes.yaml). An unknown id names the known ones. A new kind enters as one file.
import { builtinHarness } from './builtin.js';
import { externalHarness } from './external.js';
import { nullHarness } from './null.js';
import { oracleHarness } from './oracle.js';
import { harnessCatalog } from './presets.js';
import { BUILTIN_HARNESS_KINDS } from './schema.js';
import type { HarnessSpec } from './spec.js';
import type { Harness } from './types.js';

/** builtin, oracle (built per task from its solution folder: forSolution) and null. */
export function harnessNamed(name: string): Harness {
  const found = [builtinHarness, oracleHarness(), nullHarness].find((h) => h.name === name);
  if (!found) throw new Error(`unknown harness '${name}' (harnesses: ${BUILTIN_HARNESS_KINDS.join(', ')})`);
  return found;
}

export function knownHarnessIds(catalog: ReadonlyMap<string, HarnessSpec> = harnessCatalog()): string[] {
  return [...BUILTIN_HARNESS_KINDS, ...catalog.keys()];
}

export function harnessFor(id: string, catalog: ReadonlyMap<string, HarnessSpec> = harnessCatalog(), env: NodeJS.ProcessEnv = process.env): Harness {
  if ((BUILTIN_HARNESS_KINDS as readonly string[]).includes(id)) return harnessNamed(id);
  const spec = catalog.get(id);
  if (!spec) throw new Error(`unknown harness '${id}' (harnesses: ${knownHarnessIds(catalog).join(', ')})`);
  return externalHarness(spec, env);
}

/** `--harness builtin,pi`: ids in order, each once. */
export function parseHarnessList(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
}
