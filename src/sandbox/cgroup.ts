// Where cgroup v2 is usable (limits.ts: cgroupV2Parent), each sandbox gets its own child cgroup
// with memory.max and pids.max: totals for the whole sandbox, not per process.
import { existsSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxLimits } from './limits.js';

export interface SandboxCgroup {
  /** argv prefix that moves the launched process into the cgroup before it execs the rest. */
  launcher: string[];
  close(): Promise<void>;
}

let serial = 0;

export async function createCgroup(parent: string, limits: SandboxLimits): Promise<SandboxCgroup> {
  const dir = join(parent, `brainbench-${process.pid}-${++serial}`);
  await mkdir(dir);
  await writeFile(join(dir, 'memory.max'), String(limits.memoryBytes));
  await writeFile(join(dir, 'pids.max'), String(limits.processes + 4)); // + bwrap, its init, sh, prlimit
  if (existsSync(join(dir, 'memory.swap.max'))) await writeFile(join(dir, 'memory.swap.max'), '0');
  return {
    launcher: ['/bin/sh', '-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', join(dir, 'cgroup.procs')],
    async close() {
      // cgroup.kill (Linux 5.14+) ends whatever is left; the folder goes once it is empty.
      if (existsSync(join(dir, 'cgroup.kill'))) await writeFile(join(dir, 'cgroup.kill'), '1').catch(() => undefined);
      for (let i = 0; i < 20; i++) {
        try {
          await rmdir(dir);
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
    },
  };
}
