// The built-in harness presets (fixtures/harnesses.yaml) and the catalog a run picks from:
// presets first, then lanes.yaml's `harnesses:` entries, which add or replace by id.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { builtinSuitesDir } from '../paths.js';
import { harnessSchema } from './schema.js';
import type { HarnessSpec } from './spec.js';

export const PRESETS_FILE = join(builtinSuitesDir, 'harnesses.yaml');

const presetsSchema = z.strictObject({ harnesses: z.array(harnessSchema) });

let presets: HarnessSpec[] | undefined;

/** Parsed once; a broken preset file is brainbench's own bug, so its error names file and field. */
export function builtinPresets(): HarnessSpec[] {
  if (presets) return presets;
  const parsed = presetsSchema.safeParse(parse(readFileSync(PRESETS_FILE, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${PRESETS_FILE}: ${issue.path.join('.')}: expected ${issue.message}`);
  }
  presets = parsed.data.harnesses.map((h) => ({ ...h, source: PRESETS_FILE }));
  return presets;
}

/** Every declared external harness by id: lanes.yaml's entries win over the presets. */
export function harnessCatalog(declared: readonly HarnessSpec[] = []): Map<string, HarnessSpec> {
  const catalog = new Map<string, HarnessSpec>();
  for (const spec of [...builtinPresets(), ...declared]) catalog.set(spec.id, spec);
  return catalog;
}
