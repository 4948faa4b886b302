// What a task's Dockerfile asks for, and whether bubblewrap can honour it on the host's read-only
// system (DESIGN §12): FROM (one stage, any plain base), WORKDIR, COPY from the build context into
// the workspace, ENV. Instructions that change no file (LABEL, CMD, …) are ignored; anything else
// means the task needs Docker, and the reason says which line.
import { posix } from 'node:path';

export interface CopyStep {
  sources: string[];
  /** Absolute destination inside the image. */
  dest: string;
  /** Docker's rule: a destination ending in `/` (or several sources) is a folder. */
  intoFolder: boolean;
}

export interface DockerfilePlan {
  from: string;
  /** The last WORKDIR (where the workspace is mounted); /app when the file sets none. */
  workdir: string;
  copies: CopyStep[];
  env: Record<string, string>;
}

export type BwrapPlan = { ok: true; plan: DockerfilePlan } | { ok: false; reason: string };

const IGNORED = new Set(['LABEL', 'CMD', 'ENTRYPOINT', 'EXPOSE', 'MAINTAINER', 'STOPSIGNAL', 'HEALTHCHECK']);
export const DEFAULT_WORKDIR = '/app';

/** Logical lines: `\` continuations joined, comments and blank lines dropped. */
export function dockerfileLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*#/.test(raw) && pending === '') continue;
    const continued = /\\\s*$/.test(raw);
    pending += continued ? raw.replace(/\\\s*$/, ' ') : raw;
    if (continued) continue;
    if (pending.trim() !== '') out.push(pending.trim());
    pending = '';
  }
  if (pending.trim() !== '') out.push(pending.trim());
  return out;
}

