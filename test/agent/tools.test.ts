import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { READ_CAP_BYTES, WRITE_CAP_BYTES } from '../../src/agent/fileTools.js';
import { globToRegExp } from '../../src/agent/globPattern.js';
import { createToolbox } from '../../src/agent/tools.js';
import { tempDir } from '../helpers/tmp.js';

let base: string;
let root: string;

beforeEach(() => {
  base = tempDir('bb-tools-');
  root = join(base, 'scratch');
  mkdirSync(join(root, 'data', 'deep'), { recursive: true });
  writeFileSync(join(root, 'README.md'), '# Project\ncodename: ORION-7\n');
  writeFileSync(join(root, 'data', 'sales.csv'), 'id,amount\n1,100\n2,250\n');
  writeFileSync(join(root, 'data', 'deep', 'config.json'), '{"read_timeout_ms": 37000}\n');
  writeFileSync(join(root, 'data', 'blob.bin'), Buffer.from([0, 1, 2, 0x41, 0x41]));
  writeFileSync(join(base, 'outside.txt'), 'codename: SECRET\n');
  symlinkSync(base, join(root, 'up')); // a link out: never followed by glob or grep
});

const box = () => createToolbox(root, { shell: false });
const args = (value: unknown) => JSON.stringify(value);

describe('tool specs', () => {
  it('describes the file tools as OpenAI function tools, run_shell only with shell', () => {
    const specs = box().specs;
    expect(specs.map((s) => s.function.name)).toEqual(['list_files', 'read_file', 'glob', 'grep', 'write_file']);
    const read = specs.find((s) => s.function.name === 'read_file')!;
    expect(read.type).toBe('function');
    expect(read.function.parameters).toMatchObject({ type: 'object', properties: { path: { type: 'string' } }, required: ['path'] });
    expect(read.function.parameters).not.toHaveProperty('$schema');
    expect(createToolbox(root, { shell: true }).names).toContain('run_shell');
  });
});

describe('file tools', () => {
  it('list_files lists a directory, directories marked with / and links with @', async () => {
    expect(await box().call('list_files', '{}')).toEqual({ ok: true, content: 'README.md\ndata/\nup@', escape: false });
    expect((await box().call('list_files', args({ path: 'data' }))).content).toBe('blob.bin\ndeep/\nsales.csv');
    expect(await box().call('list_files', '')).toMatchObject({ ok: true }); // empty arguments = defaults
  });

  it('read_file returns the content, and an error for a missing file', async () => {
    expect(await box().call('read_file', args({ path: 'data/sales.csv' }))).toEqual({ ok: true, content: 'id,amount\n1,100\n2,250\n', escape: false });
    const missing = await box().call('read_file', args({ path: 'nope.txt' }));
    expect(missing).toMatchObject({ ok: false, escape: false });
    expect(missing.content).toBe("ERROR: no such file or directory: 'nope.txt'");
  });

  it('read_file caps big files and says so', async () => {
    writeFileSync(join(root, 'big.txt'), 'x'.repeat(READ_CAP_BYTES + 1000));
    const r = await box().call('read_file', args({ path: 'big.txt' }));
    expect(r.ok).toBe(true);
    expect(r.content.startsWith('x'.repeat(READ_CAP_BYTES) + '\n[truncated')).toBe(true);
    expect(r.content).toContain(`of ${READ_CAP_BYTES + 1000} bytes`);
  });

  it('glob matches with ** and *, does not descend through links out', async () => {
    expect((await box().call('glob', args({ pattern: '**/*.csv' }))).content).toBe('data/sales.csv');
    expect((await box().call('glob', args({ pattern: '**/*.{json,md}' }))).content).toBe('README.md\ndata/deep/config.json');
    expect((await box().call('glob', args({ pattern: '*.csv' }))).content).toBe("no files match '*.csv'");
    expect((await box().call('glob', args({ pattern: '**/outside.txt' }))).content).toBe("no files match '**/outside.txt'");
    expect(await box().call('glob', args({ pattern: '../*' }))).toMatchObject({ ok: false, escape: true });
    expect(await box().call('glob', args({ pattern: '/etc/*' }))).toMatchObject({ ok: false, escape: true });
  });

  it('glob patterns become anchored regular expressions', () => {
    expect(globToRegExp('**/*.csv').test('a/b/c.csv')).toBe(true);
    expect(globToRegExp('**/*.csv').test('c.csv')).toBe(true);
    expect(globToRegExp('*.csv').test('a/c.csv')).toBe(false);
    expect(globToRegExp('file?.[!a]x').test('file1.bx')).toBe(true);
    expect(globToRegExp('file?.[!a]x').test('file1.ax')).toBe(false);
    expect(globToRegExp('a.(b)+').test('a.(b)+')).toBe(true);
  });

  it('grep prints file:line:text, skips binaries and links out', async () => {
    const r = await box().call('grep', args({ pattern: 'codename' }));
    expect(r).toEqual({ ok: true, content: 'README.md:2:codename: ORION-7', escape: false });
    expect((await box().call('grep', args({ pattern: '(?i)ORION', path: 'README.md' }))).content).toBe('README.md:2:codename: ORION-7');
    expect((await box().call('grep', args({ pattern: 'AA', path: 'data' }))).content).toBe('no matches for /AA/ in data');
    expect((await box().call('grep', args({ pattern: ',\\d{3}$', path: 'data' }))).content).toBe('data/sales.csv:2:1,100\ndata/sales.csv:3:2,250');
    expect(await box().call('grep', args({ pattern: 'x', path: '..' }))).toMatchObject({ ok: false, escape: true });
    const bad = await box().call('grep', args({ pattern: '([' }));
    expect(bad.ok).toBe(false);
    expect(bad.content).toMatch(/^ERROR: invalid regular expression/);
  });

  it('write_file creates parents inside the root and caps the size', async () => {
    const r = await box().call('write_file', args({ path: 'out/new/answer.txt', content: 'héllo' }));
    expect(r).toEqual({ ok: true, content: 'wrote 6 bytes to out/new/answer.txt', escape: false });
    expect(readFileSync(join(root, 'out', 'new', 'answer.txt'), 'utf8')).toBe('héllo');
    await box().call('write_file', args({ path: 'out/new/answer.txt', content: 'hi' }));
    expect(readFileSync(join(root, 'out', 'new', 'answer.txt'), 'utf8')).toBe('hi');
    const big = await box().call('write_file', args({ path: 'big.txt', content: 'x'.repeat(WRITE_CAP_BYTES + 1) }));
    expect(big.ok).toBe(false);
    expect(big.content).toContain(`limit is ${WRITE_CAP_BYTES} bytes`);
  });
});

