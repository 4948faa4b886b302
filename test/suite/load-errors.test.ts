import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SuiteError } from '../../src/suite/errors.js';
import { loadSuite } from '../../src/suite/load.js';
import { jsonl, tmpTree } from './tmp.js';

const ok = (id: string) => ({ id, prompt: `prompt ${id}`, check: { kind: 'honesty' } });

async function loadError(path: string): Promise<SuiteError> {
  const err = await loadSuite(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SuiteError);
  return err as SuiteError;
}

/** A built-in-shape suite whose prompts.jsonl has `rows` (objects or raw lines). */
async function promptsError(rows: unknown[], groundTruth?: object) {
  const text = rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
  const dir = tmpTree({
    'prompts.jsonl': text,
    ...(groundTruth && { 'ground_truth.json': JSON.stringify(groundTruth) }),
  });
  return { err: await loadError(dir), file: join(dir, 'prompts.jsonl') };
}

describe('malformed prompts name file, line and field', () => {
  it('invalid JSON on a line', async () => {
    const { err, file } = await promptsError([ok('a'), ok('b'), '{"id": "c", "prompt": ']);
    expect(err).toMatchObject({ file, line: 3, field: undefined });
    expect(err.message).toMatch(/prompts\.jsonl:3: invalid JSON: /);
  });

  it('duplicate id, naming the first line', async () => {
    const { err, file } = await promptsError([ok('a'), ok('b'), ok('c'), ok('b')]);
    expect(err).toMatchObject({ file, line: 4, field: 'id' });
    expect(err.message).toMatch(/prompts\.jsonl:4: field 'id': duplicate id 'b' \(first defined on line 2\)$/);
  });

  it('missing id', async () => {
    const { err, file } = await promptsError([ok('a'), { prompt: 'x', check: { kind: 'honesty' } }]);
    expect(err).toMatchObject({ file, line: 2, field: 'id' });
    expect(err.message).toMatch(/:2: field 'id': required field is missing$/);
  });

  it('missing prompt', async () => {
    const { err, file } = await promptsError([{ id: 'a', check: { kind: 'honesty' } }]);
    expect(err).toMatchObject({ file, line: 1, field: 'prompt' });
  });

  it('a field of the wrong type', async () => {
    const { err } = await promptsError([{ ...ok('a'), core: 'yes' }]);
    expect(err).toMatchObject({ line: 1, field: 'core' });
    expect(err.message).toMatch(/field 'core': expected boolean, received string$/);
  });

  it('unknown check kind, listing the kinds', async () => {
    const { err, file } = await promptsError([ok('a'), ok('b'), ok('c'), ok('d'), ok('e'), ok('f'), { id: 'g', prompt: 'x', check: { kind: 'subtring', all: ['x'] } }]);
    expect(err).toMatchObject({ file, line: 7, field: 'check.kind' });
    expect(err.message).toMatch(
      /prompts\.jsonl:7: field 'check\.kind': unknown check kind 'subtring' \(expected one of substring, json_keys, regex, honesty, numeric\)$/,
    );
  });

  it('substring with any and all both empty', async () => {
    const { err } = await promptsError([{ id: 'a', prompt: 'x', check: { kind: 'substring', any: [], all: [] } }]);
    expect(err).toMatchObject({ line: 1, field: 'check' });
    expect(err.message).toContain("substring check needs at least one term in 'any' or 'all'");
  });

  it('unresolved placeholder, named', async () => {
    const row = { id: 'a', prompt: 'x', check: { kind: 'substring', all: ['ok', '{{budget.totl}}'] } };
    const { err } = await promptsError([ok('z'), row], { budget: { total: 1 } });
    expect(err).toMatchObject({ line: 2, field: 'check.all[1]' });
    expect(err.message).toContain("unresolved placeholder '{{budget.totl}}'");
  });

  it('unresolved placeholder in a suite without ground truth says so', async () => {
    const { err } = await promptsError([{ id: 'a', prompt: 'x', check: { kind: 'numeric', value: '{{total}}' } }]);
    expect(err).toMatchObject({ line: 1, field: 'check.value' });
    expect(err.message).toMatch(/unresolved placeholder '\{\{total\}\}'.*no ground_truth\.json/);
  });

  it('a placeholder that resolves to an object', async () => {
    const { err } = await promptsError([{ id: 'a', prompt: 'x', check: { kind: 'json_keys', keys: ['{{budget}}'] } }], { budget: { total: 1 } });
    expect(err).toMatchObject({ line: 1, field: 'check.keys[0]' });
    expect(err.message).toContain('resolves to object');
  });

  it('invalid regex in a check', async () => {
    const { err } = await promptsError([ok('a'), { id: 'b', prompt: 'x', check: { kind: 'regex', all: ['ok', 'def f(('] } }]);
    expect(err).toMatchObject({ line: 2, field: 'check.all[1]' });
    expect(err.message).toContain("invalid regex 'def f(('");
  });

  it('invalid regex in tool_args_schema', async () => {
    const { err } = await promptsError([{ ...ok('a'), tool_args_schema: { grep: { path: '[logs' } } }]);
    expect(err).toMatchObject({ line: 1, field: 'tool_args_schema.grep.path' });
  });

  it('the line of the offending prompt object in the JSON object shape', async () => {
    const text = ['{', '  "suite": "s",', '  "prompts": [', `    ${JSON.stringify(ok('a'))},`, '    {', '      "id": "b",', '      "prompt": "x",', '      "check": {"kind": "numeric"}', '    }', '  ]', '}'].join('\n');
    const dir = tmpTree({ 's.json': text });
    const err = await loadError(join(dir, 's.json'));
    expect(err).toMatchObject({ file: join(dir, 's.json'), line: 5, field: 'check.value' });
  });

  it('invalid JSON in the JSON object shape, with its line', async () => {
    const dir = tmpTree({ 's.json': '{\n  "suite": "s",\n  "prompts": [\n    {"id": "a",, }\n  ]\n}\n' });
    const err = await loadError(join(dir, 's.json'));
    expect(err.line).toBe(4);
    expect(err.message).toContain('invalid JSON');
  });

  it('a JSON object without prompts', async () => {
    const dir = tmpTree({ 's.json': '{"suite": "s"}' });
    const err = await loadError(join(dir, 's.json'));
    expect(err).toMatchObject({ field: 'prompts' });
  });
});

