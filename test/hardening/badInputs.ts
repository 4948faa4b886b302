// The malformed suites and lanes files of issue 8 (item 3), shared by bad-input.test.ts and
// `npm run chaos`: each case says where (file, line, field) and what the refusal must say.
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest, ManifestError } from '../../src/lanes/manifest.js';
import { SuiteError } from '../../src/suite/errors.js';
import { loadSuite } from '../../src/suite/load.js';
import { tempDir } from './harness.js';

const ok = (id: string) => ({ id, prompt: `prompt ${id}`, check: { kind: 'honesty' } });
const line = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

export interface SuiteCase {
  name: string;
  /** relative path → content (objects become JSON; arrays of rows become JSONL); a number: a sparse file of that size. */
  files: Record<string, string | number | unknown[] | object>;
  /** What to load, relative to the temp dir (default: the dir). */
  load?: string;
  file: string;
  line?: number;
  field?: string;
  message: RegExp;
}

export const FIFTY_MB = 50 * 1024 * 1024;

export const suiteCases: SuiteCase[] = [
  { name: 'a prompt line that is an array', files: { 'prompts.jsonl': [ok('a'), [1, 2]] }, file: 'prompts.jsonl', line: 2, message: /expected a JSON object, got an array/ },
  { name: 'a prompt line that is null', files: { 'prompts.jsonl': [ok('a'), ok('b'), 'null'] }, file: 'prompts.jsonl', line: 3, message: /expected a JSON object, got null/ },
  { name: 'a numeric id', files: { 'prompts.jsonl': [{ ...ok('a'), id: 7 }] }, file: 'prompts.jsonl', line: 1, field: 'id', message: /expected string/ },
  { name: 'an empty prompt', files: { 'prompts.jsonl': [{ ...ok('a'), prompt: '' }] }, file: 'prompts.jsonl', line: 1, field: 'prompt', message: /at least 1|>=1|too small/i },
  { name: 'expect_tool_any as a string', files: { 'prompts.jsonl': [{ ...ok('a'), expect_tool_any: 'read_file' }] }, file: 'prompts.jsonl', line: 1, field: 'expect_tool_any', message: /expected array/ },
  { name: 'turn_budget 0', files: { 'prompts.jsonl': [ok('x'), { ...ok('a'), turn_budget: 0 }] }, file: 'prompts.jsonl', line: 2, field: 'turn_budget', message: /too small|>0/i },
  { name: 'a negative numeric tolerance', files: { 'prompts.jsonl': [{ id: 'a', prompt: 'x', check: { kind: 'numeric', value: 3, tolerance: -1 } }] }, file: 'prompts.jsonl', line: 1, field: 'check.tolerance', message: /too small|>=0/i },
  { name: 'inject_tool_failure.times 0', files: { 'prompts.jsonl': [{ ...ok('a'), inject_tool_failure: { tool: 'read_file', times: 0 } }] }, file: 'prompts.jsonl', line: 1, field: 'inject_tool_failure.times', message: /too small|>0/i },
  { name: 'json_keys without keys', files: { 'prompts.jsonl': [{ id: 'a', prompt: 'x', check: { kind: 'json_keys', keys: [] } }] }, file: 'prompts.jsonl', line: 1, field: 'check.keys', message: /at least one key/ },
  { name: 'a regex check without patterns', files: { 'prompts.jsonl': [{ id: 'a', prompt: 'x', check: { kind: 'regex', all: [] } }] }, file: 'prompts.jsonl', line: 1, field: 'check.all', message: /at least one pattern/ },
  { name: 'a numeric placeholder that is not a number', files: { 'prompts.jsonl': [{ id: 'a', prompt: 'x', check: { kind: 'numeric', value: '{{name}}' } }], 'ground_truth.json': { name: 'ORION' } }, file: 'prompts.jsonl', line: 1, field: 'check.value', message: /ORION|number/ },
  { name: 'a placeholder that resolves to null', files: { 'prompts.jsonl': [{ id: 'a', prompt: 'x', check: { kind: 'substring', any: ['{{gone}}'] } }], 'ground_truth.json': { gone: null } }, file: 'prompts.jsonl', line: 1, field: 'check.any[0]', message: /resolves to null/ },
  { name: 'an unknown check kind in the JSON shape, with its line', files: { 's.json': `{\n  "suite": "s",\n  "prompts": [\n    ${line(ok('a'))},\n    {"id": "b", "prompt": "x", "check": {"kind": "fuzzy"}}\n  ]\n}\n` }, load: 's.json', file: 's.json', line: 5, field: 'check.kind', message: /unknown check kind 'fuzzy'/ },
  { name: 'a duplicate id in the JSON shape, with its line', files: { 's.json': `{"prompts": [\n${line(ok('a'))},\n${line(ok('a'))}\n]}` }, load: 's.json', file: 's.json', line: 3, field: 'id', message: /duplicate id 'a' \(first defined on line 2\)/ },
  { name: 'prompts that is not a list', files: { 's.json': { suite: 's', prompts: { a: 1 } } }, load: 's.json', file: 's.json', field: 'prompts', message: /expected array/ },
  { name: 'suite.json with a bad sampling type', files: { 'prompts.jsonl': [ok('a')], 'suite.json': { sampling: { temperature: 'hot' } } }, file: 'suite.json', field: 'sampling.temperature', message: /expected number/ },
  { name: 'ground_truth.json with a trailing comma, with its line', files: { 'prompts.jsonl': [ok('a')], 'ground_truth.json': '{\n  "a": 1,\n  "b": 2,\n}\n' }, file: 'ground_truth.json', line: 4, message: /invalid JSON/ },
  { name: 'binary garbage after a BOM', files: { 'prompts.jsonl': '\uFEFF\u0000\u0001\u00ff garbage\n' }, file: 'prompts.jsonl', line: 1, message: /invalid JSON/ },
  { name: 'a published directory whose train.jsonl is broken', files: { 'data/train.jsonl': `${line(ok('a'))}\n{"id": "b"\n` }, file: 'data/train.jsonl', line: 2, message: /invalid JSON/ },
  { name: 'a 50 MB prompts.jsonl', files: { 'prompts.jsonl': FIFTY_MB }, file: 'prompts.jsonl', message: /file is 50\.0 MB; a suite file may be at most 16\.0 MB/ },
  { name: 'a 50 MB ground_truth.json', files: { 'prompts.jsonl': [ok('a')], 'ground_truth.json': FIFTY_MB }, file: 'ground_truth.json', message: /file is 50\.0 MB/ },
  { name: 'a 50 MB single-file suite', files: { 'big.json': FIFTY_MB }, load: 'big.json', file: 'big.json', message: /file is 50\.0 MB/ },
];

