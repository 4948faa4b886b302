// Where a trial's processes run (DESIGN §12). Two kinds behind one interface:
//   bwrap   the §5 sandbox on the host's read-only system; the workspace built from what the
//           Dockerfile COPYs; tasks needing more are skipped with the reason
//   docker  the task's image, built once per content hash; every process in a fresh container
//           with --network none and the workspace bind-mounted at the WORKDIR
// Every exec is a fresh sandbox or container: nothing the agent started outlives its step.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync } from 'node:fs';
import { basename, join, posix, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { isInside } from '../agent/sandbox.js';
import { lstatOrNull, safeReadFile } from '../os/safeRead.js';
import { openSandbox, type SandboxBind, type SandboxExit, type SandboxLimits } from '../sandbox/sandbox.js';
import { hashTree } from '../suite/scratch.js';
import { DEFAULT_WORKDIR, finalWorkdir, planForBwrap, type BwrapPlan, type DockerfilePlan } from './dockerfile.js';
import type { Task } from './types.js';
import { clampDelayMs } from '../timers.js';

export type EnvironmentName = 'bwrap' | 'docker';

export interface ExecOptions {
  binds: SandboxBind[];
  env?: Record<string, string>;
  /** Over the sandbox defaults (an agent CLI on node needs more address space than a shell command). */
  limits?: Partial<SandboxLimits>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** HOME inside: a fresh private empty folder mounted there (the grader's); default the workspace. */
  home?: string;
}

export interface TrialEnvironment {
  readonly kind: EnvironmentName;
  readonly workspace: string;
  /** Where the workspace appears inside (the Dockerfile's WORKDIR; /app by default). */
  readonly workdir: string;
  /** The Dockerfile's ENV, for every process of the trial (docker: the image's, as far as it could be read). */
  readonly env: Record<string, string>;
  exec(argv: readonly string[], opts: ExecOptions): Promise<SandboxExit>;
}

export interface EnvironmentKind {
  readonly name: EnvironmentName;
  /** null when the task can run in this environment; else why it is skipped. */
  skipReason(task: Task): string | null;
  /** Builds the trial's workspace in `workspace` (an empty host folder). */
  create(task: Task, workspace: string): Promise<TrialEnvironment>;
}

const DOCKERFILE_MAX_BYTES = 1024 * 1024;

/** The task's Dockerfile, read as untrusted input (never a link, FIFO or device; capped); null when absent. */
function dockerfileOf(task: Task): string | null {
  if (!task.environmentDir) return null;
  const read = safeReadFile(join(task.environmentDir, 'Dockerfile'), { maxBytes: DOCKERFILE_MAX_BYTES, within: task.environmentDir });
  if (read.ok) return read.text;
  if (read.missing) return null;
  throw new Error(`environment/Dockerfile ${read.rule}`);
}

const SYSTEM_BIN = ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/** `[environment] host_tools = ["gcc"]` (a brainbench extension): programs the task needs from the host. */
function missingHostTool(task: Task): string | null {
  const table = task.config.raw.environment as { host_tools?: unknown } | undefined;
  const tools = Array.isArray(table?.host_tools) ? table.host_tools.filter((t): t is string => typeof t === 'string') : [];
  return tools.find((tool) => !SYSTEM_BIN.some((dir) => existsSync(join(dir, basename(tool))))) ?? null;
}

/** A task without a Dockerfile gets an empty workspace at /app. */
function bwrapPlan(task: Task): BwrapPlan {
  const missing = missingHostTool(task);
  if (missing) return { ok: false, reason: `needs ${missing}, which is not installed here (or run it with --env docker)` };
  let text: string | null;
  try {
    text = dockerfileOf(task);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  if (text === null) return { ok: true, plan: { from: '(none)', workdir: DEFAULT_WORKDIR, copies: [], env: {} } };
  const planned = planForBwrap(text);
  if (!planned.ok) return planned;
  for (const step of planned.plan.copies) {
    for (const source of step.sources) {
      const abs = resolve(task.environmentDir!, source);
      if (!isInside(task.environmentDir!, abs) || !lstatOrNull(abs)) return { ok: false, reason: `COPY source '${source}' is not in environment/` };
    }
  }
  return planned;
}

/** Does what the plan's COPY lines would do, into the workspace folder; links are copied as links, never followed. */
function applyCopies(task: Task, plan: DockerfilePlan, workspace: string): void {
  for (const step of plan.copies) {
    const destHost = join(workspace, relative(plan.workdir, step.dest));
    for (const source of step.sources) {
      const from = resolve(task.environmentDir!, source);
      const isDir = lstatSync(from).isDirectory();
      const to = isDir || !step.intoFolder ? destHost : join(destHost, basename(from));
      mkdirSync(isDir ? to : posix.dirname(to), { recursive: true });
      cpSync(from, to, { recursive: true, verbatimSymlinks: true });
    }
  }
}

const envArgs = (env: Record<string, string>) => Object.entries(env).map(([k, v]) => `${k}=${v}`);

export function bwrapEnvironment(hide: readonly string[]): EnvironmentKind {
  const plans = new Map<string, BwrapPlan>();
  const planOf = (task: Task) => plans.get(task.dir) ?? plans.set(task.dir, bwrapPlan(task)).get(task.dir)!;
  return {
    name: 'bwrap',
    skipReason: (task) => {
      const planned = planOf(task);
      return planned.ok ? null : planned.reason;
    },
    async create(task, workspace) {
      const planned = planOf(task);
      if (!planned.ok) throw new Error(planned.reason);
      mkdirSync(workspace, { recursive: true });
      applyCopies(task, planned.plan, workspace);
      const { workdir, env } = planned.plan;
      return {
        kind: 'bwrap',
        workspace,
        workdir,
        env,
        async exec(argv, opts) {
          const sandbox = await openSandbox({
            workDir: workspace, mountAt: workdir, binds: opts.binds, hide, ...(opts.limits && { limits: opts.limits }), ...(opts.home && { home: opts.home }),
          });
          try {
            const command = ['env', ...envArgs({ ...env, ...opts.env, ...(opts.home && { HOME: opts.home }) }), ...argv];
            return await sandbox.run(command, { timeoutMs: opts.timeoutMs, ...(opts.signal && { signal: opts.signal }) });
          } finally {
            await sandbox.close();
          }
        },
      };
    },
  };
}

/** `brainbench-task-<id>:<12 hex of the build context's hash>`: a changed context is a new image. */
export function imageTag(task: Task): string {
  const hash = task.environmentDir ? hashTree(task.environmentDir) : 'none';
  return `brainbench-task-${task.id.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}:${hash.slice(0, 12)}`;
}

const OUTPUT_CAP = 64 * 1024;

async function docker(args: string[], opts: { timeoutMs: number; signal?: AbortSignal }) {
  return execa('docker', args, { all: true, reject: false, stdin: 'ignore', timeout: clampDelayMs(opts.timeoutMs), ...(opts.signal && { cancelSignal: opts.signal }) });
}

function exitOf(result: Awaited<ReturnType<typeof docker>>): SandboxExit {
  const all = result.all ?? '';
  return {
    code: result.exitCode ?? null,
    output: all.slice(0, OUTPUT_CAP),
    outputBytes: Buffer.byteLength(all),
    timedOut: result.timedOut,
    aborted: result.isCanceled,
    overCap: null,
  };
}

/** The image's ENV (the grader filters its PATH); {} when docker does not say. */
async function imageEnv(tag: string): Promise<Record<string, string>> {
  const inspected = await docker(['image', 'inspect', '--format', '{{json .Config.Env}}', tag], { timeoutMs: 30_000 });
  try {
    const list: unknown = JSON.parse(String(inspected.stdout ?? ''));
    if (!Array.isArray(list)) return {};
    const pairs = list.filter((e): e is string => typeof e === 'string' && e.includes('=')).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]);
    return Object.fromEntries(pairs) as Record<string, string>;
  } catch {
    return {};
  }
}

export function dockerEnvironment(opts: { buildTimeoutMs?: number } = {}): EnvironmentKind {
  const builds = new Map<string, Promise<void>>();
  /** Builds the image unless docker already has this tag (once per process, too). */
  const ensureImage = (task: Task, tag: string) => {
    const build = async () => {
      if ((await docker(['image', 'inspect', tag], { timeoutMs: 30_000 })).exitCode === 0) return;
      if (!task.environmentDir) throw new Error('the docker environment needs environment/Dockerfile');
      const built = await docker(['build', '-t', tag, task.environmentDir], { timeoutMs: opts.buildTimeoutMs ?? 600_000 });
      if (built.exitCode !== 0) throw new Error(`docker build failed: ${(built.all ?? '').trim().split('\n').slice(-3).join(' / ')}`);
    };
    return builds.get(tag) ?? builds.set(tag, build()).get(tag)!;
  };
  return {
    name: 'docker',
    skipReason: () => null,
    async create(task, workspace) {
      const tag = imageTag(task);
      await ensureImage(task, tag);
      const text = dockerfileOf(task);
      const workdir = text === null ? DEFAULT_WORKDIR : finalWorkdir(text);
      mkdirSync(workspace, { recursive: true });
      // the image's WORKDIR becomes the workspace, which every later container bind-mounts
      const seed = ['run', '--rm', '--network', 'none', '-v', `${workspace}:/bb-seed`, tag, 'sh', '-c', 'cp -a "$0"/. /bb-seed/', workdir];
      const seeded = await docker(seed, { timeoutMs: 120_000 });
      if (seeded.exitCode !== 0) throw new Error(`could not copy ${workdir} out of ${tag}: ${(seeded.all ?? '').trim()}`);
      return {
        kind: 'docker',
        workspace,
        workdir,
        env: await imageEnv(tag),
        async exec(argv, execOpts) {
          const name = `bb-trial-${randomBytes(6).toString('hex')}`;
          const mounts = [`${workspace}:${workdir}`, ...execOpts.binds.map((b) => `${b.host}:${b.at}${b.readOnly ? ':ro' : ''}`)];
          const home = execOpts.home ? ['--tmpfs', `${execOpts.home}:mode=1777`, '-e', `HOME=${execOpts.home}`] : [];
          const env = Object.entries(execOpts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
          const args = ['run', '--rm', '--name', name, '--network', 'none', ...mounts.flatMap((m) => ['-v', m]), ...home, ...env, '-w', workdir, tag, ...argv];
          const result = await docker(args, execOpts);
          if (result.timedOut || result.isCanceled) await docker(['kill', name], { timeoutMs: 30_000 });
          return exitOf(result);
        },
      };
    },
  };
}