describe('missing files', () => {
  it('a path that does not exist', async () => {
    const path = join(tmpTree(), 'nope');
    const err = await loadError(path);
    expect(err.file).toBe(path);
    expect(err.message).toContain('no such file or directory');
    expect(err.message).toContain('data/train.jsonl');
  });

  it('a directory with no prompts file', async () => {
    const dir = tmpTree({ 'ground_truth.json': '{}' });
    const err = await loadError(dir);
    expect(err.message).toContain('no prompts.jsonl or data/train.jsonl in this directory');
  });

  it('a scratch that is a file, not a directory', async () => {
    const dir = tmpTree({ 'prompts.jsonl': jsonl(ok('a')), scratch: 'oops' });
    const err = await loadError(dir);
    expect(err.file).toBe(join(dir, 'scratch'));
  });

  it('ground truth that is not an object', async () => {
    const dir = tmpTree({ 'prompts.jsonl': jsonl(ok('a')), 'ground_truth.json': '[1, 2]' });
    const err = await loadError(dir);
    expect(err.file).toBe(join(dir, 'ground_truth.json'));
  });

  it('a suite with no prompts', async () => {
    const dir = tmpTree({ 'empty.jsonl': '\n' });
    const err = await loadError(join(dir, 'empty.jsonl'));
    expect(err.message).toContain('no prompts');
  });
});

describe('missing check fields', () => {
  it('a check without kind reads as missing, not as an unknown kind', async () => {
    const { err } = await promptsError([{ id: 'a', prompt: 'x', check: { all: ['x'] } }]);
    expect(err).toMatchObject({ line: 1, field: 'check.kind' });
    expect(err.message).toMatch(/field 'check\.kind': required field is missing$/);
  });

  it('a prompt without check', async () => {
    const { err } = await promptsError([{ id: 'a', prompt: 'x' }]);
    expect(err).toMatchObject({ line: 1, field: 'check' });
  });
});
