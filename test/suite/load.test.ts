import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSuite } from '../../src/suite/load.js';
import { EMPTY_TREE_HASH, hashTree } from '../../src/suite/scratch.js';
import { jsonl, tmpTree } from './tmp.js';

const minimal = { id: 'p1', prompt: 'What is the codename?', check: { kind: 'substring', all: ['{{codename}}'] } };
const groundTruth = JSON.stringify({ codename: 'ORION-7', join: { grand_total: 16950 }, budget: { display: '42,000' }, version: '2.5' });

function sha256(...buffers: Buffer[]): string {
  const hash = createHash('sha256');
  for (const b of buffers) hash.update(b);
  return hash.digest('hex');
}

describe('loadSuite shapes', () => {
  it('loads the published JSON object shape with prompt lines and sibling ground truth', async () => {
    const text = [
      '{',
      '  "suite": "hermes-brain-v0.1",',
      '  "notes": "published",',
      '  "prompts": [',
      `    ${JSON.stringify(minimal)},`,
      '    {',
      '      "id": "p2",',
      '      "prompt": "Total?",',
      '      "check": {"kind": "numeric", "value": "{{join.grand_total}}"}',
      '    }',
      '  ]',
      '}',
    ].join('\n');
    const dir = tmpTree({ 'suite.json': text, 'ground_truth.json': groundTruth, 'scratch/a.txt': 'x' });
    const suite = await loadSuite(join(dir, 'suite.json'));
    expect(suite.name).toBe('hermes-brain-v0.1');
    expect(suite.notes).toBe('published');
    expect(suite.path).toBe(join(dir, 'suite.json'));
    expect(suite.prompts.map((p) => [p.id, p.source.line])).toEqual([
      ['p1', 5],
      ['p2', 6],
    ]);
    expect(suite.prompts[0]!.check).toEqual({ kind: 'substring', all: ['ORION-7'] });
    expect(suite.prompts[1]!.check).toEqual({ kind: 'numeric', value: 16950 });
    expect(suite.scratchDir).toBe(join(dir, 'scratch'));
    expect(suite.hash).toBe(sha256(readFileSync(join(dir, 'suite.json')), readFileSync(join(dir, 'ground_truth.json'))));
  });

  it('finds prompt lines in a tab-indented JSON file', async () => {
    const text = `{\n\t"suite": "tabs",\n\t"prompts": [\n\t\t{"id": "a", "prompt": "x", "check": {"kind": "honesty"}},\n\t\t{"id": "b", "prompt": "y", "check": {"kind": "honesty"}}\n\t]\n}\n`;
    const dir = tmpTree({ 'tabs.json': text });
    const suite = await loadSuite(join(dir, 'tabs.json'));
    expect(suite.prompts.map((p) => p.source.line)).toEqual([4, 5]);
  });

  it('loads the published directory shape data/train.jsonl + ground_truth.json + scratch/', async () => {
    const dir = tmpTree({
      'hermes/data/train.jsonl': jsonl(minimal),
      'hermes/ground_truth.json': groundTruth,
      'hermes/scratch/notes/project.md': 'The codename is ORION-7.\n',
    });
    const suite = await loadSuite(join(dir, 'hermes'));
    expect(suite.name).toBe('hermes');
    expect(suite.prompts[0]!.source).toEqual({ file: join(dir, 'hermes/data/train.jsonl'), line: 1 });
    expect(suite.scratchDir).toBe(join(dir, 'hermes/scratch'));
    expect(suite.fixtureHash).toBe(hashTree(join(dir, 'hermes/scratch')));
    expect(suite.groundTruth).toEqual(JSON.parse(groundTruth));
  });

  it('loads a bare .jsonl file: name from the file, no ground truth, empty scratch', async () => {
    const dir = tmpTree({
      'quick-check.jsonl': '\n' + jsonl({ id: 'q1', prompt: 'Say hi', check: { kind: 'regex', all: ['hi'] } }),
      'ground_truth.json': groundTruth,
    });
    const suite = await loadSuite(join(dir, 'quick-check.jsonl'));
    expect(suite.name).toBe('quick-check');
    expect(suite.groundTruth).toEqual({});
    expect(suite.scratchDir).toBeUndefined();
    expect(suite.fixtureHash).toBe(EMPTY_TREE_HASH);
    expect(suite.prompts[0]!.source.line).toBe(2);
    expect(suite.hash).toBe(sha256(readFileSync(join(dir, 'quick-check.jsonl'))));
  });

  it("loads brainbench's own directory shape with suite.json", async () => {
    const dir = tmpTree({
      'mine/prompts.jsonl': jsonl(minimal),
      'mine/ground_truth.json': groundTruth,
      'mine/suite.json': JSON.stringify({ name: 'my-suite', notes: 'n', sampling: { temperature: 0.2, seed: 7 } }),
    });
    const suite = await loadSuite(join(dir, 'mine'));
    expect(suite.name).toBe('my-suite');
    expect(suite.sampling).toEqual({ temperature: 0.2, seed: 7 });
    expect(suite.scratchDir).toBeUndefined();
    expect(suite.fixtureHash).toBe(EMPTY_TREE_HASH);
  });

  it('changes the hash when the ground truth changes', async () => {
    const a = tmpTree({ 'prompts.jsonl': jsonl(minimal), 'ground_truth.json': groundTruth });
    const b = tmpTree({ 'prompts.jsonl': jsonl(minimal), 'ground_truth.json': JSON.stringify({ codename: 'VEGA-3' }) });
    expect((await loadSuite(a)).hash).not.toBe((await loadSuite(b)).hash);
  });
});

