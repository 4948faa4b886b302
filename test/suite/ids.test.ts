// Names are data (DESIGN §5): a prompt id names transcript and scratch files, so an id that could
// leave its folder is refused at load, with file, line and field, in every suite shape.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SuiteError } from '../../src/suite/errors.js';
import { loadSuite } from '../../src/suite/load.js';
import { isPromptId } from '../../src/suite/schema.js';
import { jsonl, tmpTree } from './tmp.js';

const ok = (id: string) => ({ id, prompt: `prompt ${id}`, check: { kind: 'honesty' } });
const TRAVERSAL = '../../../../tmp/x/data';

async function loadError(path: string): Promise<SuiteError> {
  const err = await loadSuite(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SuiteError);
  return err as SuiteError;
}

describe('prompt ids are checked at load', () => {
  it('a traversal id in the published directory shape (data/train.jsonl) is refused with file, line and field', async () => {
    const dir = tmpTree({ 'data/train.jsonl': jsonl(ok('p1_read_grounding'), ok(TRAVERSAL)) });
    const err = await loadError(dir);
    expect(err).toMatchObject({ file: join(dir, 'data', 'train.jsonl'), line: 2, field: 'id' });
    expect(err.message).toMatch(/train\.jsonl:2: field 'id': id '\.\.\/\.\.\/\.\.\/\.\.\/tmp\/x\/data' is not allowed/);
  });

  it('in the JSON object shape, on the line of the offending prompt', async () => {
    const text = ['{', '  "suite": "s",', '  "prompts": [', `    ${JSON.stringify(ok('a'))},`, `    ${JSON.stringify(ok('..'))}`, '  ]', '}'].join('\n');
    const dir = tmpTree({ 's.json': text });
    const err = await loadError(join(dir, 's.json'));
    expect(err).toMatchObject({ file: join(dir, 's.json'), line: 5, field: 'id' });
  });

  it('in a plain .jsonl file, without echoing control characters', async () => {
    const dir = tmpTree({ 'p.jsonl': jsonl(ok('a'), ok('b'), ok('evil\u001b]0;title\u0007\nid')) });
    const err = await loadError(join(dir, 'p.jsonl'));
    expect(err).toMatchObject({ line: 3, field: 'id' });
    // eslint-disable-next-line no-control-regex -- the point of the test
    expect(err.message).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it.each(['', '.', '..', 'a/b', 'a\\b', 'a b', 'x'.repeat(129), 'a\nb', 'é'])('refuses %j', (id) => {
    expect(isPromptId(id)).toBe(false);
  });

  it.each(['p1_read_grounding', 'a.b-c:d', 'x'.repeat(128), '...', 'v0.1'])('accepts %j', (id) => {
    expect(isPromptId(id)).toBe(true);
  });

  it('the published Hermes-style ids and the built-in suite load unchanged', async () => {
    const dir = tmpTree({ 'data/train.jsonl': jsonl(ok('p1_read_grounding'), ok('p8_disambiguation_units')) });
    expect((await loadSuite(dir)).prompts.map((p) => p.id)).toEqual(['p1_read_grounding', 'p8_disambiguation_units']);
    expect((await loadSuite(join(import.meta.dirname, '../../fixtures/brain-v1'))).prompts.length).toBeGreaterThan(5);
  });
});

describe('invalid JSON in a suite file', () => {
  it('is shown at its line with the source line and a caret', async () => {
    const text = ['{', '  "suite": "s",', '  "prompts": [', '    {"id": "a", "prompt": "x",, "check": {"kind": "honesty"}}', '  ]', '}'].join('\n');
    const dir = tmpTree({ 's.json': text });
    const err = await loadError(join(dir, 's.json'));
    expect(err.line).toBe(4);
    const lines = err.message.split('\n');
    expect(lines[1]).toBe(`  4 | ${text.split('\n')[3]}`);
    expect(lines[2]).toMatch(/^ {4}\| +\^$/);
  });
});
