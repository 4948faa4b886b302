// `brainbench lanes` and `brainbench doctor` as real processes; two racing swaps never leave two lanes resident.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { httpGet } from '../../src/lanes/net.js';
import { spawnCli } from '../helpers/cli.js';
import { fakeModel, fakeServer, freePort, tempDir, writeManifest } from './helpers.js';

const dir = tempDir();
const stateDir = join(dir, 'state');
const env = { BRAINBENCH_STATE_DIR: stateDir };
let manifestFile = '';
let ports: number[] = [];

async function twoLanes(): Promise<string> {
  if (manifestFile) return manifestFile;
  ports = [await freePort(), await freePort()];
  const lane = (id: string, port: number) => `  - id: ${id}\n    kind: llamacpp\n    model: ${fakeModel}\n    bin: ${fakeServer}\n    port: ${port}\n    ready_timeout_s: 30\n`;
  manifestFile = writeManifest(`version: 1\nlanes:\n${lane('A', ports[0]!)}${lane('B', ports[1]!)}  - id: demo\n    kind: demo\n`, dir);
  return manifestFile;
}

const healthy = async (port: number) => (await httpGet(`http://127.0.0.1:${port}/health`, { timeoutMs: 500 }))?.status === 200;

afterAll(async () => {
  if (!manifestFile) return;
  await new LaneManager({ manifest: await loadManifest(manifestFile), logDir: join(dir, 'logs'), stateDir }).stopAll();
});

describe('brainbench lanes', () => {
  it('two swaps racing never leave two lanes resident', async () => {
    const file = await twoLanes();
    let both = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const [a, b] = await Promise.all([healthy(ports[0]!), healthy(ports[1]!)]);
        if (a && b) both++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const [a, b] = await Promise.all([
      spawnCli(['lanes', 'swap', 'A', '--lanes-file', file], { env }),
      spawnCli(['lanes', 'swap', 'B', '--lanes-file', file], { env }),
    ]);
    watching = false;
    await watcher;
    expect(a.exitCode, a.stderr as string).toBe(0);
    expect(b.exitCode, b.stderr as string).toBe(0);
    expect(both).toBe(0);
    // load progress on stderr while a lane starts (the first report goes out at launch)
    expect(`${String(a.stderr)}${String(b.stderr)}`).toMatch(/^ {2}[AB]: loading \d\d:\d\d/m);
    const up = [await healthy(ports[0]!), await healthy(ports[1]!)];
    expect(up.filter(Boolean)).toHaveLength(1);
    const records = Object.keys((JSON.parse(readFileSync(join(stateDir, 'lanes.json'), 'utf8')) as { lanes: object }).lanes);
    expect(records).toEqual([up[0] ? 'A' : 'B']);
  });

  it('the table shows which lane is resident; stop stops it', async () => {
    const file = await twoLanes();
    const started = await spawnCli(['lanes', 'start', 'A', '--lanes-file', file], { env });
    expect(started.exitCode, started.stderr as string).toBe(0);
    expect(started.stdout).toMatch(new RegExp(`^A ready at http://127.0.0.1:${ports[0]}/v1 \\(model A\\) in [\\d.]+ s$`));
    const table = await spawnCli(['lanes', '--lanes-file', file], { env });
    const rows = (table.stdout as string).split('\n');
    expect(rows[0]).toMatch(/^ID\s+KIND\s+PORT\s+STATUS/);
    expect(rows[1]).toMatch(new RegExp(`^A\\s+llamacpp\\s+${ports[0]}\\s+ready`));
    expect(rows[2]).toMatch(new RegExp(`^B\\s+llamacpp\\s+${ports[1]}\\s+stopped`));
    expect(rows[3]).toMatch(/^demo\s+demo\s+—\s+stopped/);
    const stopped = await spawnCli(['lanes', 'stop', 'A', '--lanes-file', file], { env });
    expect(stopped.stdout).toBe('A stopped');
    expect(await healthy(ports[0]!)).toBe(false);
  });

  it('usage problems exit 2 with a hint', async () => {
    const file = await twoLanes();
    const res = await spawnCli(['lanes', 'swap', '--lanes-file', file], { env });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/lanes swap needs a lane id \(one of A, B, demo\)/);
  });

  it('an invalid manifest is refused with file:line:column', async () => {
    const bad = writeManifest('version: 1\nlanes:\n  - id: x\n    kind: vlm\n', tempDir());
    const res = await spawnCli(['lanes', '--lanes-file', bad], { env });
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain(`${bad}:4:11: lanes[0].kind: expected one of llamacpp, vllm, nim, openai, demo`);
  });
});

describe('brainbench doctor', () => {
  it('prints one ✓/✗ line per check with what to do next', async () => {
    const file = await twoLanes();
    const res = await spawnCli(['doctor', '--lanes-file', file], { env: { ...env, PATH: `${join(dir, 'nothing')}:${process.env.PATH}` } });
    const lines = (res.stdout as string).split('\n');
    expect(lines.every((l) => /^[✓✗] /.test(l))).toBe(true);
    expect(lines).toContain(`✓ lanes.yaml: ${file} (3 lanes)`);
    expect(lines.find((l) => l.startsWith('✓ lane A: '))).toMatch(new RegExp(`^✓ lane A: llama-server ${fakeServer}, model ${fakeModel}; needs ~0\\.0 GB \\(model file 0\\.0 GB × 1\\.25\\), \\d+\\.\\d GB free`));
    expect(lines).toContain(`✓ port ${ports[0]}: free (A)`);
    expect(lines.some((l) => /^[✓✗] docker: /.test(l))).toBe(true);
    expect(lines.some((l) => /^[✓✗] nvidia-smi: /.test(l))).toBe(true);
    expect(lines.some((l) => /^[✓✗] bubblewrap: /.test(l))).toBe(true);
    expect(lines.some((l) => /^✓ disk: [\d.]+ GB free/.test(l))).toBe(true);
  });
});
