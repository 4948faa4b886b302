// The sandbox's file system, built from an allow-list (never `--ro-bind / /` with holes): the
// system folders read-only, a generated /etc, fresh /proc, minimal read-only /dev with a small
// /dev/shm, a private capped /tmp, the work folder. Anything of brainbench's that lies inside a
// bound system folder (a global npm install under /usr, a suite under /usr/share…) is covered.
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { packageRoot } from '../paths.js';
import { isInside } from '../agent/sandbox.js';
import type { SandboxLimits } from './limits.js';

/** The sandbox user as the sandboxed command sees it (its host uid differs; see uidPool). */
export const SANDBOX_UID = 1000;
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** /dev/shm inside: POSIX shared memory needs a little; it is memory, so it is small. */
const DEV_SHM_BYTES = 8 * 1024 ** 2;

interface SystemMounts {
  args: string[];
  /** Host folders bound into the sandbox (hidden paths below them must be covered). */
  bound: string[];
}

let system: SystemMounts | undefined;

/** /usr read-only, and /bin, /lib*, /sbin as they are on the host: symlinks stay symlinks. */
function systemMounts(): SystemMounts {
  if (system) return system;
  const args: string[] = [];
  const bound: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    let st;
    try {
      st = lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (st.isDirectory()) {
      args.push('--ro-bind', dir, dir);
      bound.push(realpathSync(dir));
    }
  }
  system = { args, bound };
  return system;
}

/** The generated /etc files: no host secrets. bwrap reads each from a pipe (no temp files). */
const ETC_FILES: Record<string, string> = {
  passwd: `root:x:0:0:root:/:/usr/sbin/nologin\nsandbox:x:${SANDBOX_UID}:${SANDBOX_UID}:sandbox:/work:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
  group: `root:x:0:\nsandbox:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`,
  hosts: '127.0.0.1 localhost\n::1 localhost\n',
  'nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files\n',
};
/** Host /etc entries that are not secrets and that programs need: the linker cache, and the
 * alternatives symlinks (awk, editor… on Debian point through /etc/alternatives). */
const ETC_FROM_HOST = ['/etc/ld.so.cache', '/etc/alternatives', '/etc/localtime'];

/** Mounts that cover each hidden path lying inside a bound system folder (brainbench's own install always). */
export function hideMounts(hide: readonly string[]): string[] {
  const { bound } = systemMounts();
  const args: string[] = [];
  const seen = new Set<string>();
  for (const path of [packageRoot, ...hide]) {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      continue; // nothing there to see
    }
    // a path inside one already covered needs nothing (bwrap could not make its mount point in the read-only tmpfs)
    if ([...seen].some((done) => isInside(done, real)) || !bound.some((dir) => real !== dir && isInside(dir, real))) continue;
    seen.add(real);
    if (lstatSync(real).isDirectory()) args.push('--tmpfs', real, '--remount-ro', real);
    else args.push('--ro-bind', '/dev/null', real);
  }
  return args;
}

export interface MountArgs {
  args: string[];
  /** Contents to write, in order, to file descriptors 3, 4, … of the bwrap process. */
  data: string[];
}

export interface MountPlan {
  workDir: string;
  mountAt: string;
  limits: SandboxLimits;
  hide: readonly string[];
  binds?: readonly { host: string; at: string; readOnly?: boolean }[];
  /** A private HOME (a fresh tmpfs only the sandbox user may enter), mounted after the binds. */
  home?: string;
}

/** The bwrap file-system arguments for one sandbox. */
export function mountArgs(plan: MountPlan): MountArgs {
  const names = Object.keys(ETC_FILES);
  const etc = names.flatMap((name, i) => ['--ro-bind-data', String(3 + i), `/etc/${name}`]);
  const fromHost = ETC_FROM_HOST.filter((path) => existsSync(path)).flatMap((path) => ['--ro-bind', path, path]);
  const args = [
    ...systemMounts().args,
    ...hideMounts(plan.hide),
    ...etc,
    ...fromHost,
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(DEV_SHM_BYTES), '--tmpfs', '/dev/shm',
    '--remount-ro', '/dev',
    '--size', String(plan.limits.tmpBytes), '--perms', '1777', '--tmpfs', '/tmp',
    '--bind', plan.workDir, plan.mountAt,
    ...(plan.binds ?? []).flatMap((b) => [b.readOnly ? '--ro-bind' : '--bind', b.host, b.at]),
    ...(plan.home ? ['--size', String(plan.limits.tmpBytes), '--perms', '0700', '--tmpfs', plan.home] : []),
    '--chdir', plan.mountAt,
    '--remount-ro', '/',
  ];
  return { args, data: names.map((name) => ETC_FILES[name]!) };
}
