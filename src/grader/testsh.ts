// The task Grader (DESIGN §12; the prompt suites' Grader is ./checks.ts): tests/ copied into a
// fresh sandbox (workspace mounted, /tests, a writable /logs/verifier, no network, the verifier's
// own timeout), `bash /tests/test.sh`, then the reward it wrote. What goes wrong is a GraderError,
// the grader_error bucket.
//
// The verifier trusts nothing the agent left (DESIGN §12). The workspace is evidence, not code:
// - test.sh runs as `/bin/bash /tests/test.sh`: the interpreter by absolute path from a read-only
//   system folder (the host's in bwrap, the image's in docker: both fresh per process), never
//   looked up on the task's PATH.
// - PATH: the task's own PATH (Dockerfile/image ENV, or [verifier] env) with every entry inside
//   the workspace (the WORKDIR and below), relative or empty DROPPED; the system folders follow,
//   where missing. What is left is read-only or fresh for this step, so the task's own order is
//   kept (a venv at /opt/venv still wins over /usr/bin, as the task meant).
// - HOME is a fresh private empty tmpfs (VERIFIER_HOME), never the workspace: no dotfiles, no
//   ~/.local site-packages (usercustomize.py) of the agent's.
// - The environment is built from nothing (bwrap --clearenv; docker: the image's ENV, which the
//   task wrote): loader variables (PYTHONPATH, PYTHONSTARTUP, BASH_ENV, ENV, LD_PRELOAD,
//   NODE_OPTIONS, PERL5LIB, PYTEST_PLUGINS, …) reach test.sh only where the task sets them itself.
//   PYTHONNOUSERSITE=1 and PYTHONDONTWRITEBYTECODE=1 are set (the task may override them).
// - pytest: unless the task sets PYTEST_ADDOPTS, it is `-c <tests' own ini, or /dev/null>
//   --rootdir=/tests --confcutdir=/tests -p no:cacheprovider`, plus `--noconftest` where tests/
//   has no conftest.py: a planted /app/pytest.ini, pyproject.toml, setup.cfg is never read, nor
//   a planted conftest.py (unless the task ships a conftest.py and collects tests in the
//   workspace). A task that grades by running tests living in the workspace sets PYTEST_ADDOPTS
//   itself, and is forgeable by construction.
// - git: core.fsmonitor, core.hooksPath, core.pager, core.sshCommand and diff.external are
//   overridden through GIT_CONFIG_COUNT (it outranks the workspace's .git/config), unless the
//   task sets GIT_CONFIG_COUNT itself. Filter drivers (.gitattributes + filter.<name>.clean) cannot
//   be switched off without their names: a test.sh that runs git on the workspace trusts them.
// - What test.sh leaves is read back by safeReadFile: no link followed, no FIFO opened blocking,
//   regular files only, a byte cap; any breach is a GraderError naming the rule, and no file
//   content but a valid number ever reaches the record.
// Not covered, by nature: code the tests themselves import from the workspace runs in the
// verifier, and `python -m` puts the working folder (the workspace) first on sys.path.
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { isInside } from '../agent/sandbox.js';
import { kindOf, lstatOrNull, safeReadFile } from '../os/safeRead.js';
import { SANDBOX_PATH } from '../sandbox/sandbox.js';
import type { TrialEnvironment } from '../tasks/environment.js';
import type { Task } from '../tasks/types.js';

export class GraderError extends Error {
  override name = 'GraderError';
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

export interface GraderResult {
  reward: number;
  output: string;
}

const REWARD_MAX_BYTES = 64 * 1024;
/** The tail of test.sh's output the record keeps. */
export const GRADER_OUTPUT_CHARS = 2048;

const tail = (text: string) => (text.length > GRADER_OUTPUT_CHARS ? `…${text.slice(-GRADER_OUTPUT_CHARS)}` : text);

/** The grader's HOME inside the sandbox: a fresh private tmpfs (see above). */
export const VERIFIER_HOME = '/bb-verifier-home'; // at the root: no WORKDIR but / can cover it
const INTERPRETER = '/bin/bash';
const SYSTEM_DIRS = SANDBOX_PATH.split(':');
const PYTEST_INI = ['pytest.ini', 'pyproject.toml', 'tox.ini', 'setup.cfg'];

/**
 * A copy the sandbox user may read (the suite itself may sit where it cannot). Links are copied
 * as links, never followed (inside the sandbox they cannot reach the host); a FIFO, socket or
 * device is refused, never opened; `from` itself must be a real folder.
 */
export function copyReadable(from: string, to: string): void {
  const st = lstatSync(from);
  if (!st.isDirectory()) throw new Error(`${from} ${kindOf(st)}, not a folder`);
  rmSync(to, { recursive: true, force: true });
  copyTree(from, to);
}

function copyTree(from: string, to: string): void {
  mkdirSync(to, { mode: 0o755 });
  chmodSync(to, 0o755);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dest = join(to, entry.name);
    const st = lstatSync(src);
    if (st.isDirectory()) copyTree(src, dest);
    else if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dest);
    else if (st.isFile()) {
      copyFileSync(src, dest);
      chmodSync(dest, 0o755);
    } else throw new Error(`${src} ${kindOf(st)}: refused`);
  }
}

/** A verdict-bearing file read back by the rules of ../os/safeRead.ts; undefined when absent. */
function readVerifierFile(dir: string, name: string, output: string): string | undefined {
  const read = safeReadFile(join(dir, name), { maxBytes: REWARD_MAX_BYTES, within: posix.dirname(dir) });
  if (read.ok) return read.text;
  if (read.missing) return undefined;
  throw new GraderError(`${name} ${read.rule}: refused`, output);
}

