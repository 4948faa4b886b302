// lanes.schema.json (for editors) is generated from the loader's zod schema and committed: it must be
// current, accept the shipped lanes.yaml, and refuse what the loader refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LANES_SCHEMA_FILE, lanesJsonSchema, lanesJsonSchemaText } from '../../src/lanes/jsonSchema.js';
import { manifestSchema } from '../../src/lanes/schema.js';
import { packageRoot } from '../../src/paths.js';

// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is typed as the
// module object, and at run time it is either that object or the function.
const formatsExport = addFormatsModule as unknown as FormatsPlugin | { default: FormatsPlugin };
const addFormats: FormatsPlugin = 'default' in formatsExport ? formatsExport.default : formatsExport;

const shipped = readFileSync(join(packageRoot, 'lanes.yaml'), 'utf8');

function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(LANES_SCHEMA_FILE, 'utf8')) as object);
}

const lane = (fields: string) => `version: 1\nlanes:\n  - id: a\n${fields}`;

describe('lanes.schema.json', () => {
  it('is what the loader schema generates now (run `npm run schema` after changing src/lanes/schema.ts)', () => {
    expect(readFileSync(LANES_SCHEMA_FILE, 'utf8')).toBe(lanesJsonSchemaText());
    expect(lanesJsonSchema().$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('the shipped lanes.yaml points editors at it and validates against it', () => {
    expect(shipped.split('\n')[0]).toBe('# yaml-language-server: $schema=./lanes.schema.json');
    const validate = validator();
    expect(validate(parse(shipped)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('accepts ${VAR} in constrained strings, as the loader expands it before validating', () => {
    const doc = parse(lane('    kind: openai\n    base_url: "${BASE_URL}"\n    api_key: "${KEY}"\n  - id: "${DEMO_ID}"\n    kind: demo\n    brain: "${BRAIN}"\n'));
    const validate = validator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  const bad: Array<[string, string]> = [
    ['a port given as a string', lane('    kind: llamacpp\n    model: m.gguf\n    port: "8080"\n')],
    ['a llamacpp lane without model', lane('    kind: llamacpp\n    port: 8080\n')],
    ['an unknown kind', lane('    kind: ollama\n    port: 8080\n')],
    ['a misspelt field', lane('    kind: demo\n    tok_per_second: 50\n')],
    ['a bad lane id', lane('    kind: demo\n').replace('id: a', 'id: "-a b"')],
    ['an unknown brain', lane('    kind: demo\n    brain: genius\n')],
    ['a ${VAR} in a number field', lane('    kind: llamacpp\n    model: m.gguf\n    port: "${PORT}"\n')],
    ['version 2', 'version: 2\nlanes:\n  - id: a\n    kind: demo\n'],
    ['no lanes', 'version: 1\nlanes: []\n'],
  ];
  it.each(bad)('refuses %s, as the loader does', (_what, text) => {
    const doc: unknown = parse(text);
    expect(validator()(doc)).toBe(false);
    expect(manifestSchema.safeParse(doc).success).toBe(false);
  });
});
