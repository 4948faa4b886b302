// lanes.yaml: find it, parse it with positions, expand ${ENV}, validate, and resolve defaults.
import { constants, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { suggest } from '../cli/args.js';
import { packageRoot } from '../paths.js';
import type { LaneKind, Sampling } from '../types.js';
import { describeSyntaxError } from '../yamlSyntax.js';
import { ManifestError, SYNTAX, type Problem } from './manifestError.js';
import { ENV_REF, knownKeys, manifestSchema, type LaneDoc, type ManifestDoc } from './schema.js';
import { expandHome, userConfigDir } from './userDirs.js';
import type { HarnessSpec } from '../harness/spec.js';

export { ManifestError };

export interface LaneSpec {
  id: string;
  kind: LaneKind;
  host: string;
  /** openai: the port of base_url; demo: 0 means any free port. */
  port: number;
  ready_timeout_s: number;
  stop_timeout_s: number;
  model?: string;
  bin?: string;
  ctx?: number;
  args: string[];
  image?: string;
  max_model_len?: number;
  gpu_memory_utilization?: number;
  tool_call_parser?: string;
  env: Record<string, string>;
  base_url?: string;
  api_key?: string;
  brain?: string;
  tok_per_sec?: number;
  slots?: number;
  sampling?: Sampling;
  /** Managed lanes: drop the page cache before loading (needs root). */
  drop_caches?: boolean;
  /**
   * Set only when loaded with { missingEnv: 'defer' }: why the lane cannot be used (a ${VAR} it
   * needs is not set). The rest of the file still loads, so one unset key does not hide every lane.
   */
  unresolved?: string;
}

export interface LoadOptions {
  /** 'error' (default): a missing ${VAR} refuses the file. 'defer': only the lane using it is unusable. */
  missingEnv?: 'error' | 'defer';
}

export interface Manifest {
  file: string;
  lanes: LaneSpec[];
  /** Every value that came from a ${ENV} expansion in env/api_key (and literal api_keys), for redaction. */
  secrets: string[];
  /** The `harnesses:` section (src/harness): declared agent CLIs, over the built-in presets. */
  harnesses?: HarnessSpec[];
}

/** A lanes.yaml larger than this is refused unread (a real one is a few KB). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Alias expansions allowed while building the data (the yaml package's guard; a real file has a few). */
const MAX_ALIAS_COUNT = 100;

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_STOP_TIMEOUT_S = 15;
/** Managed lanes load models (minutes for a 30B on a Spark); remote and demo lanes answer at once. */
const DEFAULT_READY_TIMEOUT_S: Record<LaneKind, number> = { llamacpp: 900, vllm: 900, nim: 900, openai: 30, demo: 30 };

/** --lanes-file, else $BRAINBENCH_LANES, else ./lanes.yaml, else <config>/brainbench/lanes.yaml, else the package's. */
export function findManifestPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.BRAINBENCH_LANES) return resolve(env.BRAINBENCH_LANES);
  const candidates = [resolve('lanes.yaml'), join(userConfigDir(env), 'lanes.yaml')];
  return candidates.find((p) => existsSync(p)) ?? join(packageRoot, 'lanes.yaml');
}

type Path = (string | number)[];

function fieldName(path: Path): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '') || '(top level)';
}

/** The node at `path`, or the deepest existing ancestor (a missing key points at its mapping). */
function nodeAt(doc: Document, path: Path, wantKey = false): Node | null {
  let node: unknown = doc.contents;
  for (const [i, seg] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
      if (!pair) return node;
      const last = i === path.length - 1;
      node = wantKey && last ? pair.key : (pair.value ?? pair.key);
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg];
    } else {
      break;
    }
  }
  return (node as Node | null) ?? null;
}

class Positions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  problem(path: Path, expected: string, opts: { key?: boolean } = {}): Problem {
    const node = nodeAt(this.doc, path, opts.key);
    const pos = this.lines.linePos(node?.range?.[0] ?? 0);
    return { line: pos.line, column: pos.col, field: fieldName(path), expected };
  }
}

function knownKeysAt(path: Path, value: unknown): string[] {
  if (path.length === 0) return knownKeys.top;
  if (path[0] === 'defaults') return path.length === 1 ? knownKeys.defaults : knownKeys.sampling;
  if (path[0] === 'harnesses') return knownKeys.harness;
  if (path.length >= 3) return knownKeys.sampling; // lanes[i].sampling
  const kind = (value as { kind?: string } | undefined)?.kind;
  return kind && kind in knownKeys.lane ? knownKeys.lane[kind as LaneKind] : [];
}

function valueAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, seg) => (v as Record<string | number, unknown> | undefined)?.[seg], root);
}

function issueProblems(issue: z.core.$ZodIssue, pos: Positions, data: unknown): Problem[] {
  const path = issue.path as Path;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path, valueAt(data, path));
    return issue.keys.map((key) => {
      const hint = suggest(key, known);
      const expected = hint ? `'${hint}' instead of unknown field '${key}'` : `one of the known fields (${known.join(', ')}) instead of '${key}'`;
      return pos.problem([...path, key], expected, { key: true });
    });
  }
  return [pos.problem(path, issue.message)];
}

/** env and api_key values are secrets: whatever ${VAR} put there must never be printed. */
function isSecretPath(path: Path): boolean {
  return path.at(-1) === 'api_key' || path.at(-2) === 'env';
}

/** Expands ${VAR} in every string, in place; records secret values; a missing variable is a problem. */
function expandEnv(value: unknown, path: Path, env: NodeJS.ProcessEnv, pos: Positions, out: { problems: Problem[]; secrets: string[] }): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (ref, name: string) => {
      const found = env[name];
      if (found === undefined) {
        out.problems.push(pos.problem(path, `environment variable ${name} to be set (${ref} is used here; export ${name}=… or remove the lane)`));
        return ref;
      }
      if (isSecretPath(path) && found) out.secrets.push(found);
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, [...path, i], env, pos, out));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, [...path, k], env, pos, out)]));
  }
  return value;
}

function duplicateIds(doc: ManifestDoc, pos: Positions): Problem[] {
  const problems: Problem[] = [];
  for (const section of ['lanes', 'harnesses'] as const) {
    const seen = new Map<string, number>();
    (doc[section] ?? []).forEach((entry, i) => {
      const first = seen.get(entry.id);
      if (first === undefined) seen.set(entry.id, i);
      else problems.push(pos.problem([section, i, 'id'], `a unique id ('${entry.id}' is already the id of ${section}[${first}])`));
    });
  }
  return problems;
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function toSpec(lane: LaneDoc, defaults: ManifestDoc['defaults']): LaneSpec {
  const d = defaults ?? {};
  const sampling = d.sampling || lane.sampling ? { ...d.sampling, ...lane.sampling } : undefined;
  const base = {
    id: lane.id,
    kind: lane.kind,
    host: lane.host ?? d.host ?? DEFAULT_HOST,
    ready_timeout_s: lane.ready_timeout_s ?? d.ready_timeout_s ?? DEFAULT_READY_TIMEOUT_S[lane.kind],
    stop_timeout_s: lane.stop_timeout_s ?? d.stop_timeout_s ?? DEFAULT_STOP_TIMEOUT_S,
    env: { ...d.env, ...lane.env },
    args: [] as string[],
    ...(sampling ? { sampling } : {}),
  };
  if (lane.kind !== 'openai' && lane.kind !== 'demo' && lane.drop_caches !== undefined) Object.assign(base, { drop_caches: lane.drop_caches });
  switch (lane.kind) {
    case 'llamacpp':
      return { ...base, port: lane.port, model: expandHome(lane.model), bin: lane.bin && expandHome(lane.bin), ctx: lane.ctx, args: lane.args ?? [] };
    case 'vllm':
      return {
        ...base,
        port: lane.port,
        image: lane.image,
        model: lane.model,
        max_model_len: lane.max_model_len,
        gpu_memory_utilization: lane.gpu_memory_utilization,
        tool_call_parser: lane.tool_call_parser,
        args: lane.args ?? [],
      };
    case 'nim':
      return { ...base, port: lane.port, image: lane.image, args: lane.args ?? [] };
    case 'openai': {
      const url = new URL(lane.base_url);
      return { ...base, host: url.hostname, port: portOf(url), base_url: lane.base_url.replace(/\/+$/, ''), api_key: lane.api_key, model: lane.model };
    }
    case 'demo':
      return { ...base, port: lane.port ?? 0, brain: lane.brain, tok_per_sec: lane.tok_per_sec, slots: lane.slots };
  }
}

/** Drops keys whose value is undefined, so specs compare and print cleanly. */
function compact<T extends object>(spec: T): T {
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as T;
}

const fileProblem = (expected: string): Problem => ({ line: 1, column: 1, field: '(file)', expected });

/**
 * The file's text, read with a byte cap from a regular file only (a FIFO or device would block or
 * never end). Binary content and an empty file are refused here, so every failure names the file.
 */
async function readManifestText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new ManifestError(file, [fileProblem('a regular file (this is a FIFO, device, socket or folder)')]);
      if (info.size > MAX_MANIFEST_BYTES) {
        throw new ManifestError(file, [fileProblem(`a lanes.yaml of at most ${MAX_MANIFEST_BYTES / 1024} KB (this file is ${(info.size / 1024 / 1024).toFixed(1)} MB)`)]);
      }
      // one byte past the cap: a file that grew after the stat is still refused, never read whole
      const buf = Buffer.alloc(MAX_MANIFEST_BYTES + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_MANIFEST_BYTES) throw new ManifestError(file, [fileProblem(`a lanes.yaml of at most ${MAX_MANIFEST_BYTES / 1024} KB (it grew while being read)`)]);
      bytes = buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ManifestError(file, [fileProblem(`a readable lanes.yaml (${reason})`)]);
  }
  return decodeText(file, bytes);
}

