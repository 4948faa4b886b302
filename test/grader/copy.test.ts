// copyReadable (tests/ and solution/ into the trial's scratch): links stay links, never followed;
// a FIFO is refused, never opened; the folder itself must not be a link.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyReadable } from '../../src/grader/testsh.js';
import { tempDir } from '../helpers/tmp.js';

describe('copyReadable', () => {
  it('copies files readable, and links verbatim without touching what they point at', () => {
    const host = tempDir('bb-copy-host-');
    writeFileSync(join(host, 'secret'), 'host secret', { mode: 0o600 });
    mkdirSync(join(host, 'dir'), { mode: 0o700 });
    const from = tempDir('bb-copy-from-');
    mkdirSync(join(from, 'sub'));
    writeFileSync(join(from, 'sub', 'test.sh'), 'echo 1\n', { mode: 0o600 });
    symlinkSync(join(host, 'secret'), join(from, 'out-file'));
    symlinkSync(join(host, 'dir'), join(from, 'out-dir'));
    const to = join(tempDir('bb-copy-to-'), 'tests');
    copyReadable(from, to);
    expect(readFileSync(join(to, 'sub', 'test.sh'), 'utf8')).toBe('echo 1\n');
    expect(statSync(join(to, 'sub', 'test.sh')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(to, 'out-file'))).toBe(join(host, 'secret'));
    expect(lstatSync(join(to, 'out-dir')).isSymbolicLink()).toBe(true);
    // the host files behind the links keep their modes (nothing was chmod'ed through a link)
    expect(statSync(join(host, 'secret')).mode & 0o777).toBe(0o600);
    expect(statSync(join(host, 'dir')).mode & 0o777).toBe(0o700);
  });

  it('refuses a FIFO inside, naming it', () => {
    const from = tempDir('bb-copy-from-');
    execFileSync('mkfifo', [join(from, 'pipe')]);
    expect(() => copyReadable(from, join(tempDir('bb-copy-to-'), 't'))).toThrow(/pipe is a FIFO: refused/);
  });

  it('refuses a folder that is itself a link, and changes nothing behind it', () => {
    const real = tempDir('bb-copy-real-');
    const link = join(tempDir('bb-copy-link-'), 'tests');
    symlinkSync(real, link);
    expect(() => copyReadable(link, join(tempDir('bb-copy-to-'), 't'))).toThrow(/is a symbolic link, not a folder/);
    expect(statSync(real).mode & 0o777).toBe(0o700);
  });
});
