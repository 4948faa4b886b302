// Swap safety (issue 12, DESIGN §15): a swap checks that the target can start (binary, model file,
// image) before it stops the resident lane; when it cannot, it says why and the resident lane stays.
// `brainbench doctor` runs the same preflight.
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { LaneError } from '../../src/lanes/errors.js';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { portOpen } from '../../src/lanes/net.js';
import type { EngineEvent } from '../../src/types.js';
import { spawnCli } from '../helpers/cli.js';
import { fakeModel, fakeServer, freePort, shimDir, tempDir, writeManifest } from './helpers.js';

const savedPath = process.env.PATH;
let dir: string;
let port: number;
let manager: LaneManager;
const events: EngineEvent[] = [];

const llamacpp = (id: string, p: number, over: { bin?: string; model?: string } = {}) =>
  `  - id: ${id}\n    kind: llamacpp\n    model: ${over.model ?? fakeModel}\n    bin: ${over.bin ?? fakeServer}\n    port: ${p}\n    ready_timeout_s: 30\n`;

beforeAll(async () => {
  dir = tempDir('bb-preflight-');
  port = await freePort();
  const other = await freePort();
  process.env.PATH = `${shimDir}${delimiter}${savedPath}`;
  const manifest = await loadManifest(
    writeManifest(
      `version: 1\nlanes:\n${llamacpp('resident', port)}${llamacpp('no-binary', other, { bin: join(dir, 'no-such-llama-server') })}` +
        `${llamacpp('no-model', other, { model: join(dir, 'missing.gguf') })}${llamacpp('same-port', port)}` +
        `  - id: unpulled\n    kind: vllm\n    image: nvcr.io/nvidia/vllm:never-pulled\n    model: m\n    port: ${other}\n`,
      dir,
    ),
  );
  const bus = new EventBus();
  bus.on((e) => events.push(e));
  manager = new LaneManager({ manifest, bus, logDir: join(dir, 'logs'), stateDir: join(dir, 'state') });
});

afterEach(() => {
  delete process.env.DOCKER_SHIM_NO_IMAGES;
});

afterAll(async () => {
  await manager.stopAll();
  process.env.PATH = savedPath;
});

const stopsOf = (lane: string) => events.filter((e) => e.type === 'lane.state' && e.lane === lane && e.state === 'stopping').length;

describe('a swap to a lane that cannot start', () => {
  it.each([
    ['no-binary', /llama-server not found \(looked for '.*no-such-llama-server'\)/],
    ['no-model', /model file '.*missing\.gguf' not found/],
    ['unpulled', /image nvcr\.io\/nvidia\/vllm:never-pulled is not on this box — pull it first: docker pull nvcr\.io\/nvidia\/vllm:never-pulled/],
  ])('%s: refused with the reason; the resident lane keeps running', async (target, reason) => {
    process.env.DOCKER_SHIM_NO_IMAGES = 'nvcr.io/nvidia/vllm:never-pulled';
    await manager.start('resident');
    const stopsBefore = stopsOf('resident');

    const err = await manager.start(target).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LaneError);
    expect((err as LaneError).reason).toBe('missing');
    expect((err as Error).message).toMatch(new RegExp(`^lane ${target} cannot start: `));
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).toContain('(left running: resident)');
    expect(stopsOf('resident')).toBe(stopsBefore);
    expect(await manager.isUp('resident')).toBe(true);
  });

  it('a lane that can start still takes the port the resident lane held: the resident one goes first', async () => {
    await manager.start('resident');
    const lane = await manager.start('same-port');
    expect(lane.baseURL).toBe(`http://127.0.0.1:${port}/v1`);
    expect(await manager.isUp('resident')).toBe(false);
    expect(await manager.isUp('same-port')).toBe(true);
    await manager.stop('same-port');
    expect(await portOpen('127.0.0.1', port)).toBe(false);
  });
});

describe('brainbench doctor runs the same preflight', () => {
  it('a lane whose model file does not exist fails the check, saying which file', async () => {
    const lanes = writeManifest(`version: 1\nlanes:\n${llamacpp('ok', port)}${llamacpp('gone', port + 1, { model: join(dir, 'gone.gguf') })}`, tempDir('bb-doctor-'));
    const res = await spawnCli(['doctor', '--lanes-file', lanes], { env: { BRAINBENCH_STATE_DIR: join(dir, 'doctor-state') } });
    const lines = (res.stdout as string).split('\n');
    expect(lines.find((l) => l.startsWith('✓ lane ok: '))).toMatch(new RegExp(`^✓ lane ok: llama-server ${fakeServer}, model ${fakeModel}; needs ~`));
    expect(lines).toContain(`✗ lane gone: model file '${join(dir, 'gone.gguf')}' not found — check model: in lanes.yaml`);
    expect(res.exitCode).toBe(1);
  });
});

describe('brainbench doctor cannot be stalled by nvidia-smi (issue 22)', () => {
  const doctor = (env: Record<string, string>) => {
    const lanes = writeManifest(`version: 1\nlanes:\n${llamacpp('ok', port)}`, tempDir('bb-doctor-'));
    return spawnCli(['doctor', '--lanes-file', lanes], { env: { BRAINBENCH_STATE_DIR: join(dir, 'doctor-state'), ...env } });
  };

  it('a hung nvidia-smi is killed at its bound and doctor says so, with every other line', async () => {
    const res = await doctor({ NVIDIA_SMI_SHIM_ONESHOT_HANG: '1' });
    const lines = (res.stdout as string).split('\n');
    expect(lines).toContain('✗ nvidia-smi: no answer within 5 s (killed) — the driver may be stuck (on a Spark, often under memory pressure); GPU gauges will say "stale"');
    expect(lines.some((l) => l.startsWith('✓ disk: '))).toBe(true);
  });

  it('a wrapper-style nvidia-smi that leaves a child holding its output is read, driver version included', async () => {
    const res = await doctor({ NVIDIA_SMI_SHIM_WRAPPER: '1' });
    expect((res.stdout as string).split('\n')).toContain('✓ nvidia-smi: NVIDIA GB10 (driver 580.95.05, CUDA 13.0)');
  });
});
