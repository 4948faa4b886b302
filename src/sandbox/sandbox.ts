// The one sandbox every model-influenced process goes through (DESIGN §5): run_shell today,
// external agent CLIs and task graders next. bubblewrap, built from an allow-list (mounts.ts),
// no network, no user namespaces inside, a clean environment, and per-sandbox bounds that one
// sandbox cannot spend for another (limits.ts, uidPool.ts, cgroup.ts, workQuota.ts).
import { execFileSync } from 'node:child_process';
import { lchown, lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { walk } from '../agent/walk.js';
import { scratchRoot } from '../run/scratch-root.js';
import { createCgroup, type SandboxCgroup } from './cgroup.js';
import { cgroupV2Parent, DEFAULT_LIMITS, limitsMode, runningAsRoot, type SandboxLimits } from './limits.js';
import { mountArgs, SANDBOX_UID } from './mounts.js';
import { leaseUid, releaseUid } from './uidPool.js';
import { execWatched, killGroup, type ExecResult } from './exec.js';
import { measureWork } from './workQuota.js';

export { DEFAULT_LIMITS, describeLimitsMode, limitsMode, type SandboxLimits } from './limits.js';

export interface SandboxOptions {
  /** The host folder the sandbox may write (an attempt's scratch copy, a task workspace). */
  workDir: string;
  /** Where workDir appears inside (default /work); also the sandbox's HOME and working folder. */
  mountAt?: string;
  limits?: Partial<SandboxLimits>;
  /** Host paths that must not be visible (suite, results, lanes.yaml…); brainbench's install always is. */
  hide?: readonly string[];
  /** More host folders to show inside (a task's /tests, /logs/verifier, /solution), after the work folder. */
  binds?: readonly SandboxBind[];
  /**
   * HOME inside: a fresh, private, size-capped tmpfs mounted there (a grader must not read the
   * agent's dotfiles or ~/.local). Default: HOME is the work folder's mount point.
   */
  home?: string;
}

export interface SandboxBind {
  host: string;
  at: string;
  readOnly?: boolean;
}

export interface RunOptions {
  timeoutMs: number;
  /** Aborting kills the command and everything it started. */
  signal?: AbortSignal;
}

/** How a sandboxed command ended (see ExecResult). */
export type SandboxExit = ExecResult;

export interface Sandbox {
  readonly limits: SandboxLimits;
  /** A string runs through `sh -c` with stderr joined to stdout; an array is exec'd as it is. */
  run(command: string | readonly string[], opts: RunOptions): Promise<SandboxExit>;
  /** Kills whatever still runs and gives back the uid and cgroup. */
  close(): Promise<void>;
}

export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

let userNsFlag: string[] | undefined;

/** `--disable-userns` (bubblewrap 0.8+): nothing inside may make a user namespace of its own. */
function disableUserNs(): string[] {
  if (userNsFlag) return userNsFlag;
  try {
    const [major = 0, minor = 0] = /(\d+)\.(\d+)/.exec(execFileSync('bwrap', ['--version'], { encoding: 'utf8' }))!.slice(1).map(Number);
    userNsFlag = major > 0 || minor >= 8 ? ['--disable-userns'] : [];
  } catch {
    userNsFlag = [];
  }
  return userNsFlag;
}

function namespaceArgs(home: string): string[] {
  return [
    '--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try',
    ...disableUserNs(),
    '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID),
    '--die-with-parent', '--new-session',
    '--clearenv', '--setenv', 'PATH', SANDBOX_PATH, '--setenv', 'HOME', home, '--setenv', 'LANG', 'C.UTF-8',
  ];
}

/**
 * rlimits are set inside the sandbox's own user namespace, so RLIMIT_NPROC counts that
 * namespace's processes only (Linux ≥ 5.14 keeps per-namespace counts).
 */
function limitedCommand(limits: SandboxLimits, command: string | readonly string[]): string[] {
  const rlimits = [
    'prlimit', `--nproc=${limits.processes}`, `--as=${limits.memoryBytes}`, `--cpu=${limits.cpuSeconds}`,
    `--fsize=${Math.min(limits.fileBytes, limits.workBytes)}`, '--',
  ];
  return typeof command === 'string' ? [...rlimits, '/bin/sh', '-c', 'exec 2>&1; eval "$1"', 'sh', command] : [...rlimits, ...command];
}

/** As root the sandbox runs as its leased uid: the work tree is handed to it (lchown never follows a link). */
async function handOverTree(root: string, uid: number, maxEntries: number): Promise<void> {
  await lchown(root, uid, uid);
  for await (const entry of walk(root, maxEntries)) {
    // a file with several hard links may share its inode with one outside: left alone
    if (entry.kind === 'file' && (await lstat(entry.abs)).nlink > 1) continue;
    await lchown(entry.abs, uid, uid);
  }
}

export async function openSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const mountAt = opts.mountAt ?? '/work';
  const uid = runningAsRoot ? leaseUid() : null;
  let cgroup: SandboxCgroup | null = null;
  try {
    if (limitsMode() === 'cgroup-v2') cgroup = await createCgroup(cgroupV2Parent()!, limits);
  } catch (err) {
    if (uid !== null) releaseUid(uid);
    throw err;
  }
  const mounts = mountArgs({ workDir: opts.workDir, mountAt, limits, hide: opts.hide ?? [], binds: opts.binds ?? [], ...(opts.home && { home: opts.home }) });
  // The uid is dropped before bwrap runs: by setpriv after joining the cgroup, else by spawn itself.
  const drop = uid !== null && cgroup ? ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'] : [];
  const prefix = [...(cgroup?.launcher ?? []), ...drop, 'bwrap', ...namespaceArgs(opts.home ?? mountAt), ...mounts.args];
  const running = new Set<number>();
  const caps = { bytes: limits.workBytes, entries: limits.workEntries };

  async function run(command: string | readonly string[], runOpts: RunOptions): Promise<SandboxExit> {
    if (uid !== null) await handOverTree(opts.workDir, uid, limits.workEntries);
    const before = await measureWork(opts.workDir, caps);
    return execWatched(
      {
        argv: [...prefix, ...limitedCommand(limits, command)],
        data: mounts.data,
        env: { PATH: SANDBOX_PATH },
        uid: cgroup ? null : uid,
        timeoutMs: runOpts.timeoutMs,
        ...(runOpts.signal && { signal: runOpts.signal }),
        outputCap: limits.outputBytes,
        work: { dir: opts.workDir, caps, before },
      },
      (pid, live) => (live ? running.add(pid) : running.delete(pid)),
    );
  }

  async function close(): Promise<void> {
    for (const pid of running) killGroup(pid);
    running.clear();
    await cgroup?.close();
    if (uid !== null) releaseUid(uid);
  }

  return { limits, run, close };
}

let available: Promise<boolean> | undefined;

/** bwrap is installed and a trivial sandboxed `true` runs with every limit in place; cached. */
export function sandboxAvailable(): Promise<boolean> {
  available ??= (async () => {
    // Where attempts' work folders live, so the probe meets the same permissions they will.
    const parent = dirname(scratchRoot(tmpdir(), 'probe'));
    await mkdir(parent, { recursive: true });
    const probeRoot = await mkdtemp(join(parent, 'bwrap-probe-'));
    let sandbox: Sandbox | undefined;
    try {
      sandbox = await openSandbox({ workDir: probeRoot });
      return (await sandbox.run(['true'], { timeoutMs: 5_000 })).code === 0;
    } catch {
      return false;
    } finally {
      await sandbox?.close();
      await rm(probeRoot, { recursive: true, force: true });
    }
  })();
  return available;
}
