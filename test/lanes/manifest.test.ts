import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findManifestPath, loadManifest, ManifestError } from '../../src/lanes/manifest.js';
import { packageRoot } from '../../src/paths.js';
import { tempDir, writeManifest } from './helpers.js';

async function refusal(text: string, env: NodeJS.ProcessEnv = {}): Promise<ManifestError> {
  const file = writeManifest(text);
  const err = await loadManifest(file, env).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ManifestError);
  const error = err as ManifestError;
  expect(error.file).toBe(file);
  const what = error.field === '(yaml syntax)' ? 'YAML syntax error: ' : `${error.field}: expected`;
  expect(error.message).toContain(`${file}:${error.line}:${error.column}: ${what}`);
  return error;
}

const good = `version: 1
defaults:
  host: 127.0.0.1
  ready_timeout_s: 60
lanes:
  - id: q4
    kind: llamacpp
    model: ~/models/q.gguf
    port: 8080
    ctx: 4096
    args: [-ngl, "99"]
  - id: fp8
    kind: vllm
    image: nvcr.io/nvidia/vllm:25.09-py3
    model: Qwen/Qwen3-30B-A3B-FP8
    port: 8000
    ready_timeout_s: 1200
  - id: nim
    kind: nim
    image: nvcr.io/nim/x:latest
    port: 8000
    env:
      NGC_API_KEY: "\${NGC_API_KEY}"
      LOG_LEVEL: info
  - id: remote
    kind: openai
    base_url: http://10.0.0.2:8001/v1/
    api_key: "Bearer-\${REMOTE_KEY}"
  - id: demo
    kind: demo
`;

describe('loadManifest: a valid file', () => {
  it('resolves defaults, expands ${ENV} and ~, and lists secrets', async () => {
    const m = await loadManifest(writeManifest(good), { NGC_API_KEY: 'nvapi-secret-123', REMOTE_KEY: 'rk-999999', HOME: '/home/x' });
    expect(m.lanes.map((l) => l.id)).toEqual(['q4', 'fp8', 'nim', 'remote', 'demo']);
    const [q4, fp8, nim, remote, demo] = m.lanes;
    expect(q4).toMatchObject({ kind: 'llamacpp', host: '127.0.0.1', port: 8080, ready_timeout_s: 60, stop_timeout_s: 15, ctx: 4096, args: ['-ngl', '99'] });
    expect(q4!.model).toMatch(/\/models\/q\.gguf$/);
    expect(q4!.model!.startsWith('~')).toBe(false);
    expect(fp8).toMatchObject({ ready_timeout_s: 1200, args: [], env: {} });
    expect(nim!.env).toEqual({ NGC_API_KEY: 'nvapi-secret-123', LOG_LEVEL: 'info' });
    expect(remote).toMatchObject({ host: '10.0.0.2', port: 8001, base_url: 'http://10.0.0.2:8001/v1', api_key: 'Bearer-rk-999999' });
    expect(demo).toMatchObject({ port: 0, ready_timeout_s: 60 });
    // literal env values are not secrets; expanded ones and api keys are
    expect(m.secrets).toEqual(expect.arrayContaining(['nvapi-secret-123', 'rk-999999', 'Bearer-rk-999999']));
    expect(m.secrets).not.toContain('info');
  });

  it('the shipped lanes.yaml loads: three Spark lanes plus demo', async () => {
    const m = await loadManifest(join(packageRoot, 'lanes.yaml'), { NGC_API_KEY: 'k-123456' });
    expect(m.lanes.map((l) => l.kind)).toEqual(['llamacpp', 'vllm', 'nim', 'demo']);
    expect(m.lanes[0]).toMatchObject({ id: 'qwen3-30b-moe-llamacpp-q4km', port: 8080, ctx: 64000, args: ['-ngl', '99', '--jinja'] });
    expect(m.lanes[1]).toMatchObject({ id: 'qwen3-30b-moe-vllm-fp8', max_model_len: 64000, gpu_memory_utilization: 0.75, tool_call_parser: 'hermes' });
  });

  it("missingEnv: 'defer' loads the file and marks only the lane that needs the variable", async () => {
    const m = await loadManifest(join(packageRoot, 'lanes.yaml'), {}, { missingEnv: 'defer' });
    const nim = m.lanes.find((l) => l.kind === 'nim')!;
    expect(nim.unresolved).toMatch(/lanes\[2\]\.env\.NGC_API_KEY: expected environment variable NGC_API_KEY to be set/);
    expect(m.lanes.filter((l) => l.unresolved)).toHaveLength(1);
  });
});

