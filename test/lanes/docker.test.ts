// vllm and nim lanes against the docker shim (test/shims/docker), which records its arguments.
// The test plays the container: it serves HTTP on the lane's port between `docker run` and `docker stop`.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLane } from '../../src/demo/server.js';
import { LaneError } from '../../src/lanes/errors.js';
import { LaneManager } from '../../src/lanes/manager.js';
import { publishFlag } from '../../src/lanes/kinds/container.js';
import { forgetEntrypoints, servePrefix } from '../../src/lanes/kinds/vllm.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { portOpen } from '../../src/lanes/net.js';
import { freePort, shimDir, tempDir, writeManifest } from './helpers.js';

const SECRET = 'nvapi-TEST-secret-0123456789';
const savedEnv = { ...process.env };
let dir: string;
let shimLog: string;

beforeEach(() => {
  dir = tempDir();
  shimLog = join(dir, 'docker-calls.jsonl');
  process.env.PATH = `${shimDir}${delimiter}${savedEnv.PATH}`;
  process.env.DOCKER_SHIM_LOG = shimLog;
  process.env.DOCKER_SHIM_ENV_LOG = join(dir, 'docker-env.log');
  process.env.HOME = join(dir, 'home'); // the cache folders a container mounts are made here
  forgetEntrypoints();
});
afterEach(() => {
  process.env = { ...savedEnv };
});

function calls(): string[][] {
  return existsSync(shimLog) ? readFileSync(shimLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]) : [];
}

const runCall = () => calls().find((c) => c[0] === 'run');

/** Stands in for the container: serves on `port` once `docker run` was called, until `docker stop`. */
function playContainer(serve: () => Promise<{ close(): Promise<void> | void }>): { done: Promise<void> } {
  const done = (async () => {
    const seen = (cmd: string) => calls().some((c) => c[0] === cmd);
    while (!seen('run')) await new Promise((r) => setTimeout(r, 20));
    const server = await serve();
    while (!seen('stop')) await new Promise((r) => setTimeout(r, 20));
    await server.close();
  })();
  return { done };
}

async function manifestWith(lane: string, env: NodeJS.ProcessEnv = {}) {
  return loadManifest(writeManifest(`version: 1\nlanes:\n${lane}`, dir), env);
}

/** A 128 GB box with 120 GB free: the lanes here fit whatever this machine holds (admission is tested in admission.test.ts). */
function roomyMeminfo(): string {
  const path = join(dir, 'meminfo');
  writeFileSync(path, 'MemTotal: 125000000 kB\nMemFree: 117187500 kB\nMemAvailable: 120000000 kB\nBuffers: 0 kB\nCached: 2000000 kB\n');
  return path;
}

const newManager = (manifest: Awaited<ReturnType<typeof manifestWith>>) =>
  new LaneManager({ manifest, logDir: join(dir, 'logs'), stateDir: join(dir, 'state'), resultsDir: join(dir, 'results'), memory: { meminfoPath: roomyMeminfo(), releaseTimeoutMs: 0 } });

