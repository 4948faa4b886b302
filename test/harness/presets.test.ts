// Presets are tested by the exact argv, env and HOME files they build; lanes.yaml `harnesses:`
// is validated like lanes, with file, line and field.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOME_AT, IO_AT, PROXY_PORT, STAND_IN_KEY } from '../../src/harness/external.js';
import { harnessCatalog } from '../../src/harness/presets.js';
import { harnessFor, knownHarnessIds } from '../../src/harness/registry.js';
import { fillHarness, type TemplateValues } from '../../src/harness/spec.js';
import { loadManifest, ManifestError } from '../../src/lanes/manifest.js';
import { tempDir } from '../helpers/tmp.js';


const PROMPT = 'Fix "it"; rm -rf / && echo $HOME `id`';
const values = (api: 'openai' | 'anthropic'): TemplateValues => ({
  prompt: PROMPT,
  prompt_file: `${IO_AT}/prompt.md`,
  base_url: `http://127.0.0.1:${PROXY_PORT}${api === 'openai' ? '/v1' : ''}`,
  model: 'qwen3-30b',
  api_key: STAND_IN_KEY,
});
const filled = (id: string) => {
  const spec = harnessCatalog().get(id)!;
  return fillHarness(spec, values(spec.api));
};

describe('harness presets build the command their users type', () => {
  it('ships pi, qwen-code, opencode, aider, claude-code, codex and hermes beside builtin, oracle and null', () => {
    expect(knownHarnessIds()).toEqual(['builtin', 'oracle', 'null', 'pi', 'qwen-code', 'opencode', 'aider', 'claude-code', 'codex', 'hermes']);
  });

  it('pi: print mode, offline, no session file, telemetry off, its models.json provider in HOME', () => {
    const pi = filled('pi');
    expect(pi.argv).toEqual(['pi', '--print', '--offline', '--no-session', '--provider', 'brainbench', '--model', 'qwen3-30b', PROMPT]);
    expect(pi.env).toEqual({ PI_TELEMETRY: '0' });
    const models = JSON.parse(pi.files['.pi/agent/models.json']!);
    expect(models.providers.brainbench).toEqual({ baseUrl: 'http://127.0.0.1:8080/v1', api: 'openai-completions', apiKey: STAND_IN_KEY, models: [{ id: 'qwen3-30b' }] });
  });

  it('qwen-code: flags and env point at the proxy; yolo approval; the prompt is one positional element', () => {
    const q = filled('qwen-code');
    expect(q.argv).toEqual(['qwen', '--auth-type', 'openai', '--openai-base-url', 'http://127.0.0.1:8080/v1', '--openai-api-key', STAND_IN_KEY, '--model', 'qwen3-30b', '--approval-mode', 'yolo', PROMPT]);
    expect(q.env).toEqual({ OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1', OPENAI_API_KEY: STAND_IN_KEY, OPENAI_MODEL: 'qwen3-30b' });
    // no background "managed memory" request, no telemetry, no update check
    expect(JSON.parse(q.files['.qwen/settings.json']!)).toEqual({
      security: { auth: { selectedType: 'openai' } }, privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false }, general: { enableAutoUpdate: false }, memory: { enableManagedAutoMemory: false },
    });
  });

  it('codex: exec mode, its Responses provider in ~/.codex/config.toml, the stand-in key in env', () => {
    const c = filled('codex');
    expect(c.argv).toEqual(['codex', 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--ephemeral', '--color', 'never', '-m', 'qwen3-30b', PROMPT]);
    expect(c.env).toEqual({ OPENAI_API_KEY: STAND_IN_KEY });
    const toml = c.files['.codex/config.toml']!;
    expect(toml).toContain('model = "qwen3-30b"\nmodel_provider = "brainbench"\n');
    expect(toml).toContain('[analytics]\nenabled = false\n');
    expect(toml).toContain('base_url = "http://127.0.0.1:8080/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"\n');
  });

  it('each node CLI gets at least 32 GiB of address space (WebAssembly), as a hard bound', () => {
    for (const id of ['pi', 'qwen-code', 'opencode', 'claude-code', 'codex']) {
      const spec = harnessCatalog().get(id)!;
      expect(spec.limits!.address_space_gb, id).toBeGreaterThanOrEqual(32);
      expect(fillHarness(spec, values(spec.api)).addressSpaceBytes).toBe(spec.limits!.address_space_gb * 1024 ** 3);
    }
  });

  it('claude-code speaks Anthropic: base URL without /v1, the stand-in token', () => {
    const c = filled('claude-code');
    expect(c.argv).toEqual(['claude', '--print', '--dangerously-skip-permissions', '--model', 'qwen3-30b', PROMPT]);
    expect(c.env).toMatchObject({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:8080', ANTHROPIC_AUTH_TOKEN: STAND_IN_KEY });
  });

  it('opencode, aider and hermes', () => {
    // --auto: access outside the workspace is not auto-rejected; --title: no title request
    expect(filled('opencode').argv).toEqual(['opencode', 'run', '--auto', '--title', 'brainbench-trial', '--model', 'brainbench/qwen3-30b', PROMPT]);
    expect(filled('opencode').env).toEqual({ OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1' });
    expect(JSON.parse(filled('opencode').files['.config/opencode/opencode.json']!).provider.brainbench.options.baseURL).toBe('http://127.0.0.1:8080/v1');
    expect(filled('aider').argv.slice(0, 7)).toEqual(['aider', '--model', 'openai/qwen3-30b', '--openai-api-base', 'http://127.0.0.1:8080/v1', '--openai-api-key', STAND_IN_KEY]);
    expect(filled('aider').argv.slice(-2)).toEqual(['--message', PROMPT]);
    expect(filled('hermes').argv).toEqual(['hermes', 'chat', '--oneshot', '--query', PROMPT]);
    expect(filled('hermes').files['.hermes/config.yaml']).toContain('base_url: http://127.0.0.1:8080/v1');
    expect(HOME_AT).toBe('/home/agent');
  });

  it('an unknown harness id lists the known ones', () => {
    expect(() => harnessFor('nope')).toThrow(/unknown harness 'nope' \(harnesses: builtin, oracle, null, pi, qwen-code/);
  });
});

function manifestFile(harnesses: string): string {
  const dir = tempDir('bb-harness-yaml-');
  const file = join(dir, 'lanes.yaml');
  writeFileSync(file, `version: 1\nlanes:\n  - id: demo\n    kind: demo\nharnesses:\n${harnesses}`);
  return file;
}

async function problem(harnesses: string): Promise<ManifestError> {
  const err = await loadManifest(manifestFile(harnesses)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ManifestError);
  return err as ManifestError;
}

describe('lanes.yaml harnesses:', () => {
  it('declares a CLI (command as typed) and overrides a preset by id', async () => {
    const file = manifestFile('  - id: mine\n    command: my-agent --yes {prompt}\n  - id: pi\n    command: [pi, -p, "{prompt}"]\n    api: openai\n');
    const manifest = await loadManifest(file);
    const catalog = harnessCatalog(manifest.harnesses);
    expect(catalog.get('mine')!.command).toEqual(['my-agent', '--yes', '{prompt}']);
    expect(catalog.get('pi')!.command).toEqual(['pi', '-p', '{prompt}']);
    expect(catalog.get('pi')!.source).toBe(file);
  });

  it('an unknown placeholder is refused with file, line and field', async () => {
    const err = await problem('  - id: mine\n    command: [my-agent, "{prompt}"]\n    env:\n      URL: "{base_uri}"\n');
    expect([err.line, err.field]).toEqual([9, 'harnesses[0].env.URL']);
    expect(err.expected).toContain('unknown placeholder {base_uri}');
    expect(err.message).toContain('lanes.yaml:9:');
  });

  it('a command without the prompt, an unknown field, a builtin id, a duplicate id, a HOME file outside HOME', async () => {
    expect((await problem('  - id: mine\n    command: my-agent --yes\n')).expected).toContain('{prompt} or {prompt_file}');
    const typo = await problem('  - id: mine\n    command: a {prompt}\n    enviroment: {}\n');
    expect([typo.line, typo.field]).toEqual([8, 'harnesses[0].enviroment']);
    expect(typo.expected).toContain('(id, command, api, env, files, install, limits)');
    expect((await problem('  - id: oracle\n    command: a {prompt}\n')).field).toBe('harnesses[0].id');
    const dup = await problem('  - id: a\n    command: a {prompt}\n  - id: a\n    command: b {prompt}\n');
    expect([dup.field, dup.line]).toEqual(['harnesses[1].id', 8]);
    expect((await problem('  - id: a\n    command: a {prompt}\n    files:\n      ../.ssh/x: hi\n')).field).toMatch(/^harnesses\[0\]\.files/);
    expect((await problem('  - id: a\n    command: a {prompt}\n    api: grpc\n')).expected).toContain('openai or anthropic');
  });

  it('limits: address_space_gb defaults to 32, is a whole number of GiB, nothing else is a limit', async () => {
    const manifest = await loadManifest(manifestFile('  - id: a\n    command: a {prompt}\n  - id: b\n    command: b {prompt}\n    limits: { address_space_gb: 48 }\n'));
    expect(manifest.harnesses!.map((h) => h.limits)).toEqual([{ address_space_gb: 32 }, { address_space_gb: 48 }]);
    for (const bad of ['0', '2.5', '"lots"', '100000']) {
      const err = await problem(`  - id: a\n    command: a {prompt}\n    limits: { address_space_gb: ${bad} }\n`);
      expect([err.field, err.expected], bad).toEqual(['harnesses[0].limits.address_space_gb', expect.stringContaining('a whole number of GiB from 1 to 1024')]);
    }
    expect((await problem('  - id: a\n    command: a {prompt}\n    limits: { memory_gb: 8 }\n')).field).toBe('harnesses[0].limits.memory_gb');
  });
});
