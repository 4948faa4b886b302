import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBrainV1 } from '../../fixtures/brain-v1/generate.js';
import { builtinSuitesDir } from '../../src/paths.js';
import { copyScratch, EMPTY_TREE_HASH, hashTree } from '../../src/suite/scratch.js';
import type { Suite } from '../../src/types.js';
import { tmpTree } from './tmp.js';

const brainV1 = join(builtinSuitesDir, 'brain-v1');
/** Pinned: a change to the brain-v1 scratch tree must be deliberate (regenerate, update here). */
const BRAIN_V1_FIXTURE_HASH = '7947ca1bbc2d83d03ac0dcc3d554a07f3362a51d4a6f90711ef0ae21da8fd6f9';

function suiteWith(scratchDir: string | undefined): Suite {
  return { name: 's', path: '/s', hash: '', prompts: [], groundTruth: {}, fixtureHash: '', sampling: {}, ...(scratchDir && { scratchDir }) };
}

describe('hashTree', () => {
  it('pins the committed brain-v1 scratch tree', () => {
    expect(hashTree(join(brainV1, 'scratch'))).toBe(BRAIN_V1_FIXTURE_HASH);
  });

  it('depends on content and paths, not on creation order', () => {
    const a = tmpTree({ 'b/two.txt': '2', 'a.txt': '1' });
    const b = tmpTree({ 'a.txt': '1', 'b/two.txt': '2' });
    expect(hashTree(a)).toBe(hashTree(b));
    writeFileSync(join(b, 'a.txt'), '1 ');
    expect(hashTree(a)).not.toBe(hashTree(b));
    const renamed = tmpTree({ 'b/two.txt': '2', 'a2.txt': '1' });
    expect(hashTree(renamed)).not.toBe(hashTree(a));
  });

  it('counts empty directories and symlink targets', () => {
    const plain = tmpTree({ 'a.txt': '1' });
    const withDir = tmpTree({ 'a.txt': '1', 'empty/.keep': '' });
    expect(hashTree(withDir)).not.toBe(hashTree(plain));
    const linkA = tmpTree({ 'a.txt': '1' });
    const linkB = tmpTree({ 'a.txt': '1' });
    symlinkSync('a.txt', join(linkA, 'l'));
    symlinkSync('/etc/passwd', join(linkB, 'l'));
    expect(hashTree(linkA)).not.toBe(hashTree(linkB));
  });

  it('hashes an empty tree as sha256 of nothing', () => {
    expect(hashTree(tmpTree())).toBe(EMPTY_TREE_HASH);
    expect(EMPTY_TREE_HASH).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('copyScratch', () => {
  it('gives a fresh copy, replacing what an earlier attempt left', async () => {
    const src = tmpTree({ 'notes/a.md': 'hello', 'data/b.csv': 'x,y\n' });
    symlinkSync('../notes/a.md', join(src, 'data/link'));
    const dest = join(tmpTree({ 'attempt/leftover.txt': 'old' }), 'attempt');
    await copyScratch(suiteWith(src), dest);
    expect(existsSync(join(dest, 'leftover.txt'))).toBe(false);
    expect(hashTree(dest)).toBe(hashTree(src));
    writeFileSync(join(dest, 'notes/a.md'), 'changed by the model');
    expect(readFileSync(join(src, 'notes/a.md'), 'utf8')).toBe('hello');
  });

  it('makes an empty directory when the suite has no scratch', async () => {
    const dest = join(tmpTree(), 'attempt');
    await copyScratch(suiteWith(undefined), dest);
    expect(readdirSync(dest)).toEqual([]);
  });
});

describe('brain-v1 generator', () => {
  it('regenerates byte-identical files', async () => {
    const out = tmpTree();
    await writeBrainV1(out, join(brainV1, 'prompts.jsonl'));
    expect(hashTree(join(out, 'scratch'))).toBe(BRAIN_V1_FIXTURE_HASH);
    for (const file of ['ground_truth.json', 'solutions.json']) {
      expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(brainV1, file), 'utf8'));
    }
  });
});