describe('loadManifest: broken files are refused with line, column, field and what was expected', () => {
  it('bad YAML syntax', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: [llamacpp\n');
    expect(e.field).toBe('(yaml syntax)');
    expect([e.line, e.column]).toEqual([4, 11]); // where the '[' opened, not where the parser gave up
    expect(e.expected).toMatch(/valid YAML/);
    expect(e.message).toMatch(/'\[' is never closed/);
  });

  it('unknown kind', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: ollama\n    port: 1\n');
    expect([e.line, e.column, e.field]).toEqual([4, 11, 'lanes[0].kind']);
    expect(e.expected).toBe('one of llamacpp, vllm, nim, openai, demo');
  });

  it('missing id', async () => {
    const e = await refusal('version: 1\nlanes:\n  - kind: llamacpp\n    model: m.gguf\n    port: 8080\n');
    expect([e.line, e.column, e.field]).toEqual([3, 5, 'lanes[0].id']);
    expect(e.expected).toMatch(/lane id/);
  });

  it('duplicate id', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: demo\n  - id: a\n    kind: demo\n');
    expect([e.line, e.column, e.field]).toEqual([5, 9, 'lanes[1].id']);
    expect(e.expected).toMatch(/unique id .*lanes\[0\]/);
  });

  it('port not a number', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: llamacpp\n    model: m.gguf\n    port: eighty\n');
    expect([e.line, e.column, e.field]).toEqual([6, 11, 'lanes[0].port']);
    expect(e.expected).toMatch(/port number/);
  });

  it('port out of range', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: llamacpp\n    model: m.gguf\n    port: 70000\n');
    expect([e.line, e.column, e.field]).toEqual([6, 11, 'lanes[0].port']);
    expect(e.expected).toBe('a port number 1–65535');
  });

  it('missing model for llamacpp (points at the lane)', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: llamacpp\n    port: 8080\n');
    expect([e.line, e.column, e.field]).toEqual([3, 5, 'lanes[0].model']);
    expect(e.expected).toMatch(/model path/);
  });

  it('missing image for vllm', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: ok\n    kind: demo\n  - id: v\n    kind: vllm\n    model: Qwen/Q\n    port: 8000\n');
    expect([e.line, e.column, e.field]).toEqual([5, 5, 'lanes[1].image']);
    expect(e.expected).toMatch(/container image/);
  });

  it('unknown top-level key, with a suggestion', async () => {
    const e = await refusal('version: 1\ndefault:\n  host: 0.0.0.0\nlanes:\n  - id: a\n    kind: demo\n');
    expect([e.line, e.column, e.field]).toEqual([2, 1, 'default']);
    expect(e.expected).toMatch(/'defaults'/);
  });

  it('unknown lane key points at the key', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: llamacpp\n    model: m.gguf\n    port: 8080\n    context: 4096\n');
    expect([e.line, e.column, e.field]).toEqual([7, 5, 'lanes[0].context']);
    expect(e.expected).toMatch(/known fields \(.*ctx.*\) instead of 'context'/);
  });

  it('missing env variable is named', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: n\n    kind: nim\n    image: i\n    port: 8000\n    env:\n      NGC_API_KEY: "${NGC_API_KEY}"\n');
    expect([e.line, e.column, e.field]).toEqual([8, 20, 'lanes[0].env.NGC_API_KEY']);
    expect(e.expected).toMatch(/environment variable NGC_API_KEY to be set/);
  });

  it('bad version', async () => {
    const e = await refusal('version: 2\nlanes:\n  - id: a\n    kind: demo\n');
    expect([e.line, e.column, e.field]).toEqual([1, 10, 'version']);
    expect(e.expected).toMatch(/version: 1/);
  });

  it('wrong type for args', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: llamacpp\n    model: m.gguf\n    port: 8080\n    args: -ngl 99\n');
    expect([e.line, e.column, e.field]).toEqual([7, 11, 'lanes[0].args']);
    expect(e.expected).toMatch(/list of strings/);
  });

  it('a number inside args must be quoted', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: llamacpp\n    model: m.gguf\n    port: 8080\n    args: [-ngl, 99]\n');
    expect([e.line, e.column, e.field]).toEqual([7, 18, 'lanes[0].args[1]']);
  });

  it('empty file', async () => {
    const e = await refusal('');
    expect(e.field).toBe('(top level)');
    expect(e.expected).toMatch(/version: 1 and lanes/);
  });

  it('a missing file', async () => {
    const err = await loadManifest(join(tempDir(), 'nope.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).expected).toMatch(/no such file/);
  });

  it('lists every problem, the first one in the fields', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: llamacpp\n    model: m.gguf\n    port: x\n  - id: b\n    kind: vllm\n    port: 1\n');
    expect(e.problems.map((p) => p.field)).toEqual(['lanes[0].port', 'lanes[1].image', 'lanes[1].model']);
    expect(e.message.split('\n').filter((line) => /lanes\.yaml:\d+:\d+: /.test(line))).toHaveLength(3);
  });
});

describe('findManifestPath', () => {
  it('flag, then $BRAINBENCH_LANES, then ./lanes.yaml, then the config dir, then the package', () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const config = join(dir, 'cfg');
      expect(findManifestPath('x.yaml', {})).toBe(join(dir, 'x.yaml'));
      expect(findManifestPath(undefined, { BRAINBENCH_LANES: 'env.yaml' })).toBe(join(dir, 'env.yaml'));
      expect(findManifestPath(undefined, { XDG_CONFIG_HOME: config })).toBe(join(packageRoot, 'lanes.yaml'));
      mkdirSync(join(config, 'brainbench'), { recursive: true });
      writeFileSync(join(config, 'brainbench', 'lanes.yaml'), '');
      expect(findManifestPath(undefined, { XDG_CONFIG_HOME: config })).toBe(join(config, 'brainbench', 'lanes.yaml'));
      writeFileSync(join(dir, 'lanes.yaml'), '');
      expect(findManifestPath(undefined, { XDG_CONFIG_HOME: config })).toBe(join(dir, 'lanes.yaml'));
    } finally {
      process.chdir(cwd);
    }
  });
});