describe('vllm lane', () => {
  it('runs exactly the documented docker command, is ready when /v1/models lists it, stops with stop then rm', async () => {
    const port = await freePort();
    const manifest = await manifestWith(
      `  - id: fp8\n    kind: vllm\n    image: nvcr.io/nvidia/vllm:25.09-py3\n    model: Qwen/Qwen3-30B-A3B-FP8\n    port: ${port}\n    max_model_len: 64000\n    gpu_memory_utilization: 0.75\n    tool_call_parser: hermes\n    stop_timeout_s: 15\n`,
    );
    const container = playContainer(() => startFakeLane({ port, brain: 'strong', alias: 'fp8', loadDelayMs: 200 }));
    const manager = newManager(manifest);
    const lane = await manager.start('fp8');
    const expected = [
      'run', '-d', '--name', 'brainbench-fp8', '--gpus', 'all', '--ipc=host', '--ulimit', 'memlock=-1', '--ulimit', 'stack=67108864', '-p', `127.0.0.1:${port}:8000`,
      '-v', `${process.env.HOME}/.cache/huggingface:/root/.cache/huggingface`,
      'nvcr.io/nvidia/vllm:25.09-py3', 'vllm', 'serve', 'Qwen/Qwen3-30B-A3B-FP8',
      '--served-model-name', 'fp8', '--enable-auto-tool-choice', '--tool-call-parser', 'hermes',
      '--max-model-len', '64000', '--gpu-memory-utilization', '0.75',
    ];
    expect(runCall()).toEqual(expected);
    expect(lane).toMatchObject({ id: 'fp8', kind: 'vllm', model: 'fp8', baseURL: `http://127.0.0.1:${port}/v1`, command: `docker ${expected.join(' ')}`, slots: null });
    expect(await manager.isUp('fp8')).toBe(true);
    expect((await manager.status())[0]).toMatchObject({ state: 'ready' });

    await manager.stop('fp8');
    await container.done;
    const names = calls().map((c) => c[0]);
    expect(calls()).toContainEqual(['stop', '-t', '15', 'brainbench-fp8']);
    expect(calls()).toContainEqual(['rm', 'brainbench-fp8']);
    expect(names.indexOf('stop')).toBeLessThan(names.indexOf('rm'));
    expect(await portOpen('127.0.0.1', port)).toBe(false);
    expect(readFileSync(join(dir, 'logs', 'fp8.log'), 'utf8')).toContain('vLLM API server');
  });

  it('a failing docker surfaces its error text', async () => {
    process.env.DOCKER_SHIM_FAIL = 'run';
    const manifest = await manifestWith(`  - id: fp8\n    kind: vllm\n    image: img\n    model: m\n    port: ${await freePort()}\n`);
    const err = await newManager(manifest).start('fp8').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LaneError);
    expect((err as Error).message).toMatch(/^docker run failed \(exit 125\): docker: Error response from daemon: could not select device driver "" with capabilities: \[\[gpu\]\]/);
  });

  it('docker absent: the message says so', async () => {
    process.env.PATH = join(dir, 'empty-bin');
    const manifest = await manifestWith(`  - id: fp8\n    kind: vllm\n    image: img\n    model: m\n    port: ${await freePort()}\n`);
    const err = await newManager(manifest).start('fp8').catch((e: unknown) => e);
    expect((err as LaneError).reason).toBe('missing');
    expect((err as Error).message).toMatch(/docker is not installed or not on PATH/);
  });

  it('a container that exits while loading fails fast with its exit code and docker logs --tail 20', async () => {
    process.env.DOCKER_SHIM_STATUS = 'exited';
    process.env.DOCKER_SHIM_EXIT_CODE = '1';
    process.env.DOCKER_SHIM_LOGS = 'torch.OutOfMemoryError: CUDA out of memory';
    const manifest = await manifestWith(`  - id: fp8\n    kind: vllm\n    image: img\n    model: m\n    port: ${await freePort()}\n    ready_timeout_s: 60\n`);
    const started = Date.now();
    const err = await newManager(manifest).start('fp8').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((err as LaneError).reason).toBe('crashed');
    expect((err as Error).message).toMatch(/container brainbench-fp8 exited \(exit code 1\)/);
    expect((err as Error).message).toContain('docker logs --tail 20 brainbench-fp8:\ntorch.OutOfMemoryError: CUDA out of memory');
    expect(calls()).toContainEqual(['logs', '--tail', '20', 'brainbench-fp8']);
    // nothing is left behind: the failed container is stopped and removed
    expect(calls()).toContainEqual(['rm', 'brainbench-fp8']);
  });
});

