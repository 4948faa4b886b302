// The sandbox's file system is an allow-list: no bind of the host root, system folders as they
// are on the host, and anything hidden that lies inside a bound folder covered.
import { accessSync, constants, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { DEFAULT_LIMITS } from '../../src/sandbox/limits.js';
import { hideMounts, mountArgs } from '../../src/sandbox/mounts.js';
import { tempDir } from '../helpers/tmp.js';

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
const canPlant = writable('/usr/local');
if (!canPlant) console.log('skipping the hidden-path mount test: planting under /usr/local needs root');

const plan = (hide: string[] = []) => mountArgs({ workDir: '/tmp/w', mountAt: '/work', limits: DEFAULT_LIMITS, hide });

/** `--opt a b` triples as "a -> b" for the options given. */
function pairs(args: string[], option: string): string[] {
  return args.flatMap((arg, i) => (arg === option ? [`${args[i + 1]} -> ${args[i + 2]}`] : []));
}

describe('sandbox mounts', () => {
  it('binds only system folders read-only, never the host root, and the work folder writable', () => {
    const { args, data } = plan();
    expect(pairs(args, '--ro-bind').filter((p) => p.startsWith('/ ') || p.endsWith('-> /'))).toEqual([]);
    const binds = pairs(args, '--ro-bind').map((p) => p.split(' -> ')[0]);
    for (const path of binds) expect(path).toMatch(/^\/(usr|bin|sbin|lib\w*|etc\/(ld\.so\.cache|alternatives|localtime)|dev\/null)$/);
    expect(pairs(args, '--bind')).toEqual(['/tmp/w -> /work']);
    // /bin is a link on merged-/usr systems and stays one
    if (lstatSync('/bin').isSymbolicLink()) expect(pairs(args, '--symlink')).toContain('usr/bin -> /bin');
    expect(args.slice(-2)).toEqual(['--remount-ro', '/']);
    expect(data.join('')).toMatch(/^root:x:0:0:.*sandbox:x:1000:/s);
  });

  it.runIf(canPlant)('covers hidden paths inside bound folders (a folder by an empty tmpfs, a file by /dev/null), and nothing else', () => {
    const dir = tempDir('bb-mounts-', '/usr/local');
    mkdirSync(join(dir, 'suite'));
    writeFileSync(join(dir, 'lanes.yaml'), 'x');
    const outside = tempDir('bb-mounts-', '/tmp');
    const args = hideMounts([join(dir, 'suite'), join(dir, 'lanes.yaml'), outside, '/nonexistent/x']);
    const own = packageRoot.startsWith('/usr/') ? ['--tmpfs', packageRoot, '--remount-ro', packageRoot] : [];
    expect(args).toEqual([...own, '--tmpfs', join(dir, 'suite'), '--remount-ro', join(dir, 'suite'), '--ro-bind', '/dev/null', join(dir, 'lanes.yaml')]);
  });
});