function writeFiles(dir: string, files: SuiteCase['files']): void {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    if (typeof content === 'number') {
      writeFileSync(path, '');
      truncateSync(path, content); // sparse: the size without the disk
    } else if (Array.isArray(content)) {
      writeFileSync(path, content.map(line).join('\n') + '\n');
    } else {
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    }
  }
}

/** Loads the case; returns the SuiteError (or a description of what happened instead). */
export async function suiteRefusal(c: SuiteCase): Promise<{ dir: string; err: unknown }> {
  const dir = tempDir('bb-bad-suite-');
  writeFiles(dir, c.files);
  const err = await loadSuite(join(dir, c.load ?? '')).then(
    () => 'loaded',
    (e: unknown) => e,
  );
  return { dir, err };
}

export interface LanesCase {
  name: string;
  /** lanes.yaml text, or a size for a sparse file. */
  text: string | number;
  line: number;
  field: string;
  expected: RegExp;
}

const head = 'version: 1\nlanes:\n';

export const lanesCases: LanesCase[] = [
  { name: 'a tab in the indentation', text: `${head}  - id: a\n\tkind: demo\n`, line: 4, field: '(yaml syntax)', expected: /valid YAML/ },
  { name: 'an unclosed flow sequence', text: `${head}  - id: a\n    kind: llamacpp\n    args: [-ngl, "99"\n`, line: 5, field: '(yaml syntax)', expected: /valid YAML/ },
  { name: 'a lane id with spaces', text: `${head}  - id: my lane\n    kind: demo\n`, line: 3, field: 'lanes[0].id', expected: /letters, digits/ },
  { name: 'an openai base_url that is not a URL', text: `${head}  - id: r\n    kind: openai\n    base_url: not a url\n`, line: 5, field: 'lanes[0].base_url', expected: /URL|url/ },
  { name: 'top_p above 1', text: `${head}  - id: a\n    kind: demo\n    sampling:\n      top_p: 2\n`, line: 6, field: 'lanes[0].sampling.top_p', expected: /\(0, 1\]/ },
  { name: 'gpu_memory_utilization above 1', text: `${head}  - id: v\n    kind: vllm\n    image: x\n    model: y\n    port: 8000\n    gpu_memory_utilization: 1.5\n`, line: 8, field: 'lanes[0].gpu_memory_utilization', expected: /fraction/ },
  { name: 'a negative ready timeout in defaults', text: `version: 1\ndefaults:\n  ready_timeout_s: -5\nlanes:\n  - id: a\n    kind: demo\n`, line: 3, field: 'defaults.ready_timeout_s', expected: /> 0/ },
  { name: 'lanes that is a mapping', text: 'version: 1\nlanes:\n  a: demo\n', line: 3, field: 'lanes', expected: /list|array/i },
  { name: 'an env value that is a number', text: `${head}  - id: n\n    kind: nim\n    image: x\n    port: 8000\n    env:\n      LOG: 3\n`, line: 8, field: 'lanes[0].env.LOG', expected: /string/ },
  { name: 'a 2 MB lanes.yaml', text: 2 * 1024 * 1024, line: 1, field: '(file)', expected: /at most 1024 KB \(this file is 2\.0 MB\)/ },
];