describe('nim lane', () => {
  it('runs the documented command; NGC_API_KEY reaches docker by environment, never on a command line', async () => {
    const port = await freePort();
    const manifest = await manifestWith(
      `  - id: nim\n    kind: nim\n    image: nvcr.io/nim/nvidia/nvidia-nemotron-nano-9b-v2-dgx-spark:latest\n    port: ${port}\n    env:\n      NGC_API_KEY: "\${NGC_API_KEY}"\n`,
      { NGC_API_KEY: SECRET },
    );
    const container = playContainer(async () => {
      const server: Server = createServer((req, res) => {
        if (req.url === '/v1/health/ready') res.writeHead(200).end('{"object":"health.response","message":"ready"}');
        else if (req.url === '/v1/models') res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"nvidia/nvidia-nemotron-nano-9b-v2"}]}');
        else res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
      return { close: () => new Promise<void>((r) => server.close(() => r())) };
    });
    const manager = newManager(manifest);
    const lane = await manager.start('nim');
    expect(runCall()).toEqual([
      'run', '-d', '--name', 'brainbench-nim', '--gpus', 'all', '--shm-size=16g', '-e', 'NGC_API_KEY',
      '-v', `${process.env.HOME}/.cache/nim:/opt/nim/.cache`, '-u', `${process.getuid!()}:${process.getgid!()}`, '-p', `127.0.0.1:${port}:8000`,
      'nvcr.io/nim/nvidia/nvidia-nemotron-nano-9b-v2-dgx-spark:latest',
    ]);
    expect(lane).toMatchObject({ model: 'nvidia/nvidia-nemotron-nano-9b-v2', metricsUrl: null });
    expect(readFileSync(join(dir, 'docker-env.log'), 'utf8')).toBe(`NGC_API_KEY=${SECRET}\n`);
    await manager.stop('nim');
    await container.done;
    expect(readFileSync(shimLog, 'utf8')).not.toContain(SECRET);
    expect(JSON.stringify(lane)).not.toContain(SECRET);
    expect(readFileSync(join(dir, 'state', 'lanes.json'), 'utf8')).not.toContain(SECRET);
  });
});

