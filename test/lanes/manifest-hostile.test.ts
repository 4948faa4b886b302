// A lanes.yaml that is hostile or broken in any way is refused with an error that names the file
// (and the line where there is one), never a bare library exception or a hang (issue 19).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, ManifestError, MAX_MANIFEST_BYTES } from '../../src/lanes/manifest.js';
import { tempDir, writeManifest } from './helpers.js';

async function refusal(file: string): Promise<ManifestError> {
  const err = await loadManifest(file, {}).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ManifestError);
  const e = err as ManifestError;
  expect(e.message.split('\n')[0]).toContain(`${file}:${e.line}:${e.column}: `);
  return e;
}

/** Nine aliases of nine aliases …: a few hundred bytes that expand to 10^9 nodes. */
function aliasBomb(): string {
  const lines = ['version: 1', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  return [...lines, 'lanes: []', ''].join('\n');
}

describe('lanes.yaml parse failures name the file', () => {
  it('an alias bomb is refused at its first alias, with what was wrong', async () => {
    const e = await refusal(writeManifest(aliasBomb()));
    expect([e.line, e.field]).toEqual([3, '(yaml syntax)']);
    expect(e.message).toMatch(/alias bomb.*Excessive alias count/);
  });

  it('a duplicate key and a tab indent: file, line and what', async () => {
    const dup = await refusal(writeManifest('version: 1\nversion: 1\nlanes: []\n'));
    expect([dup.line, dup.message]).toEqual([2, expect.stringMatching(/unique/)]);
    const tab = await refusal(writeManifest('version: 1\nlanes:\n\t- id: a\n'));
    expect([tab.line, tab.message]).toEqual([3, expect.stringMatching(/Tabs/)]);
  });

  it('a binary file, an empty file, a 50 MB file', async () => {
    const dir = tempDir();
    const binary = join(dir, 'binary.yaml');
    writeFileSync(binary, Buffer.from([0x76, 0x3a, 0x20, 0x31, 0x0a, 0x00, 0xff, 0xfe]));
    expect((await refusal(binary)).expected).toMatch(/looks binary: a NUL byte at offset 5/);
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.from('version: 1 # caf\xe9\n', 'latin1'));
    expect((await refusal(latin1)).expected).toMatch(/not UTF-8/);
    expect((await refusal(writeManifest(' \n\n'))).expected).toMatch(/the file is empty/);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, '#'.repeat(50 * 1024 ** 2));
    expect((await refusal(big)).expected).toMatch(new RegExp(`at most ${MAX_MANIFEST_BYTES / 1024} KB .*50\\.0 MB`));
  });

  it('a FIFO or a folder is refused, not waited on', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'lanes.yaml');
    execFileSync('mkfifo', [fifo]);
    expect((await refusal(fifo)).expected).toMatch(/regular file/);
    expect((await refusal(dir)).expected).toMatch(/regular file/);
  });
});