describe('bad calls', () => {
  it('an unknown tool lists the valid tool names', async () => {
    const r = await box().call('cat', '{}');
    expect(r.ok).toBe(false);
    expect(r.content).toBe("ERROR: unknown tool 'cat'. Valid tools: list_files, read_file, glob, grep, write_file");
    expect((await box().call('toString', '{}')).content).toMatch(/^ERROR: unknown tool/);
  });

  it('arguments that are not JSON list the expected arguments', async () => {
    const r = await box().call('read_file', '{"path": "README.md"');
    expect(r.ok).toBe(false);
    expect(r.content).toMatch(/^ERROR: arguments are not valid JSON .*read_file expects \{"path": string\}$/);
  });

  it('a schema mismatch names the field and lists the expected arguments', async () => {
    const r = await box().call('grep', args({ path: 3 }));
    expect(r.ok).toBe(false);
    expect(r.content).toMatch(/^ERROR: invalid arguments \(pattern: .*path: .*\)\. grep expects \{"pattern": string, "path": string \(optional\)\}$/);
  });

  it('injectFailure fails the first `times` well-formed calls of that tool only', async () => {
    const toolbox = createToolbox(root, { shell: false, injectFailure: { tool: 'read_file', times: 2 } });
    const call = () => toolbox.call('read_file', args({ path: 'README.md' }));
    expect((await toolbox.call('read_file', 'not json')).content).toMatch(/^ERROR: arguments are not valid JSON/);
    expect(await toolbox.call('list_files', '{}')).toMatchObject({ ok: true });
    expect(await call()).toEqual({ ok: false, content: 'ERROR: temporary failure, try again', escape: false });
    expect((await call()).ok).toBe(false);
    expect(await call()).toMatchObject({ ok: true, content: expect.stringContaining('ORION-7') });
    const custom = createToolbox(root, { shell: false, injectFailure: { tool: 'glob', times: 1, message: 'disk busy' } });
    expect((await custom.call('glob', args({ pattern: '*' }))).content).toBe('ERROR: disk busy');
  });
});

describe('unexpected failures', () => {
  it('an fs error inside a tool becomes an ERROR result instead of a rejection', async () => {
    const toolbox = box();
    rmSync(root, { recursive: true, force: true }); // the scratch folder vanished under the attempt
    const r = await toolbox.call('glob', JSON.stringify({ pattern: '**/*.txt' }));
    expect(r).toMatchObject({ ok: false, escape: false, content: expect.stringMatching(/^ERROR: glob failed: ENOENT/) });
  });
});