describe('container evidence and the images people use (issue 22)', () => {
  const vllmLane = (port: number, image: string) => `  - id: fp8\n    kind: vllm\n    image: ${image}\n    model: m\n    port: ${port}\n    ready_timeout_s: 60\n`;

  it("a crash report and the saved log keep the container's stderr; the log is saved before docker rm and named", async () => {
    process.env.DOCKER_SHIM_STATUS = 'exited';
    process.env.DOCKER_SHIM_EXIT_CODE = '1';
    process.env.DOCKER_SHIM_LOGS = 'INFO loading';
    process.env.DOCKER_SHIM_LOGS_STDERR = 'ValueError: Free memory on device (90.1/119.7 GiB) on startup is less than desired GPU memory utilization (0.9, 107.7 GiB)';
    const manifest = await manifestWith(vllmLane(await freePort(), 'img'));
    const err = await newManager(manifest).start('fp8').catch((e: unknown) => e);
    const logPath = join(dir, 'logs', 'fp8.log');
    expect((err as Error).message).toContain('ValueError: Free memory on device (90.1/119.7 GiB)');
    expect((err as Error).message).toContain(`full log (stdout and stderr): ${logPath}`);
    expect(readFileSync(logPath, 'utf8')).toBe(`INFO loading\n${process.env.DOCKER_SHIM_LOGS_STDERR}\n`);
    const names = calls().map((c) => c.slice(0, 2).join(' '));
    expect(names.indexOf('logs brainbench-fp8')).toBeGreaterThan(-1);
    expect(names.indexOf('logs brainbench-fp8')).toBeLessThan(names.indexOf('rm brainbench-fp8'));
  });

  it("an old container left under the lane's name has its log saved before it is removed", async () => {
    process.env.DOCKER_SHIM_STALE = join(dir, 'stale-container');
    writeFileSync(process.env.DOCKER_SHIM_STALE, '');
    process.env.DOCKER_SHIM_STATUS = 'exited';
    process.env.DOCKER_SHIM_LOGS_STDERR = 'RuntimeError: the earlier run ended here';
    const manifest = await manifestWith(vllmLane(await freePort(), 'img'));
    await newManager(manifest).start('fp8').catch(() => undefined);
    expect(readFileSync(join(dir, 'logs', 'fp8.previous.log'), 'utf8')).toContain('RuntimeError: the earlier run ended here');
    const names = calls().map((c) => c.slice(0, 2).join(' '));
    expect(names.indexOf('logs brainbench-fp8')).toBeLessThan(names.indexOf('rm -f'));
    expect(names.filter((n) => n.startsWith('run '))).toHaveLength(2);
  });

  it('a vllm/vllm-openai image (entrypoint vllm serve) gets the model, not a second vllm serve', async () => {
    process.env.DOCKER_SHIM_ENTRYPOINT = '["vllm","serve"]';
    const port = await freePort();
    const manifest = await manifestWith(vllmLane(port, 'vllm/vllm-openai:v0.11.0'));
    const container = playContainer(() => startFakeLane({ port, brain: 'strong', alias: 'fp8' }));
    const manager = newManager(manifest);
    await manager.start('fp8');
    const run = runCall()!;
    expect(run.slice(run.indexOf('vllm/vllm-openai:v0.11.0'), run.indexOf('vllm/vllm-openai:v0.11.0') + 3)).toEqual(['vllm/vllm-openai:v0.11.0', 'm', '--served-model-name']);
    expect(calls()).toContainEqual(['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', 'vllm/vllm-openai:v0.11.0']);
    await manager.stop('fp8');
    await container.done;
  });

  it('reads the entrypoint, not only the name: a retagged vllm serve image, an old api_server image, NVIDIA\'s image', () => {
    expect(servePrefix('registry.local/my-vllm:1', ['vllm', 'serve'])).toEqual([]);
    expect(servePrefix('registry.local/old:1', ['python3', '-m', 'vllm.entrypoints.openai.api_server'])).toEqual(['--model']);
    expect(servePrefix('nvcr.io/nvidia/vllm:25.09-py3', ['/opt/nvidia/nvidia_entrypoint.sh'])).toEqual(['vllm', 'serve']);
    expect(servePrefix('nvcr.io/nvidia/vllm:25.09-py3', null)).toEqual(['vllm', 'serve']);
    // not inspected yet (docker unreachable): the name decides
    expect(servePrefix('vllm/vllm-openai:latest', undefined)).toEqual([]);
    expect(servePrefix('docker.io/vllm/vllm-openai@sha256:abc', undefined)).toEqual([]);
    expect(servePrefix('nvcr.io/nvidia/vllm:25.09-py3', undefined)).toEqual(['vllm', 'serve']);
  });

  it("publishes the port on the lane's host only", () => {
    expect(publishFlag({ host: '127.0.0.1', port: 8000 })).toEqual(['-p', '127.0.0.1:8000:8000']);
    expect(publishFlag({ host: 'localhost', port: 8001 })).toEqual(['-p', '127.0.0.1:8001:8000']);
    expect(publishFlag({ host: '::1', port: 8002 })).toEqual(['-p', '[::1]:8002:8000']);
    expect(publishFlag({ host: '0.0.0.0', port: 8003 })).toEqual(['-p', '0.0.0.0:8003:8000']);
    expect(publishFlag({ host: 'spark.lan', port: 8004 })).toEqual(['-p', '8004:8000']);
  });

  it("makes NIM's cache folder as the invoking user before docker run", async () => {
    process.env.DOCKER_SHIM_FAIL = 'run';
    const manifest = await manifestWith(`  - id: nim\n    kind: nim\n    image: img\n    port: ${await freePort()}\n`, { NGC_API_KEY: 'k' });
    const err = await newManager(manifest).start('nim').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^docker run failed/);
    expect(statSync(join(dir, 'home', '.cache', 'nim')).uid).toBe(process.getuid!());
  });
});