function shellWords(text: string): string[] {
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed as string[];
    } catch {
      // not the exec form after all
    }
  }
  // a word is quoted and bare pieces run together (`X="a b"`), quotes removed
  const words = text.match(/(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^\s"']+)+/g) ?? [];
  return words.map((w) => w.replace(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g, (_, d: string | undefined, s: string | undefined) => d ?? s ?? ''));
}

/**
 * Docker's PATH before the first ENV: what the plain bases (debian, ubuntu, alpine) set, and what
 * `$PATH` expands to in `ENV PATH="/app/.venv/bin:$PATH"`.
 */
export const DOCKER_DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A line Docker itself would refuse (an unclosed quote, `${X:?}`); planForBwrap says so. */
class DockerfileSyntaxError extends Error {}

/**
 * Docker's word splitting for ENV/ARG (moby's parseWords): whitespace outside quotes separates
 * words; quotes and `\` escapes stay in the word for expandWord to remove.
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    let ch = text[i]!;
    if (!quote && /\s/.test(ch)) {
      if (inWord) words.push(word);
      [word, inWord] = ['', false];
      continue;
    }
    inWord = true;
    if (quote && ch === quote) quote = '';
    else if (!quote && (ch === '"' || ch === "'")) quote = ch;
    if (ch === '\\' && quote !== "'") {
      if (i + 1 === text.length) continue; // a trailing escape is dropped
      word += ch;
      ch = text[++i]!;
    }
    word += ch;
  }
  if (inWord) words.push(word);
  return words;
}

/** One word after quote removal and `$VAR` / `${VAR}` / `${VAR:-x}` / `${VAR:+x}` expansion, as Docker's shell lexer does. */
export function expandWord(text: string, vars: Readonly<Record<string, string>>): string {
  let at = 0;
  const fail = (what: string): never => {
    throw new DockerfileSyntaxError(what);
  };
  const name = (): string => /^(?:[A-Za-z_]\w*|\d+)/.exec(text.slice(at))?.[0] ?? '';
  const dollar = (): string => {
    if (text[at] !== '{') {
      const n = name();
      at += n.length;
      return n === '' ? '$' : (vars[n] ?? '');
    }
    at++;
    const n = name();
    at += n.length;
    if (n === '') fail(`bad substitution in '${text}'`);
    const value = vars[n];
    const op = /^:?[-+]/.exec(text.slice(at))?.[0];
    if (text[at] === '}') {
      at++;
      return value ?? '';
    }
    if (at >= text.length) fail(`missing '}' in '${text}'`);
    if (op === undefined) return fail(`unsupported substitution in '${text}' (brainbench reads $X, \${X}, \${X:-d}, \${X:+a})`);
    at += op.length;
    const word = until('}');
    const set = op.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    if (op.endsWith('-')) return set ? value! : word;
    return set ? word : '';
  };
  const quoted = (close: string): string => {
    let out = '';
    for (;;) {
      if (at >= text.length) fail(`unclosed ${close === '"' ? 'double' : 'single'} quote in '${text}'`);
      const ch = text[at++]!;
      if (ch === close) return out;
      if (close === '"' && ch === '$') out += dollar();
      else if (close === '"' && ch === '\\' && '"$\\'.includes(text[at] ?? '')) out += text[at++]!;
      else if (!(close === '"' && ch === '\\' && at === text.length)) out += ch;
    }
  };
  function until(stop: string | null): string {
    let out = '';
    while (at < text.length && text[at] !== stop) {
      const ch = text[at++]!;
      if (ch === "'" || ch === '"') out += quoted(ch);
      else if (ch === '$') out += dollar();
      else if (ch === '\\') out += text[at++] ?? '';
      else out += ch;
    }
    if (stop !== null && text[at++] !== stop) fail(`missing '${stop}' in '${text}'`);
    return out;
  }
  return until(null);
}

/**
 * `ENV K=V K2=V2` or the legacy `ENV K value`: every value expands against `vars` as they were
 * before this line (Docker's rule: `ENV a=b c=$a` sees the old `a`).
 */
function parseEnv(args: string, vars: Readonly<Record<string, string>>): Record<string, string> {
  const words = splitWords(args);
  if (words.length === 0) throw new DockerfileSyntaxError('ENV needs at least one argument');
  if (!words[0]!.includes('=')) {
    const [key, value] = args.split(/\s+(.*)/s);
    if (value === undefined) throw new DockerfileSyntaxError(`ENV ${key} needs a value`);
    return { [expandWord(key!, vars)]: expandWord(value, vars) };
  }
  const set: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new DockerfileSyntaxError(`ENV expects name=value, got '${word}'`);
    set[expandWord(word.slice(0, eq), vars)] = expandWord(word.slice(eq + 1), vars);
  }
  return set;
}

/**
 * `ARG NAME[=default] …`: a default counts for expansion (an ENV of the same name wins); no build
 * args are passed here. A bare `ARG NAME` after FROM takes the default of an ARG before FROM.
 */
function parseArgs(args: string, vars: Readonly<Record<string, string>>, global: Readonly<Record<string, string>>): Record<string, string> {
  const set: Record<string, string> = {};
  for (const word of splitWords(args)) {
    const eq = word.indexOf('=');
    if (eq > 0) set[word.slice(0, eq)] = expandWord(word.slice(eq + 1), vars);
    else if (eq < 0 && global[word] !== undefined) set[word] = global[word];
  }
  return set;
}

function needsDocker(line: string): { ok: false; reason: string } {
  const shown = line.replace(/\s+/g, ' ');
  return { ok: false, reason: `needs docker: ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}` };
}

