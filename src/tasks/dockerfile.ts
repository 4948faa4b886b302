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

const IGNORED = new Set(['LABEL', 'CMD', 'ENTRYPOINT', 'EXPOSE', 'MAINTAINER', 'STOPSIGNAL', 'HEALTHCHECK', 'ARG']);
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

function parseEnv(args: string, env: Record<string, string>): void {
  const words = shellWords(args);
  if (words.length >= 2 && !words[0]!.includes('=')) {
    env[words[0]!] = args.slice(args.indexOf(words[0]!) + words[0]!.length).trim(); // legacy `ENV KEY value`
    return;
  }
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1);
  }
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

/** Reads the Dockerfile; `ok: false` says why only Docker can build it. */
export function planForBwrap(text: string): BwrapPlan {
  let from: string | null = null;
  let workdir = '/';
  let sawWorkdir = false;
  const copies: CopyStep[] = [];
  const env: Record<string, string> = {};
  for (const line of dockerfileLines(text)) {
    const [word = '', ...rest] = line.split(/\s+/);
    const instruction = word.toUpperCase();
    const args = rest.join(' ');
    if (instruction === 'FROM') {
      if (from !== null) return { ok: false, reason: `needs docker: a multi-stage build (${line})` };
      from = args;
    } else if (instruction === 'WORKDIR') {
      workdir = posix.resolve(workdir, args);
      sawWorkdir = true;
    } else if (instruction === 'ENV') parseEnv(args, env);
    else if (instruction === 'COPY') {
      const step = parseCopy(line, args, sawWorkdir ? workdir : DEFAULT_WORKDIR);
      if ('ok' in step) return step;
      copies.push(step);
    } else if (!IGNORED.has(instruction)) return needsDocker(line);
  }
  if (from === null) return { ok: false, reason: 'the Dockerfile has no FROM' };
  const finalWorkdir = sawWorkdir ? workdir : DEFAULT_WORKDIR;
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