describe('prompt fields', () => {
  it('applies defaults and keeps unknown fields in extra', async () => {
    const dir = tmpTree({ 'prompts.jsonl': jsonl({ ...minimal, difficulty: 'easy', tags: ['a'] }), 'ground_truth.json': groundTruth });
    const [prompt] = (await loadSuite(dir)).prompts;
    expect(prompt).toMatchObject({ category: 'general', core: true, vibe: false, expect_tool_any: [] });
    expect(prompt!.conditional).toBeUndefined();
    expect(prompt!.extra).toEqual({ difficulty: 'easy', tags: ['a'] });
  });

  it('reads every brainbench extension', async () => {
    const declared = {
      id: 'p1',
      prompt: 'Count the errors.',
      category: 'tool_args',
      core: false,
      conditional: 'shell',
      vibe: true,
      expect_tool_any: ['grep'],
      expect_tools_all: ['grep', 'read_file'],
      tool_args_schema: { grep: { path: '^logs/' } },
      inject_tool_failure: { tool: 'read_file', times: 1 },
      turn_budget: 6,
      note: 'why',
    };
    const row = { ...declared, check: { kind: 'honesty' }, conditional_extra: null };
    const dir = tmpTree({ 'prompts.jsonl': jsonl(row), 'ground_truth.json': groundTruth });
    const [prompt] = (await loadSuite(dir)).prompts;
    expect(prompt).toMatchObject(declared);
    expect(prompt!.extra).toEqual({ conditional_extra: null });
  });

  it('reads null in a known optional field as absent', async () => {
    const dir = tmpTree({ 'p.jsonl': jsonl({ id: 'a', prompt: 'x', check: { kind: 'honesty' }, conditional: null, note: null }) });
    const [prompt] = (await loadSuite(join(dir, 'p.jsonl'))).prompts;
    expect('conditional' in prompt!).toBe(false);
    expect('note' in prompt!).toBe(false);
  });

  it('resolves placeholders in any/all/keys and a numeric value, dotted keys included', async () => {
    const rows = [
      { id: 'a', prompt: 'x', check: { kind: 'substring', any: ['{{budget.display}}', 'total {{ join.grand_total }}'] } },
      { id: 'b', prompt: 'x', check: { kind: 'json_keys', keys: ['{{codename}}'] } },
      { id: 'c', prompt: 'x', check: { kind: 'numeric', value: '{{join.grand_total}}', tolerance: 1 } },
      { id: 'd', prompt: 'x', check: { kind: 'regex', all: ['budget \\$?{{budget.display}}', 'v{{version}}'] } },
    ];
    const dir = tmpTree({ 'prompts.jsonl': jsonl(...rows), 'ground_truth.json': groundTruth });
    const checks = (await loadSuite(dir)).prompts.map((p) => p.check);
    expect(checks).toEqual([
      { kind: 'substring', any: ['42,000', 'total 16950'] },
      { kind: 'json_keys', keys: ['ORION-7'] },
      { kind: 'numeric', value: 16950, tolerance: 1 },
      // Values go into patterns escaped, so they match literally.
      { kind: 'regex', all: ['budget \\$?42,000', 'v2\\.5'] },
    ]);
  });
});