/** reward.txt holds one number; reward.json `{"reward": n}` or a single numeric value. */
export function readReward(logsDir: string, output: string): number {
  const txtText = readVerifierFile(logsDir, 'reward.txt', output);
  if (txtText !== undefined) {
    const text = txtText.trim();
    const value = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(value)) throw new GraderError(`reward.txt is not a number: ${JSON.stringify(text.slice(0, 80))}`, output);
    return value;
  }
  const jsonText = readVerifierFile(logsDir, 'reward.json', output);
  if (jsonText !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(jsonText);
    } catch (err) {
      throw new GraderError(`reward.json is not JSON: ${(err as Error).message}`, output);
    }
    const values = typeof parsed === 'object' && parsed !== null ? Object.entries(parsed as Record<string, unknown>) : [];
    const numbers = values.filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
    const reward = values.find(([k]) => k === 'reward')?.[1] ?? (numbers.length === 1 ? numbers[0]![1] : undefined);
    if (typeof reward !== 'number' || !Number.isFinite(reward)) throw new GraderError('reward.json has no numeric "reward"', output);
    return reward;
  }
  throw new GraderError('test.sh wrote no /logs/verifier/reward.txt or reward.json', output);
}

/** The task's PATH without entries the agent could write (inside the workspace, relative, empty), then the system folders. */
export function verifierPath(taskPath: string | undefined, workdir: string): string {
  const kept = (taskPath ?? '')
    .split(':')
    .filter((dir) => dir.startsWith('/'))
    .map((dir) => posix.normalize(dir))
    .filter((dir) => !isInside(workdir, dir));
  return [...new Set([...kept, ...SYSTEM_DIRS])].join(':');
}

/**
 * PYTEST_ADDOPTS that keep pytest's configuration to /tests (see above). --confcutdir only cuts
 * conftest.py files above /tests, not beside it: a test collected under the workspace would still
 * load the workspace's; so where the task ships no conftest.py, none is loaded at all.
 */
function pytestOpts(testsHost: string): string {
  const ini = PYTEST_INI.find((name) => lstatOrNull(join(testsHost, name))?.isFile());
  const hasConftest = readdirSync(testsHost, { recursive: true, encoding: 'utf8' }).some((rel) => posix.basename(rel) === 'conftest.py');
  return `-c ${ini ? `/tests/${ini}` : '/dev/null'} --rootdir=/tests --confcutdir=/tests -p no:cacheprovider${hasConftest ? '' : ' --noconftest'}`;
}

/**
 * git settings that outrank the workspace repository's own .git/config (GIT_CONFIG_COUNT is read
 * after every config file): a planted core.fsmonitor, hook or pager would run on `git status`.
 */
const GIT_OVERRIDES: Record<string, string> = { 'core.fsmonitor': 'false', 'core.hooksPath': '/dev/null', 'core.pager': 'cat', 'core.sshCommand': '/bin/false', 'diff.external': '' };

function gitOverrides(): Record<string, string> {
  const entries = Object.entries(GIT_OVERRIDES);
  const vars: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], i) => Object.assign(vars, { [`GIT_CONFIG_KEY_${i}`]: key, [`GIT_CONFIG_VALUE_${i}`]: value }));
  return vars;
}

/** The variables test.sh runs with, over the environment's own (DESIGN §12; the rule at the top). */
export function verifierEnv(task: Task, env: TrialEnvironment, testsHost: string): Record<string, string> {
  const own = task.config.verifierEnv;
  const taskSet = (name: string) => name in env.env || name in own;
  return {
    PYTHONNOUSERSITE: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    ...(!taskSet('PYTEST_ADDOPTS') && { PYTEST_ADDOPTS: pytestOpts(testsHost) }),
    ...(!taskSet('GIT_CONFIG_COUNT') && gitOverrides()),
    ...own,
    PATH: verifierPath(own.PATH ?? env.env.PATH, env.workdir),
    HOME: VERIFIER_HOME, // over any the task sets: never the workspace
  };
}

/** The workspace must not cover what the verifier runs from (a WORKDIR of / or /usr). */
function coveredByWorkspace(workdir: string): string | null {
  const hit = [INTERPRETER, '/usr/bin', VERIFIER_HOME, '/tests', '/logs'].find((path) => isInside(workdir, path));
  return hit ? `the workspace (${workdir}) covers ${hit}, which the verifier must trust` : null;
}

/** Runs the task's test.sh on the workspace; `scratch` is the trial's own host folder. */
export async function runGrader(task: Task, env: TrialEnvironment, scratch: string, signal?: AbortSignal): Promise<GraderResult> {
  const covered = coveredByWorkspace(env.workdir);
  if (covered) throw new GraderError(covered, '');
  const tests = join(scratch, 'tests');
  const logs = join(scratch, 'logs');
  copyReadable(task.testsDir, tests);
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(join(logs, 'verifier'), { recursive: true });
  chmodSync(logs, 0o755);
  chmodSync(join(logs, 'verifier'), 0o777); // the sandbox user writes its reward here
  const timeoutS = task.config.verifierTimeoutS;
  const exit = await env.exec([INTERPRETER, '/tests/test.sh'], {
    binds: [{ host: tests, at: '/tests' }, { host: logs, at: '/logs' }],
    env: verifierEnv(task, env, tests),
    home: VERIFIER_HOME,
    timeoutMs: timeoutS * 1000,
    ...(signal && { signal }),
  });
  const output = tail(exit.output);
  if (exit.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
  if (exit.timedOut) throw new GraderError(`test.sh ran past its ${timeoutS} s ([verifier] timeout_sec) and was killed`, output);
  return { reward: readReward(join(logs, 'verifier'), output), output };
}
