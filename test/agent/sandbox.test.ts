import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from '../../src/agent/fileTools.js';
import { resolveInside } from '../../src/agent/sandbox.js';
import { tempDir } from '../helpers/tmp.js';

let base: string;
let root: string;
let outside: string;
const CANARY = 'canary: untouched';

beforeEach(() => {
  base = tempDir('bb-sandbox-');
  root = join(base, 'scratch');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'docs'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'docs', 'a.txt'), 'inside');
  writeFileSync(join(outside, 'secret.txt'), CANARY);
});

const canary = () => readFileSync(join(outside, 'secret.txt'), 'utf8');

describe('resolveInside', () => {
  it('accepts plain relative paths, "." and absolute paths already inside the root', () => {
    expect(resolveInside(root, 'docs/a.txt')).toEqual({ ok: true, path: join(root, 'docs', 'a.txt') });
    expect(resolveInside(root, '.')).toEqual({ ok: true, path: root });
    expect(resolveInside(root, join(root, 'docs'))).toEqual({ ok: true, path: join(root, 'docs') });
    expect(resolveInside(root, 'docs/../docs/new/deep.txt')).toEqual({ ok: true, path: join(root, 'docs', 'new', 'deep.txt') });
  });

  it.each(['../outside/secret.txt', '../../etc/passwd', 'docs/../../outside', '..'])('refuses %s as an escape', (p) => {
    const r = resolveInside(root, p);
    expect(r).toMatchObject({ ok: false, escape: true });
  });

  it.each(['/etc/passwd', '/proc/self/root/etc/passwd', '/proc/self/cwd'])('refuses absolute %s as an escape', (p) => {
    expect(resolveInside(root, p)).toMatchObject({ ok: false, escape: true });
  });

  it('refuses a symlink in the scratch that points out, and paths through it', () => {
    symlinkSync('/etc', join(root, 'etc-link'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link'));
    expect(resolveInside(root, 'etc-link/passwd')).toMatchObject({ ok: false, escape: true });
    expect(resolveInside(root, 'etc-link')).toMatchObject({ ok: false, escape: true });
    expect(resolveInside(root, 'secret-link')).toMatchObject({ ok: false, escape: true });
    expect(resolveInside(root, 'etc-link/new-file')).toMatchObject({ ok: false, escape: true });
  });

  it('refuses a symlink to /proc/self/root and a dangling link pointing out', () => {
    symlinkSync('/proc/self/root', join(root, 'proc-root'));
    symlinkSync(join(outside, 'not-yet.txt'), join(root, 'dangling'));
    expect(resolveInside(root, 'proc-root/etc/passwd')).toMatchObject({ ok: false, escape: true });
    expect(resolveInside(root, 'dangling')).toMatchObject({ ok: false, escape: true });
  });

  it('follows a symlink that stays inside', () => {
    symlinkSync('docs', join(root, 'docs-link'));
    expect(resolveInside(root, 'docs-link/a.txt')).toEqual({ ok: true, path: join(root, 'docs', 'a.txt') });
  });

  it('refuses hard links (a file with more than one link)', () => {
    linkSync(join(outside, 'secret.txt'), join(root, 'hard.txt'));
    expect(resolveInside(root, 'hard.txt')).toMatchObject({ ok: false, escape: true, reason: expect.stringContaining('hard link') });
  });

  it('refuses NUL bytes and very long paths without counting an escape', () => {
    expect(resolveInside(root, 'docs/a.txt\0../../etc/passwd')).toMatchObject({ ok: false, escape: false });
    expect(resolveInside(root, 'a/'.repeat(2100))).toMatchObject({ ok: false, escape: false, reason: expect.stringContaining('4096') });
  });

  it('accepts odd unicode names that stay inside', () => {
    const name = 'données/ﬁchier‮txt.ℌ';
    const r = resolveInside(root, name);
    expect(r).toEqual({ ok: true, path: join(root, name) });
  });

  it('works when the root itself is reached through a symlink', () => {
    const linkRoot = join(base, 'root-link');
    symlinkSync(root, linkRoot);
    expect(resolveInside(linkRoot, 'docs/a.txt')).toEqual({ ok: true, path: join(root, 'docs', 'a.txt') });
    expect(resolveInside(linkRoot, join(linkRoot, 'docs'))).toEqual({ ok: true, path: join(root, 'docs') });
    expect(resolveInside(linkRoot, '../outside')).toMatchObject({ ok: false, escape: true });
  });
});

describe('file tools never touch what is outside', () => {
  it('writes through escapes leave the canary untouched and create nothing outside', async () => {
    symlinkSync(outside, join(root, 'out-dir'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'out-file'));
    linkSync(join(outside, 'secret.txt'), join(root, 'hard.txt'));
    const attempts = ['../outside/secret.txt', join(outside, 'secret.txt'), 'out-dir/secret.txt', 'out-dir/new.txt', 'out-file', 'hard.txt'];
    for (const p of attempts) {
      const r = await writeFile(root, p, 'pwned');
      expect(r.ok, p).toBe(false);
      expect(r.content).toMatch(/^ERROR: /);
      expect(r.escape, p).toBe(true);
    }
    expect(canary()).toBe(CANARY);
    expect(() => readFileSync(join(outside, 'new.txt'))).toThrow();
  });

  it('reads through escapes return errors, never the secret', async () => {
    symlinkSync(join(outside, 'secret.txt'), join(root, 'out-file'));
    linkSync(join(outside, 'secret.txt'), join(root, 'hard.txt'));
    for (const p of ['../outside/secret.txt', 'out-file', 'hard.txt', '/proc/self/root' + join(outside, 'secret.txt')]) {
      const r = await readFile(root, p);
      expect(r.ok).toBe(false);
      expect(r.escape).toBe(true);
      expect(r.content).not.toContain('canary');
    }
  });
});
