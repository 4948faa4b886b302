// Lane lifecycle against a real child process: the fake lane server started as llama-server via bin:.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { LaneError } from '../../src/lanes/errors.js';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest, type Manifest } from '../../src/lanes/manifest.js';
import { portOpen } from '../../src/lanes/net.js';
import type { EngineEvent } from '../../src/types.js';
import { fakeModel, fakeServer, freePort, tempDir, writeManifest } from './helpers.js';

interface Setup {
  manifest: Manifest;
  manager: LaneManager;
  events: EngineEvent[];
  dir: string;
  ports: number[];
}

const managers: LaneManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.stopAll().catch(() => undefined);
});

function laneYaml(id: string, port: number, extra = '', bin = fakeServer): string {
  return `  - id: ${id}\n    kind: llamacpp\n    model: ${fakeModel}\n    bin: ${bin}\n    port: ${port}\n    ctx: 4096\n    ready_timeout_s: 30\n${extra}`;
}

async function setup(lanes: (ports: number[]) => string, opts: { stateDir?: string; count?: number } = {}): Promise<Setup> {
  const dir = tempDir();
  const ports = await Promise.all(Array.from({ length: opts.count ?? 2 }, () => freePort()));
  const manifest = await loadManifest(writeManifest(`version: 1\nlanes:\n${lanes(ports)}`, dir));
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  const manager = new LaneManager({ manifest, bus, logDir: join(dir, 'logs'), stateDir: opts.stateDir ?? join(dir, 'state') });
  managers.push(manager);
  return { manifest, manager, events, dir, ports };
}

const states = (events: EngineEvent[], lane: string) => events.flatMap((e) => (e.type === 'lane.state' && e.lane === lane ? [e.state] : []));

