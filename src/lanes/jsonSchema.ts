// lanes.schema.json, the JSON Schema editors use for lanes.yaml (completion, hover, squiggles), generated
// from the zod schema the loader validates with, so the two cannot drift: `npm run schema` rewrites it
// and test/lanes/json-schema.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isEntry } from '../entry.js';
import { packageRoot } from '../paths.js';
import { ENV_REF, manifestSchema } from './schema.js';

export const LANES_SCHEMA_FILE = join(packageRoot, 'lanes.schema.json');

type JsonSchema = Record<string, unknown>;

/** Any string holding a ${VAR}: the loader expands it before zod sees the value. */
const envString: JsonSchema = {
  type: 'string',
  pattern: ENV_REF.source,
  description: 'a ${VAR} reference, read from the environment when lanes.yaml is loaded',
};

/**
 * A constrained string (pattern, format, enum) also accepts a ${VAR} reference, as the loader does.
 * Literal constants (`kind:`, `version:`) stay strict: they pick the lane shape.
 */
function allowEnvRef(schema: JsonSchema): void {
  if (schema.type !== 'string' || !('pattern' in schema || 'format' in schema || 'enum' in schema)) return;
  const original = { ...schema };
  for (const key of Object.keys(schema)) delete schema[key];
  schema.anyOf = [original, envString];
}

/**
 * The input side of the schema (what the file may say: fields with defaults are optional). What JSON
 * Schema cannot say is left out rather than refused (`unrepresentable: 'any'`): refinements (placeholder
 * checks in harness commands, HOME-relative paths, reserved harness ids) and transforms are checked by
 * the loader only, so an editor may accept a file the loader then refuses with a located message.
 */
export function lanesJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(manifestSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => allowEnvRef(ctx.jsonSchema as JsonSchema),
  }) as JsonSchema;
  return { ...schema, title: 'brainbench lanes.yaml', description: 'The inference servers ("lanes") brainbench can start, stop and benchmark.' };
}

/** The file's exact text: stable key order, two-space indent, trailing newline. */
export function lanesJsonSchemaText(): string {
  return `${JSON.stringify(lanesJsonSchema(), null, 2)}\n`;
}

if (isEntry(import.meta.url)) {
  writeFileSync(LANES_SCHEMA_FILE, lanesJsonSchemaText());
  console.log(`wrote ${LANES_SCHEMA_FILE}`);
}
