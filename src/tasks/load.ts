// Loads a task suite: a folder of Harbor task folders (DESIGN §12), unmodified. Every problem is
// a TaskError naming the task, the file and, in task.toml, the field and its line.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { isInside } from '../agent/sandbox.js';
import { LIMITS } from '../cli/args.js';
import { oneLine } from '../safeText.js';
import { SuiteError } from '../suite/errors.js';
import { specialKind } from '../os/safeRead.js';
import { hashTree, readRegularFileSync, UnsafeFileError } from '../suite/scratch.js';
import type { Task, TaskConfig, TaskSuite } from './types.js';

/** Harbor's defaults when task.toml leaves a timeout out. */
export const DEFAULT_AGENT_TIMEOUT_S = 600;
export const DEFAULT_VERIFIER_TIMEOUT_S = 600;
const MAX_TASK_FILE_BYTES = 1024 * 1024;
/** A task id becomes a path segment: letters, digits, `.`, `_`, `-`, not starting with a dot. */
const TASK_ID = /^[A-Za-z0-9][\w.-]{0,99}$/;

export class TaskError extends SuiteError {
  constructor(
    readonly task: string,
    file: string,
    detail: string,
    where: { line?: number; field?: string } = {},
  ) {
    super(file, `task '${task}': ${detail}`, where);
    this.name = 'TaskError';
  }
}

/** A folder is a task suite when some sub-folder holds task.toml or instruction.md (Harbor's shape). */
export function isTaskSuiteDir(path: string): boolean {
  try {
    if (!statSync(path).isDirectory()) return false;
    return readdirSync(path, { withFileTypes: true }).some(
      (e) => e.isDirectory() && (existsSync(join(path, e.name, 'task.toml')) || existsSync(join(path, e.name, 'instruction.md'))),
    );
  } catch {
    return false;
  }
}

/** The 1-based line of `key` inside `[table]` (or at the top level), for error messages. */
export function tomlLineOf(text: string, table: string | null, key: string): number | undefined {
  let current: string | null = null;
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header) current = header[1]!;
    else if (current === table && new RegExp(`^\\s*"?${key}"?\\s*=`).test(line)) return i + 1;
  }
  if (table !== null) {
    const at = lines.findIndex((l) => new RegExp(`^\\s*\\[\\s*${table}\\s*\\]`).test(l));
    if (at >= 0) return at + 1;
  }
  return undefined;
}

/** A task file's text; it may be a link only to a file inside the task folder (checkTaskTree ran first). */
function readText(task: string, file: string): string {
  try {
    return readRegularFileSync(file, MAX_TASK_FILE_BYTES, { follow: true }).toString('utf8');
  } catch (err) {
    if (err instanceof UnsafeFileError) throw new TaskError(task, file, err.detail);
    throw err;
  }
}

const REFUSED = 'a task may hold only regular files, folders and links that stay inside its folder; refused unopened';

/** Refuses a link leaving `root` (judged by where it finally points) or reaching a FIFO, device or socket. */
function checkLink(task: string, root: string, path: string): void {
  const target = readlinkSync(path);
  const shownTarget = oneLine(target); // a link target is data: no escape sequences reach a terminal
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    real = resolve(realpathSync(dirname(path)), target); // dangling: judge where it points
  }
  if (!isInside(root, real)) throw new TaskError(task, path, `a link pointing outside the task folder (-> ${shownTarget}); ${REFUSED}`);
  const stats = statSync(real, { throwIfNoEntry: false });
  const kind = stats && specialKind(stats);
  if (kind) throw new TaskError(task, path, `a link to ${kind} (-> ${shownTarget}); ${REFUSED}`);
}

/**
 * Task folders are untrusted input (DESIGN §12): every entry below `dir` is looked at with lstat
 * before anything is read, so a FIFO (which would block loading), a device or socket, or a link
 * to a host file (instruction.md -> ~/.ssh/id_rsa would be sent to the lane) refuses the task.
 */
function checkTaskTree(task: string, dir: string): void {
  const root = realpathSync(dir);
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isSymbolicLink()) checkLink(task, root, path);
      else if (!entry.isFile()) throw new TaskError(task, path, `${specialKind(entry) ?? 'an unknown kind of file'}; ${REFUSED}`);
    }
  };
  walk(dir);
}

type Table = Record<string, unknown>;

function tableOf(task: string, file: string, text: string, doc: Table, name: string): Table {
  const value = doc[name];
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TaskError(task, file, `expected [${name}] to be a table`, { field: name, line: tomlLineOf(text, null, name) });
  }
  return value as Table;
}

