// A prompt suite's files and scratch/ tree are untrusted input: a FIFO, device or socket is refused
// with the file and the reason and never opened (a FIFO used to hang loading for good). Links inside
// scratch/ stay allowed (escape fixtures; hashed by target, never followed: scratch.test.ts).
// Loads that could block run in a child process.
import { execFileSync } from 'node:child_process';
import { rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SuiteError } from '../../src/suite/errors.js';
import { loadSuite } from '../../src/suite/load.js';
import { hashTree } from '../../src/suite/scratch.js';
import { loadInChild } from '../helpers/loadInChild.js';
import { jsonl, tmpTree } from './tmp.js';

const CHILD_TEST_MS = 90_000;
const prompt = { id: 'p1', prompt: 'Read notes/a.txt.', check: { kind: 'substring', all: ['x'] } };
const suiteDir = () => tmpTree({ 'prompts.jsonl': jsonl(prompt), 'scratch/notes/a.txt': 'x\n' });

async function refusal(dir: string): Promise<string> {
  const result = await loadInChild('prompts', dir);
  expect(result.timedOut, 'loading blocked').toBe(false);
  expect(result, result.output).toMatchObject({ loaded: false, name: 'UnsafeFileError' });
  return result.message!;
}

describe('hostile prompt-suite files', () => {
  it('a FIFO in scratch/ is refused with the file and the reason; loading returns', async () => {
    const dir = suiteDir();
    execFileSync('mkfifo', [join(dir, 'scratch/notes/b.txt')]);
    expect(await refusal(dir)).toMatch(/scratch\/notes\/b\.txt: a FIFO: only regular files, folders and links are allowed; refused unopened/);
  }, CHILD_TEST_MS);

  it('prompts.jsonl as a FIFO, or as a link to /dev/zero, is refused unopened', async () => {
    const dir = suiteDir();
    rmSync(join(dir, 'prompts.jsonl'));
    execFileSync('mkfifo', [join(dir, 'prompts.jsonl')]);
    expect(await refusal(dir)).toMatch(/prompts\.jsonl: a FIFO/);
    const zero = suiteDir();
    rmSync(join(zero, 'prompts.jsonl'));
    symlinkSync('/dev/zero', join(zero, 'prompts.jsonl'));
    expect(await refusal(zero)).toMatch(/prompts\.jsonl: a character device/);
  }, CHILD_TEST_MS);

  it('a socket in scratch/ is refused by hashTree', async () => {
    const dir = suiteDir();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'scratch/agent.sock'), resolve));
    try {
      expect(() => hashTree(join(dir, 'scratch'))).toThrow(SuiteError);
      expect(() => hashTree(join(dir, 'scratch'))).toThrow(/scratch\/agent\.sock: a socket/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('scratch/ itself as a link (to a host folder) is refused', async () => {
    const dir = tmpTree({ 'prompts.jsonl': jsonl(prompt) });
    symlinkSync(tmpTree({ 'secret.txt': 'host\n' }), join(dir, 'scratch'));
    await expect(loadSuite(dir)).rejects.toThrow(/scratch: expected scratch\/ to be a directory of fixture files \(not a link\)/);
  });
});
