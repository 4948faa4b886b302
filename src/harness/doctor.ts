// `brainbench doctor`'s harness lines: every declared agent CLI (presets + lanes.yaml `harnesses:`)
// is found on PATH, its install is readable by the sandbox's user, and it starts in the sandbox
// as a trial runs it (the same binds, PATH and address-space bound) — `--version`, bounded. A CLI
// found on PATH is not yet one that runs: a hoisted dependency outside the bound folder, a
// too-small address space or an install under /root all pass a PATH check and fail every trial.
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findExecutable } from '../os/proc.js';
import { scratchRoot } from '../run/scratch-root.js';
import { openSandbox, SANDBOX_PATH, sandboxAvailable } from '../sandbox/sandbox.js';
import { resolveInstall, unreadableInstall, type HarnessInstall } from './install.js';
import { PRESETS_FILE } from './presets.js';
import { addressSpaceBytes, type HarnessSpec } from './spec.js';

export interface HarnessCheck {
  ok: boolean;
  /** A failure that counts: lanes.yaml declared this harness itself (a preset nobody uses only informs). */
  needed: boolean;
  text: string;
}

/** How long `--version` may take in the sandbox (a cold node CLI starts in 1–3 s). */
export const VERSION_TIMEOUT_MS = 30_000;

const oneLine = (text: string, n = 300) => text.replace(/\s+/g, ' ').trim().slice(-n);

/** Runs `<cli> --version` in a sandbox like a trial's; the first line it printed, or why it failed. */
export async function versionInSandbox(spec: HarnessSpec, install: HarnessInstall, timeoutMs = VERSION_TIMEOUT_MS): Promise<{ ok: boolean; detail: string }> {
  // where trials' work folders live, so the check meets the permissions they will
  const parent = dirname(scratchRoot(tmpdir(), 'doctor'));
  await mkdir(parent, { recursive: true });
  const work = await mkdtemp(join(parent, 'harness-doctor-'));
  await chmod(work, 0o755);
  try {
    const limits = { memoryBytes: addressSpaceBytes(spec), processes: 256, cpuSeconds: Math.ceil(timeoutMs / 1000), outputBytes: 64 * 1024 };
    const sandbox = await openSandbox({ workDir: work, binds: install.binds, limits, home: '/home/agent' });
    try {
      const path = [...install.path, SANDBOX_PATH].join(':');
      const exit = await sandbox.run(['env', `PATH=${path}`, 'TERM=dumb', 'NO_COLOR=1', install.program, '--version'], { timeoutMs });
      if (exit.timedOut) return { ok: false, detail: `--version did not finish in ${timeoutMs / 1000} s` };
      if (exit.code !== 0) return { ok: false, detail: `--version exited ${exit.code ?? 'killed'}: ${oneLine(exit.output)}` };
      return { ok: true, detail: oneLine(exit.output.trim().split('\n')[0] ?? '', 80) };
    } finally {
      await sandbox.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function checkOne(spec: HarnessSpec, sandbox: boolean, env: NodeJS.ProcessEnv): Promise<HarnessCheck> {
  const program = spec.command[0]!;
  const needed = spec.source !== PRESETS_FILE;
  const label = `harness ${spec.id}`;
  if (!findExecutable(program, env)) return { ok: false, needed, text: `${label}: ${program} not installed${spec.install ? ` — ${spec.install}` : ''}` };
  const install = resolveInstall(program, [], env)!;
  const unreadable = unreadableInstall(install, spec.install);
  if (unreadable) return { ok: false, needed, text: `${label}: ${unreadable}` };
  if (!sandbox) return { ok: false, needed: false, text: `${label}: ${program} at ${install.found}, not tried (bubblewrap cannot build a sandbox here)` };
  const version = await versionInSandbox(spec, install);
  if (!version.ok) return { ok: false, needed, text: `${label}: ${install.found} fails in the sandbox: ${version.detail}` };
  return { ok: true, needed, text: `${label}: ${version.detail} at ${install.found}, starts in the sandbox` };
}

/** One line per declared harness, in the catalog's order; the CLIs run one after another. */
export async function harnessDoctorChecks(specs: Iterable<HarnessSpec>, env: NodeJS.ProcessEnv = process.env): Promise<HarnessCheck[]> {
  const sandbox = await sandboxAvailable();
  const checks: HarnessCheck[] = [];
  for (const spec of specs) checks.push(await checkOne(spec, sandbox, env));
  return checks;
}