/** Writes the case's lanes.yaml and loads it; returns the file and what was thrown ('loaded' if nothing). */
export async function lanesRefusal(c: LanesCase): Promise<{ file: string; err: unknown }> {
  const file = join(tempDir('bb-bad-lanes-'), 'lanes.yaml');
  if (typeof c.text === 'number') {
    writeFileSync(file, '');
    truncateSync(file, c.text);
  } else {
    writeFileSync(file, c.text);
  }
  const err = await loadManifest(file, {}).then(
    () => 'loaded',
    (e: unknown) => e,
  );
  return { file, err };
}

/** What is wrong with a suite refusal; empty when it names the file, line and field and says why. */
export function suiteRefusalProblems(c: SuiteCase, { dir, err }: { dir: string; err: unknown }): string[] {
  if (!(err instanceof SuiteError)) return [`not refused as a SuiteError: ${String(err)}`];
  const problems: string[] = [];
  const want = { file: join(dir, c.file), line: c.line, field: c.field };
  const got = { file: err.file, line: err.line, field: err.field };
  if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`at ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  if (!c.message.test(err.message)) problems.push(`message '${err.message}' does not match ${c.message}`);
  if (!err.message.includes(c.line === undefined ? c.file : `${c.file}:${c.line}:`)) problems.push('the message does not name the file and line');
  return problems;
}

/** What is wrong with a lanes.yaml refusal; empty when it names the file, line, column and field. */
export function lanesRefusalProblems(c: LanesCase, { file, err }: { file: string; err: unknown }): string[] {
  if (!(err instanceof ManifestError)) return [`not refused as a ManifestError: ${String(err)}`];
  const problems: string[] = [];
  const want = { file, line: c.line, field: c.field };
  const got = { file: err.file, line: err.line, field: err.field };
  if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`at ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  if (!c.expected.test(err.expected)) problems.push(`'expected ${err.expected}' does not match ${c.expected}`);
  // a syntax error names its place and the parser's complaint; a schema error the field and what was expected
  const named = err.field === '(yaml syntax)' ? 'YAML syntax error' : `${err.field}: expected`;
  if (!err.message.includes(`${file}:${err.line}:${err.column}: ${named}`)) problems.push(`the message does not name file:line:column: ${named}`);
  return problems;
}
