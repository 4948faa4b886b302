// Loads a suite in any of its shapes (DESIGN §4):
//   - a JSON object file {suite, notes?, prompts: [...]} (published), with ground_truth.json
//     and scratch/ beside it when present;
//   - a directory with data/train.jsonl, ground_truth.json, scratch/ (published);
//   - a bare .jsonl file (no ground truth, empty scratch);
//   - brainbench's own directory: prompts.jsonl, ground_truth.json, scratch/, suite.json?
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { isMap, isNode, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { codeFrame } from '../sourceFrame.js';
import type { Prompt, Sampling, Suite } from '../types.js';
import { firstSyntaxError } from '../yamlSyntax.js';
import { isTaskSuiteDir } from '../tasks/load.js';
import { SuiteError } from './errors.js';
import { buildPrompt, PromptError } from './prompt.js';
import { EMPTY_TREE_HASH, hashTree, readRegularFileSync } from './scratch.js';
import { groundTruthSchema, suiteMetaSchema, suiteObjectSchema } from './schema.js';

/** Any one suite file (prompts, suite.json, ground truth) larger than this is refused unread. */
export const MAX_SUITE_FILE_BYTES = 16 * 1024 * 1024;

const EXPECTED_SHAPES =
  'expected a suite: a .json file {suite, prompts}, a .jsonl file, or a directory holding prompts.jsonl or data/train.jsonl';

/** A prompt object as read, before validation, with the line it starts on. */
interface RawPrompt {
  value: unknown;
  line: number;
}

/** What a shape reader found: the prompts and where everything else lives. */
interface SuiteSource {
  name: string;
  promptFile: string;
  prompts: RawPrompt[];
  /** Bytes the suite hash covers, in order (prompt definitions, suite.json). */
  hashed: Buffer[];
  /** The directory that may hold ground_truth.json and scratch/; none for a bare .jsonl. */
  home?: string;
  notes?: string;
  sampling: Sampling;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Line and column (1-based) of a JSON syntax error, where JSON.parse or the YAML parser can tell. */
function jsonErrorAt(text: string, err: Error): { line: number; column: number } | undefined {
  // JSON.parse gives a position for some errors (a trailing comma); the YAML parser (JSON is YAML) a place for others.
  const position = /at position (\d+)/.exec(err.message)?.[1];
  if (position === undefined) return firstSyntaxError(text);
  const before = text.slice(0, Number(position)).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/** Parses the text of a JSON file; invalid JSON is a SuiteError naming the file and, where it can, the line, shown with a caret. */
function parseJsonObject(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const at = jsonErrorAt(text, err as Error);
    const detail = `invalid JSON: ${(err as Error).message}`;
    if (at === undefined) throw new SuiteError(file, detail);
    throw new SuiteError(file, `${detail}\n${codeFrame(text, at.line, at.column)}`, { line: at.line });
  }
}

function schemaError(file: string, issue: z.core.$ZodIssue): SuiteError {
  const field = issue.path.map(String).join('.') || undefined;
  return new SuiteError(file, issue.message.replace(/^Invalid input: /, ''), field === undefined ? {} : { field });
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Reads a suite file whole, after checking its size: a huge file is refused, not loaded into memory,
 * and a FIFO or device is refused unopened (a FIFO would block loading for good).
 */
async function readSuiteFile(file: string): Promise<Buffer> {
  const { size } = await stat(file);
  if (size > MAX_SUITE_FILE_BYTES) {
    throw new SuiteError(file, `file is ${megabytes(size)}; a suite file may be at most ${megabytes(MAX_SUITE_FILE_BYTES)}`);
  }
  return readRegularFileSync(file, MAX_SUITE_FILE_BYTES, { follow: true });
}

async function readOptional(file: string): Promise<Buffer | undefined> {
  try {
    return await readSuiteFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function readJsonl(file: string, bytes: Buffer): RawPrompt[] {
  const prompts: RawPrompt[] = [];
  stripBom(bytes.toString('utf8'))
    .split(/\r?\n/)
    .forEach((text, index) => {
      if (text.trim() === '') return;
      try {
        prompts.push({ value: JSON.parse(text) as unknown, line: index + 1 });
      } catch (err) {
        throw new SuiteError(file, `invalid JSON: ${(err as Error).message}`, { line: index + 1 });
      }
    });
  return prompts;
}

/** 1-based start line of each element of the top-level `prompts` array (1 where unknown). */
function promptLines(text: string, count: number): number[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const root = doc.contents;
  const seq = isMap(root) ? root.get('prompts', true) : undefined;
  return Array.from({ length: count }, (_, i) => {
    const item: unknown = isSeq(seq) ? seq.items[i] : undefined;
    const offset = isNode(item) ? item.range?.[0] : undefined;
    return offset === undefined ? 1 : lineCounter.linePos(offset).line;
  });
}

async function readJsonObjectSuite(file: string, bytes: Buffer): Promise<SuiteSource> {
  const text = stripBom(bytes.toString('utf8'));
  const parsed = suiteObjectSchema.safeParse(parseJsonObject(file, text));
  if (!parsed.success) throw schemaError(file, parsed.error.issues[0]!);
  const lines = promptLines(text, parsed.data.prompts.length);
  return {
    name: parsed.data.suite ?? basename(file, extname(file)),
    promptFile: file,
    prompts: parsed.data.prompts.map((value, i) => ({ value, line: lines[i]! })),
    hashed: [bytes],
    home: resolve(file, '..'),
    notes: parsed.data.notes,
    sampling: parsed.data.sampling ?? {},
  };
}

async function readBuiltinDir(dir: string): Promise<SuiteSource> {
  const promptFile = join(dir, 'prompts.jsonl');
  const bytes = await readSuiteFile(promptFile);
  const metaFile = join(dir, 'suite.json');
  const metaBytes = await readOptional(metaFile);
  const meta = metaBytes ? suiteMetaSchema.safeParse(parseJsonObject(metaFile, stripBom(metaBytes.toString('utf8')))) : undefined;
  if (meta && !meta.success) throw schemaError(metaFile, meta.error.issues[0]!);
  return {
    name: meta?.data.name ?? basename(dir),
    promptFile,
    prompts: readJsonl(promptFile, bytes),
    hashed: metaBytes ? [bytes, metaBytes] : [bytes],
    home: dir,
    notes: meta?.data.notes,
    sampling: meta?.data.sampling ?? {},
  };
}

async function readPublishedDir(dir: string): Promise<SuiteSource> {
  const promptFile = join(dir, 'data', 'train.jsonl');
  const bytes = await readSuiteFile(promptFile);
  return { name: basename(dir), promptFile, prompts: readJsonl(promptFile, bytes), hashed: [bytes], home: dir, sampling: {} };
}

async function readSource(path: string): Promise<SuiteSource> {
  if (!existsSync(path)) throw new SuiteError(path, `no such file or directory (${EXPECTED_SHAPES})`);
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'prompts.jsonl'))) return readBuiltinDir(path);
    if (existsSync(join(path, 'data', 'train.jsonl'))) return readPublishedDir(path);
    throw new SuiteError(path, `no prompts.jsonl or data/train.jsonl in this directory (${EXPECTED_SHAPES})`);
  }
  const bytes = await readSuiteFile(path);
  if (extname(path).toLowerCase() === '.jsonl') {
    return { name: basename(path, extname(path)), promptFile: path, prompts: readJsonl(path, bytes), hashed: [bytes], sampling: {} };
  }
  return readJsonObjectSuite(path, bytes);
}

async function readGroundTruth(file: string): Promise<{ bytes?: Buffer; values: Record<string, unknown> }> {
  const bytes = await readOptional(file);
  if (!bytes) return { values: {} };
  const parsed = groundTruthSchema.safeParse(parseJsonObject(file, stripBom(bytes.toString('utf8'))));
  if (!parsed.success) throw new SuiteError(file, 'expected a JSON object of ground-truth values');
  return { bytes, values: parsed.data };
}

function scratchDirOf(home: string): string | undefined {
  const dir = join(home, 'scratch');
  const stats = lstatSync(dir, { throwIfNoEntry: false });
  if (stats === undefined) return undefined;
  // lstat: a scratch/ that is a link would hand a host folder to every attempt
  if (!stats.isDirectory()) throw new SuiteError(dir, 'expected scratch/ to be a directory of fixture files (not a link)');
  return dir;
}

/** Loads and validates a suite; every problem is a SuiteError naming file, line and field. */
export async function loadSuite(path: string): Promise<Suite> {
  const absolute = resolve(path);
  if (isTaskSuiteDir(absolute)) throw new SuiteError(absolute, 'this is a task suite (Harbor task folders), not a prompt suite; `brainbench run --suite` runs it (src/tasks)');
  const source = await readSource(absolute);
  const groundTruthFile = source.home === undefined ? undefined : join(source.home, 'ground_truth.json');
  const groundTruth = groundTruthFile ? await readGroundTruth(groundTruthFile) : { values: {} };
  const scratchDir = source.home === undefined ? undefined : scratchDirOf(source.home);

  const prompts: Prompt[] = [];
  const firstLineOfId = new Map<string, number>();
  for (const { value, line } of source.prompts) {
    let prompt: Prompt;
    try {
      prompt = buildPrompt(value, { file: source.promptFile, line }, groundTruth.values);
    } catch (err) {
      if (!(err instanceof PromptError)) throw err;
      const hint = !groundTruth.bytes && err.message.startsWith('unresolved placeholder') ? ' (this suite has no ground_truth.json)' : '';
      throw new SuiteError(source.promptFile, err.message + hint, { line, ...(err.field !== undefined && { field: err.field }) });
    }
    const first = firstLineOfId.get(prompt.id);
    if (first !== undefined) {
      throw new SuiteError(source.promptFile, `duplicate id '${prompt.id}' (first defined on line ${first})`, { line, field: 'id' });
    }
    firstLineOfId.set(prompt.id, line);
    prompts.push(prompt);
  }
  if (prompts.length === 0) throw new SuiteError(source.promptFile, 'the suite has no prompts');

  const hash = createHash('sha256');
  for (const bytes of [...source.hashed, ...(groundTruth.bytes ? [groundTruth.bytes] : [])]) hash.update(bytes);

  return {
    name: source.name,
    path: absolute,
    hash: hash.digest('hex'),
    prompts,
    groundTruth: groundTruth.values,
    ...(scratchDir !== undefined && { scratchDir }),
    fixtureHash: scratchDir === undefined ? EMPTY_TREE_HASH : hashTree(scratchDir),
    sampling: source.sampling,
    ...(source.notes !== undefined && { notes: source.notes }),
  };
}