/** What a number from task.toml shows as in an error (TOML has inf, nan and big integers). */
const shown = (value: unknown): string => (typeof value === 'number' || typeof value === 'bigint' ? String(value) : JSON.stringify(value) ?? String(value));

/** A timeout, within the bounds of the --timeout flag (so every timer stays one Node honours). */
function seconds(task: string, file: string, text: string, table: string, values: Table, fallback: number): number {
  const value = values.timeout_sec;
  if (value === undefined) return fallback;
  const max = LIMITS.timeout.max;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    const at = { field: `${table}.timeout_sec`, line: tomlLineOf(text, table, 'timeout_sec') };
    throw new TaskError(task, file, `expected a positive number of seconds, at most ${max} (${max / 3600} h, as --timeout), got ${shown(value)}`, at);
  }
  return value;
}

function turnBudget(task: string, file: string, text: string, agent: Table): number | undefined {
  const budget = agent.turn_budget;
  const max = LIMITS['turn-budget'].max;
  if (budget !== undefined && (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1 || budget > max)) {
    const at = { field: 'agent.turn_budget', line: tomlLineOf(text, 'agent', 'turn_budget') };
    throw new TaskError(task, file, `expected a whole number of turns from 1 to ${max} (as --turn-budget), got ${shown(budget)}`, at);
  }
  return budget;
}

/** task.toml: TOML syntax errors with their line, then the fields brainbench reads. */
export function parseTaskToml(task: string, file: string, text: string): TaskConfig {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const first = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    throw new TaskError(task, file, `invalid TOML: ${first}\n${err.message.split('\n').slice(1).join('\n')}`.trimEnd(), { line: err.line });
  }
  const agent = tableOf(task, file, text, doc, 'agent');
  const verifier = tableOf(task, file, text, doc, 'verifier');
  const env = verifier.env ?? {};
  const badEnv = typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string');
  if (badEnv) {
    throw new TaskError(task, file, 'expected a table of strings', { field: 'verifier.env', line: tomlLineOf(text, 'verifier', 'env') });
  }
  const budget = turnBudget(task, file, text, agent);
  return {
    agentTimeoutS: seconds(task, file, text, 'agent', agent, DEFAULT_AGENT_TIMEOUT_S),
    verifierTimeoutS: seconds(task, file, text, 'verifier', verifier, DEFAULT_VERIFIER_TIMEOUT_S),
    verifierEnv: env as Record<string, string>,
    ...(budget !== undefined && { turnBudget: budget }),
    raw: doc,
  };
}

function requireFile(task: string, dir: string, rel: string): string {
  const file = join(dir, rel);
  if (!existsSync(file) || !statSync(file).isFile()) throw new TaskError(task, file, `missing ${rel} (every task needs one)`);
  return file;
}

function optionalDir(dir: string, name: string): string | null {
  const path = join(dir, name);
  return existsSync(path) && statSync(path).isDirectory() ? path : null;
}

export function loadTask(dir: string): Task {
  const id = basename(dir);
  if (!TASK_ID.test(id)) throw new TaskError(id, dir, 'a task folder name must be letters, digits, ".", "_" or "-" (it becomes a path)');
  checkTaskTree(id, dir);
  const instruction = readText(id, requireFile(id, dir, 'instruction.md'));
  if (instruction.trim() === '') throw new TaskError(id, join(dir, 'instruction.md'), 'instruction.md is empty');
  const tomlFile = requireFile(id, dir, 'task.toml');
  const config = parseTaskToml(id, tomlFile, readText(id, tomlFile));
  requireFile(id, dir, join('tests', 'test.sh'));
  const solutionDir = optionalDir(dir, 'solution');
  return {
    id,
    dir,
    instruction,
    config,
    environmentDir: optionalDir(dir, 'environment'),
    testsDir: join(dir, 'tests'),
    solutionDir: solutionDir && existsSync(join(solutionDir, 'solve.sh')) ? solutionDir : null,
  };
}

export function loadTaskSuite(path: string): TaskSuite {
  const root = resolve(path);
  const names = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const tasks = names.map((name) => loadTask(join(root, name)));
  if (tasks.length === 0) throw new SuiteError(root, 'the task suite has no task folders');
  const hash = createHash('sha256');
  for (const task of tasks) hash.update(`${task.id}\0${hashTree(task.dir)}\0`);
  return { name: basename(root), path: root, hash: hash.digest('hex'), tasks };
}