describe('llamacpp lane lifecycle (fake llama-server as a child process)', () => {
  it('start → ready → request → stop: port released, log file holds the server output', async () => {
    const { manager, events, dir, ports } = await setup((p) => laneYaml('a', p[0]!, '    args: [--load-delay-ms, "300"]\n'), { count: 1 });
    const lane = await manager.start('a');
    expect(lane).toMatchObject({ id: 'a', kind: 'llamacpp', baseURL: `http://127.0.0.1:${ports[0]}/v1`, model: 'a', simulated: false, slots: 1 });
    expect(lane.metricsUrl).toBe(`http://127.0.0.1:${ports[0]}/metrics`);
    expect(lane.command).toBe(`${fakeServer} -m ${fakeModel} --host 127.0.0.1 --port ${ports[0]} -c 4096 --alias a --metrics --load-delay-ms 300`);
    const res = await fetch(`${lane.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: lane.model, messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 }),
    });
    expect(res.status).toBe(200);
    expect(await manager.isUp('a')).toBe(true);
    const [status] = await manager.status();
    expect(status).toMatchObject({ id: 'a', state: 'ready', port: ports[0] });
    expect(status!.pid).toBeGreaterThan(0);

    await manager.stop('a');
    expect(await portOpen('127.0.0.1', ports[0]!)).toBe(false);
    expect(await manager.isUp('a')).toBe(false);
    expect((await manager.status())[0]!.state).toBe('stopped');
    const log = readFileSync(join(dir, 'logs', 'a.log'), 'utf8');
    expect(log).toContain('GET /health 127.0.0.1 503');
    expect(log).toContain('received SIGTERM');
    expect(states(events, 'a')).toEqual(['starting', 'ready', 'stopping', 'stopped']);
  });

  it('one resident lane: starting B stops A first', async () => {
    const { manager, events, ports } = await setup((p) => laneYaml('a', p[0]!) + laneYaml('b', p[1]!));
    await manager.start('a');
    await manager.start('b');
    expect(await portOpen('127.0.0.1', ports[0]!)).toBe(false);
    expect(await manager.isUp('b')).toBe(true);
    expect(events.filter((e) => e.type === 'lane.state').map((e) => `${(e as { lane: string }).lane}:${(e as { state: string }).state}`)).toEqual([
      'a:starting',
      'a:ready',
      'a:stopping',
      'a:stopped',
      'b:starting',
      'b:ready',
    ]);
  });

  it('adopts a lane another manager (another process) started, without a second process', async () => {
    const first = await setup((p) => laneYaml('a', p[0]!), { count: 1 });
    await first.manager.start('a');
    const pid = (await first.manager.status())[0]!.pid;
    const bus = new EventBus();
    const events: EngineEvent[] = [];
    bus.on((e) => events.push(e));
    const second = new LaneManager({ manifest: first.manifest, bus, logDir: join(first.dir, 'logs2'), stateDir: join(first.dir, 'state') });
    const lane = await second.start('a');
    expect(lane.baseURL).toBe(`http://127.0.0.1:${first.ports[0]}/v1`);
    expect((await second.status())[0]).toMatchObject({ state: 'ready', pid });
    expect(events[0]).toMatchObject({ type: 'lane.state', lane: 'a', state: 'starting', detail: expect.stringMatching(/^adopting/) });
    await second.stop('a');
    expect(await portOpen('127.0.0.1', first.ports[0]!)).toBe(false);
  });

  it('refuses a port held by something brainbench did not start, naming it, and leaves the resident lane alone', async () => {
    const { manager, events, ports, manifest } = await setup((p) => laneYaml('a', p[0]!) + laneYaml('b', p[1]!));
    await manager.start('a');
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(ports[1], '127.0.0.1', () => r()));
    try {
      const err = await manager.start('b').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LaneError);
      expect((err as LaneError).reason).toBe('foreign');
      expect((err as Error).message).toBe(
        `port ${ports[1]} is held by pid ${process.pid} (${readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim()}) which brainbench did not start — stop it or change the port of lane b in ${manifest.file}`,
      );
      expect(await manager.isUp('a')).toBe(true);
      expect(states(events, 'b')).toEqual(['foreign']);
      expect((await manager.status())[1]).toMatchObject({ id: 'b', state: 'foreign' });
    } finally {
      squatter.close();
    }
  });

  it('a process that dies at warm-up reports its signal and log tail at once, not at the timeout', async () => {
    const dir = tempDir();
    const bin = join(dir, 'sigill-server');
    writeFileSync(bin, '#!/usr/bin/env bash\necho "load_tensors: loading model tensors"\necho "ggml_cpu: AMX detected"\nkill -ILL $$\n');
    chmodSync(bin, 0o755);
    const { manager, events } = await setup((p) => laneYaml('a', p[0]!, '', bin), { count: 1 });
    const started = Date.now();
    const err = await manager.start('a').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((err as LaneError).reason).toBe('crashed');
    expect((err as Error).message).toMatch(/exited before it was ready: killed by signal SIGILL/);
    expect((err as Error).message).toContain('ggml_cpu: AMX detected');
    expect(states(events, 'a')).toEqual(['starting', 'crashed']);
    expect((await manager.status())[0]!.state).toBe('stopped');
  });

  it('a non-streaming request in flight: the first SIGTERM is ignored, the second stops it', async () => {
    const { manager, dir, ports } = await setup((p) => laneYaml('a', p[0]!, '    args: [--tok-per-sec, "2"]\n'), { count: 1 });
    const lane = await manager.start('a');
    const inFlight = fetch(`${lane.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: lane.model, messages: [{ role: 'user', content: 'write a long story' }], max_tokens: 200 }),
    }).catch(() => null);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await manager.stop('a');
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(6000);
    expect(await portOpen('127.0.0.1', ports[0]!)).toBe(false);
    expect(readFileSync(join(dir, 'logs', 'a.log'), 'utf8')).toContain('received second SIGTERM');
    await inFlight;
  });

  it('a lane that ignores SIGTERM is killed after stop_timeout_s', async () => {
    const dir = tempDir();
    const bin = join(dir, 'stubborn-server');
    // the group leader ignores SIGTERM (the fake server in it exits): only SIGKILL ends the group
    writeFileSync(bin, `#!/usr/bin/env bash\ntrap '' TERM\n${fakeServer} "$@" &\nwhile true; do sleep 0.1; done\n`);
    chmodSync(bin, 0o755);
    const { manager, ports } = await setup((p) => laneYaml('a', p[0]!, '    stop_timeout_s: 1\n', bin), { count: 1 });
    const lane = await manager.start('a');
    const pid = (await manager.status())[0]!.pid!;
    expect(lane.model).toBe('a');
    const started = Date.now();
    await manager.stop('a');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await portOpen('127.0.0.1', ports[0]!)).toBe(false);
  });

  it('isUp notices a crash; status says crashed; restart brings it back', async () => {
    const { manager } = await setup((p) => laneYaml('a', p[0]!), { count: 1 });
    await manager.start('a');
    const pid = (await manager.status())[0]!.pid!;
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    expect(await manager.isUp('a')).toBe(false);
    expect((await manager.status())[0]).toMatchObject({ state: 'crashed', detail: `process ${pid} is gone` });
    const lane = await manager.restart('a');
    expect(lane.id).toBe('a');
    const after = (await manager.status())[0]!;
    expect(after.state).toBe('ready');
    expect(after.pid).not.toBe(pid);
  });

  it('a missing llama-server binary says where it looked and what to do', async () => {
    const { manager } = await setup((p) => laneYaml('a', p[0]!, '', '/nonexistent/llama-server'), { count: 1 });
    const err = await manager.start('a').catch((e: unknown) => e);
    expect((err as LaneError).reason).toBe('missing');
    expect((err as Error).message).toMatch(/llama-server not found \(looked for '\/nonexistent\/llama-server'\).*LLAMA_SERVER/);
  });

  it('an unknown lane id is refused with a suggestion', async () => {
    const { manager } = await setup((p) => laneYaml('alpha', p[0]!), { count: 1 });
    await expect(manager.start('alpah')).rejects.toThrow(/no lane 'alpah' .*did you mean 'alpha'/);
  });
});

describe('demo lane', () => {
  it('runs in-process on an ephemeral port, simulated, and counts as the resident lane', async () => {
    const { manager, ports } = await setup((p) => laneYaml('a', p[0]!) + '  - id: demo\n    kind: demo\n    brain: weak\n', { count: 1 });
    await manager.start('a');
    const lane = await manager.start('demo');
    expect(lane.simulated).toBe(true);
    expect(lane.model).toBe('demo');
    expect(lane.command).toContain('--brain weak');
    expect(await portOpen('127.0.0.1', ports[0]!)).toBe(false);
    const models = (await (await fetch(`${lane.baseURL}/models`)).json()) as { data: { id: string }[] };
    expect(models.data[0]!.id).toBe('demo');
    await manager.stop('demo');
    expect(await manager.isUp('demo')).toBe(false);
  });
});