function decodeText(file: string, bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    if (nul >= 0) throw new Error(`a NUL byte at offset ${nul}`);
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new ManifestError(file, [fileProblem(`a YAML text file (this looks binary: ${nul >= 0 ? (err as Error).message : 'it is not UTF-8 text'})`)]);
  }
  if (text.trim() === '') throw new ManifestError(file, [{ ...fileProblem('a mapping with version: 1 and lanes: (the file is empty)'), field: '(top level)' }]);
  return text;
}

/** The document as plain data; an alias bomb (billion laughs) is refused at its first alias, naming the file. */
function documentData(file: string, source: string, doc: Document, lines: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    let at = 0;
    visit(doc, {
      Alias(_, node) {
        at = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const pos = lines.linePos(at);
    const detail = `aliases expand too far (a YAML alias bomb?): ${(err as Error).message}`;
    throw new ManifestError(file, [{ line: pos.line, column: pos.col, field: SYNTAX, expected: 'valid YAML', detail }], source);
  }
}

/** Reads, validates and resolves a lanes.yaml. Throws ManifestError naming file, line, column and field. */
export async function loadManifest(path: string, env: NodeJS.ProcessEnv = process.env, opts: LoadOptions = {}): Promise<Manifest> {
  const file = resolve(path);
  const source = await readManifestText(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    // the first error only: the parser's later ones are nearly always echoes of it
    const at = describeSyntaxError(source, doc.errors[0]!, lineCounter);
    throw new ManifestError(file, [{ line: at.line, column: at.column, field: SYNTAX, expected: 'valid YAML', detail: at.message }], source);
  }
  const pos = new Positions(doc, lineCounter);
  const expansion = { problems: [] as Problem[], secrets: [] as string[] };
  const data = expandEnv(documentData(file, source, doc, lineCounter), [], env, pos, expansion);
  const deferred = new Map<number, string>();
  for (const problem of expansion.problems) {
    const lane = /^lanes\[(\d+)\]/.exec(problem.field)?.[1];
    if (opts.missingEnv !== 'defer' || lane === undefined) throw new ManifestError(file, expansion.problems, source);
    if (!deferred.has(Number(lane))) deferred.set(Number(lane), new ManifestError(file, [problem]).summary);
  }

  const parsed = manifestSchema.safeParse(data ?? undefined);
  if (!parsed.success) throw new ManifestError(file, parsed.error.issues.flatMap((issue) => issueProblems(issue, pos, data)), source);
  const duplicates = duplicateIds(parsed.data, pos);
  if (duplicates.length > 0) throw new ManifestError(file, duplicates, source);

  const lanes = parsed.data.lanes.map((lane, i) => compact({ ...toSpec(lane, parsed.data.defaults), unresolved: deferred.get(i) }));
  const literalKeys = lanes.flatMap((l) => (l.api_key ? [l.api_key] : []));
  const harnesses = (parsed.data.harnesses ?? []).map((h): HarnessSpec => ({ ...h, source: file }));
  return { file, lanes, harnesses, secrets: [...new Set([...expansion.secrets, ...literalKeys])] };
}
