// src/os/safeRead.ts on the host: each rule, and the read never blocks or follows a link.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeReadFile } from '../../src/os/safeRead.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'host-secret-9d2b7a';

function tree() {
  const root = tempDir('bb-saferead-');
  const secret = join(tempDir('bb-saferead-host-'), 'secret');
  writeFileSync(secret, SECRET);
  mkdirSync(join(root, 'logs'));
  return { root, secret, logs: join(root, 'logs') };
}

describe('safeReadFile', () => {
  it('reads a regular file up to its cap', () => {
    const { root, logs } = tree();
    writeFileSync(join(logs, 'a'), '0.75\n');
    expect(safeReadFile(join(logs, 'a'), { maxBytes: 16, within: root })).toEqual({ ok: true, text: '0.75\n', truncated: false });
    writeFileSync(join(logs, 'big'), 'x'.repeat(100));
    expect(safeReadFile(join(logs, 'big'), { maxBytes: 16 })).toEqual({ ok: false, rule: 'larger than 16 bytes' });
    expect(safeReadFile(join(logs, 'big'), { maxBytes: 16, oversize: 'truncate' })).toEqual({ ok: true, text: 'x'.repeat(16), truncated: true });
    expect(safeReadFile(join(logs, 'none'), { maxBytes: 16 })).toEqual({ ok: false, rule: 'does not exist', missing: true });
  });

  it('refuses links (to a host file, to /dev/zero), FIFOs, devices, folders and hard links, without reading them', () => {
    const { root, secret, logs } = tree();
    symlinkSync(secret, join(logs, 'link'));
    symlinkSync('/dev/zero', join(logs, 'zero'));
    execFileSync('mkfifo', [join(logs, 'fifo')]);
    mkdirSync(join(logs, 'dir'));
    linkSync(secret, join(logs, 'hard'));
    const rule = (name: string) => {
      const read = safeReadFile(join(logs, name), { maxBytes: 1024, within: root });
      expect(JSON.stringify(read)).not.toContain(SECRET);
      return read.ok ? 'read' : read.rule;
    };
    expect(['link', 'zero', 'fifo', 'dir', 'hard'].map(rule)).toEqual([
      'is a symbolic link', 'is a symbolic link', 'is a FIFO', 'is a directory', 'has several hard links',
    ]);
    expect(safeReadFile('/dev/null', { maxBytes: 16 })).toEqual({ ok: false, rule: 'is a character device' });
  });

  it('refuses a file reached through a linked folder', () => {
    const { root, secret } = tree();
    symlinkSync(join(secret, '..'), join(root, 'verifier'));
    expect(safeReadFile(join(root, 'verifier', 'secret'), { maxBytes: 1024, within: root })).toEqual({ ok: false, rule: 'folder verifier is a symbolic link' });
    expect(safeReadFile('/etc/hostname', { maxBytes: 1024, within: root })).toEqual({ ok: false, rule: `is not inside ${root}` });
  });
});