function parseCopy(line: string, args: string, workdir: string): CopyStep | { ok: false; reason: string } {
  const words = shellWords(args);
  const flags = words.filter((w) => w.startsWith('--'));
  if (flags.some((f) => f.startsWith('--from'))) return needsDocker(line);
  const paths = words.filter((w) => !w.startsWith('--'));
  if (paths.length < 2) return { ok: false, reason: `unreadable COPY: ${line}` };
  const sources = paths.slice(0, -1);
  if (sources.some((s) => /[*?[]/.test(s))) return { ok: false, reason: `COPY with a wildcard is not supported without docker: ${line}` };
  const rawDest = paths.at(-1)!;
  return { sources, dest: posix.resolve(workdir, rawDest), intoFolder: rawDest.endsWith('/') || sources.length > 1 };
}

/** What the instructions so far have set; `vars` is what `$X` expands against. */
interface PlanState {
  from: string | null;
  workdir: string;
  sawWorkdir: boolean;
  copies: CopyStep[];
  /** The Dockerfile's own ENV (only what it sets: the grader tells those from the defaults). */
  env: Record<string, string>;
  globalArgs: Record<string, string>;
  args: Record<string, string>;
}

const varsOf = (state: PlanState): Record<string, string> => ({ PATH: DOCKER_DEFAULT_PATH, ...state.args, ...state.env });

/** One instruction into `state`; a reason when only Docker can build it. */
function applyInstruction(state: PlanState, line: string): { ok: false; reason: string } | null {
  const word = /^\S+/.exec(line)?.[0] ?? '';
  const instruction = word.toUpperCase();
  const args = line.slice(word.length).trim();
  if (instruction === 'FROM') {
    if (state.from !== null) return { ok: false, reason: `needs docker: a multi-stage build (${line})` };
    state.from = args;
  } else if (instruction === 'WORKDIR') {
    state.workdir = posix.resolve(state.workdir, args);
    state.sawWorkdir = true;
  } else if (instruction === 'ENV') Object.assign(state.env, parseEnv(args, varsOf(state)));
  else if (instruction === 'ARG') {
    const scope = state.from === null ? state.globalArgs : state.args;
    Object.assign(scope, parseArgs(args, varsOf(state), state.globalArgs));
  } else if (instruction === 'COPY') {
    const step = parseCopy(line, args, state.sawWorkdir ? state.workdir : DEFAULT_WORKDIR);
    if ('ok' in step) return step;
    state.copies.push(step);
  } else if (!IGNORED.has(instruction)) return needsDocker(line);
  return null;
}

/** Reads the Dockerfile; `ok: false` says why only Docker can build it. */
export function planForBwrap(text: string): BwrapPlan {
  const state: PlanState = { from: null, workdir: '/', sawWorkdir: false, copies: [], env: {}, globalArgs: {}, args: {} };
  for (const line of dockerfileLines(text)) {
    try {
      const refused = applyInstruction(state, line);
      if (refused) return refused;
    } catch (err) {
      if (err instanceof DockerfileSyntaxError) return { ok: false, reason: `a Dockerfile line docker would refuse too: ${err.message}` };
      throw err;
    }
  }
  const { from, copies, env } = state;
  if (from === null) return { ok: false, reason: 'the Dockerfile has no FROM' };
  const finalWorkdir = state.sawWorkdir ? state.workdir : DEFAULT_WORKDIR;
  if (finalWorkdir === '/' || /^\/(usr|bin|sbin|lib\w*|etc|proc|dev|tmp)(\/|$)/.test(finalWorkdir)) {
    return { ok: false, reason: `needs docker: WORKDIR ${finalWorkdir} is not a workspace folder` };
  }
  const outside = copies.find((c) => c.dest !== finalWorkdir && !c.dest.startsWith(`${finalWorkdir}/`));
  if (outside) return { ok: false, reason: `needs docker: COPY to ${outside.dest}, outside the workspace ${finalWorkdir}` };
  return { ok: true, plan: { from, workdir: finalWorkdir, copies, env } };
}

/** The last WORKDIR of any Dockerfile (the Docker path mounts the workspace there). */
export function finalWorkdir(text: string): string {
  let workdir = '/';
  let saw = false;
  for (const line of dockerfileLines(text)) {
    const [word = '', ...rest] = line.split(/\s+/);
    if (word.toUpperCase() === 'WORKDIR') {
      workdir = posix.resolve(workdir, rest.join(' '));
      saw = true;
    }
  }
  return saw ? workdir : DEFAULT_WORKDIR;
}
