// The per-sandbox bounds (DESIGN §5) and which mechanism enforces them on this machine.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SandboxLimits {
  /** Address space per process (RLIMIT_AS), and the cgroup's memory.max where cgroup v2 is used. */
  memoryBytes: number;
  /** Processes at once (RLIMIT_NPROC inside the sandbox's own user namespace; cgroup pids.max). */
  processes: number;
  /** CPU seconds per process (RLIMIT_CPU). */
  cpuSeconds: number;
  /** Largest single file (RLIMIT_FSIZE); never above workBytes. */
  fileBytes: number;
  /** Total bytes in the work folder (it lives in RAM): measured while commands run, killed above it. */
  workBytes: number;
  /** Entries in the work folder before it counts as over the cap (a million empty files is a fill too). */
  workEntries: number;
  /** The private /tmp (a tmpfs, memory). */
  tmpBytes: number;
  /** Output kept per command; the rest is counted, not kept. */
  outputBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 2 * 1024 ** 3,
  processes: 64,
  cpuSeconds: 60,
  fileBytes: 64 * 1024 ** 2,
  workBytes: 256 * 1024 ** 2,
  workEntries: 20_000,
  tmpBytes: 64 * 1024 ** 2,
  outputBytes: 64 * 1024,
};

export const runningAsRoot = process.getuid?.() === 0;

/** A cgroup v2 folder where brainbench may create one child per sandbox, or null. */
export function cgroupV2Parent(): string | null {
  const mount = '/sys/fs/cgroup';
  if (!existsSync(join(mount, 'cgroup.controllers'))) return null;
  try {
    // "0::/some/path" is this process's cgroup in the unified hierarchy.
    const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
    if (!line) return null;
    const own = join(mount, line.slice(3));
    // Children need memory and pids enabled here; a folder with them enabled holds no process but
    // the root's, so this is the root cgroup (as root) or a delegated folder brainbench runs above.
    const enabled = readFileSync(join(own, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
    if (!enabled.includes('memory') || !enabled.includes('pids')) return null;
    accessSync(own, constants.W_OK);
    return own;
  } catch {
    return null;
  }
}

export type LimitsMode = 'cgroup-v2' | 'rlimits-per-slot-uid' | 'rlimits';

let mode: LimitsMode | undefined;

export function limitsMode(): LimitsMode {
  mode ??= cgroupV2Parent() ? 'cgroup-v2' : runningAsRoot ? 'rlimits-per-slot-uid' : 'rlimits';
  return mode;
}

/** One line for `doctor` and the docs: which limits are in force here. */
export function describeLimitsMode(m: LimitsMode = limitsMode()): string {
  const always = 'processes per sandbox (own user namespace), CPU and file size (rlimits), capped /tmp and work folder';
  switch (m) {
    case 'cgroup-v2':
      return `cgroup v2 (memory.max, pids.max per sandbox) + ${always}`;
    case 'rlimits-per-slot-uid':
      return `rlimits + one uid per sandbox: ${always}; memory per process (no cgroup v2)`;
    case 'rlimits':
      return `rlimits only: ${always}; memory per process, one shared uid (run as root or in a delegated cgroup v2 subtree for more)`;
  }
}
