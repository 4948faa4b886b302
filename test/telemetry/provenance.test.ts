// Provenance (issue 16): driver and CUDA from nvidia-smi's header (a hung one is bounded), engine
// labels, the scorecard's reproducibility block and summary.md's provenance table and throttle mark.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { writeFileSync, chmodSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { engineInfo, engineLabel } from '../../src/lanes/engine.js';
import type { LaneSpec } from '../../src/lanes/manifest.js';
import type { LaneRecord } from '../../src/lanes/state.js';
import { provenanceTable } from '../../src/verdict/reproducibility.js';
import { renderRankTable } from '../../src/verdict/summary.js';
import { gpuDriverInfo, parseDriverHeader } from '../../src/telemetry/gpu-info.js';
import type { LaneScorecard } from '../../src/types.js';
import { tempDir } from '../helpers/tmp.js';

const SHIM = resolve('test/shims/nvidia-smi');
let server: Server | null = null;
const savedPath = process.env.PATH;
afterEach(async () => {
  process.env.PATH = savedPath;
  if (server) await new Promise<void>((done) => server!.close(() => done()));
  server = null;
});

describe('driver and CUDA version', () => {
  it('reads them from the header nvidia-smi prints (the shim prints the real shape)', async () => {
    expect(await gpuDriverInfo(SHIM)).toEqual({ driver_version: '580.95.05', cuda_version: '13.0' });
  });

  it('reads the -q form and the newer KMD / CUDA UMD names', () => {
    expect(parseDriverHeader('Driver Version                            : 550.54.15\nCUDA Version                              : 12.4\n')).toEqual({ driver_version: '550.54.15', cuda_version: '12.4' });
    expect(parseDriverHeader('KMD Version : 610.43.03\nCUDA UMD Version : 13.2\n')).toEqual({ driver_version: '610.43.03', cuda_version: '13.2' });
  });

  it('is null, not a wait, when nvidia-smi hangs', async () => {
    const hung = join(tempDir('smi-hung-'), 'nvidia-smi');
    writeFileSync(hung, '#!/bin/sh\ntrap "" TERM\nexec sleep 100000\n');
    chmodSync(hung, 0o755);
    expect(await gpuDriverInfo(hung, 200)).toBeNull();
  });
});

describe('engine', () => {
  it('asks vLLM its /version and docker the image id', async () => {
    server = createServer((req, res) => res.end(req.url === '/version' ? '{"version":"0.10.1.1"}' : '{}'));
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    process.env.PATH = `${resolve('test/shims')}:${process.env.PATH}`;
    const spec = { id: 'v', kind: 'vllm', image: 'nvcr.io/nvidia/vllm:25.09-py3' } as LaneSpec;
    const engine = await engineInfo(spec, { host: '127.0.0.1', port } as LaneRecord);
    expect(engine).toEqual({ name: 'vllm', version: '0.10.1.1', image: spec.image, image_id: 'sha256:5b1f0c8e9d7a6b4c3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d' });
    expect(engineLabel(engine)).toBe('vllm 0.10.1.1');
    expect(engineLabel({ name: 'nim', version: null, image_id: engine.image_id })).toBe('nim (sha256:5b1f0c8e9d7a)');
  });
});

describe('summary.md', () => {
  const card = (over: Partial<LaneScorecard>): LaneScorecard =>
    ({
      lane: 'spark-q4',
      simulated: false,
      core_pass: 1,
      core_n: 1,
      core_pass_rate: 1,
      consistency: 1,
      runaway_rate: 0,
      honesty_pass_rate: null,
      tokens_per_sec: 52.3,
      telemetry: null,
      prompts: [],
      reproducibility: {
        brainbench_version: '0.9.0',
        lane_command: 'llama-server -m /m/q4.gguf --port 8080',
        engine_version: 'llama.cpp b6500-abc1234',
        gpu_driver: '580.95.05',
        cuda_version: '13.0',
      },
      ...over,
    }) as unknown as LaneScorecard;

  it('lists each lane with its engine, driver, brainbench and command', () => {
    const text = provenanceTable([card({})]);
    expect(text).toContain('llama.cpp b6500-abc1234');
    expect(text).toContain('driver 580.95.05, CUDA 13.0');
    expect(text).toContain('llama-server -m /m/q4.gguf --port 8080');
  });

  it('marks a throughput figure probed while the GPU was throttled', () => {
    expect(renderRankTable([card({ probe_throttled: ['sw_power_cap'] })])).toContain('52.3 (throttled: sw_power_cap)');
    expect(renderRankTable([card({})])).not.toContain('throttled');
  });
});
