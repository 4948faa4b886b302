// Swap overhead: how long brainbench adds to a lane swap (stop the resident lane, start the next,
// wait for ready) beyond the server's own start-up. Run: npx tsx bench/swap.ts
// Prints figures; asserts nothing. Target: overhead under 300 ms.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { LaneManager } from '../src/lanes/manager.js';
import { loadManifest } from '../src/lanes/manifest.js';
import { httpGet, portOpen, sleep } from '../src/lanes/net.js';
import { freePort } from '../test/helpers/ports.js';

const ROUNDS = 20;
const fakeServer = resolve(import.meta.dirname, '../test/bin/fake-llama-server');
const fakeModel = resolve(import.meta.dirname, '../test/bin/models/strong.gguf');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The fake server's own start-up: spawn it directly, poll /health every 5 ms until 200. */
async function serverStartupMs(port: number): Promise<number> {
  const started = performance.now();
  const child = execa(fakeServer, ['-m', 'strong', '--host', '127.0.0.1', '--port', String(port), '--alias', 'x', '--metrics'], { reject: false, stdio: 'ignore' });
  while ((await httpGet(`http://127.0.0.1:${port}/health`, { timeoutMs: 500 }))?.status !== 200) await sleep(5);
  const took = performance.now() - started;
  child.kill('SIGTERM');
  await child;
  while (await portOpen('127.0.0.1', port)) await sleep(5);
  return took;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-bench-swap-'));
  const [portA, portB] = [await freePort(), await freePort()];
  const lane = (id: string, port: number) => `  - id: ${id}\n    kind: llamacpp\n    model: ${fakeModel}\n    bin: ${fakeServer}\n    port: ${port}\n    ready_timeout_s: 60\n`;
  const file = join(dir, 'lanes.yaml');
  writeFileSync(file, `version: 1\nlanes:\n${lane('A', portA)}${lane('B', portB)}`);
  const manager = new LaneManager({ manifest: await loadManifest(file), logDir: join(dir, 'logs'), stateDir: join(dir, 'state') });

  const startup: number[] = [];
  for (let i = 0; i < ROUNDS; i++) startup.push(await serverStartupMs(portA));

  const swaps: number[] = [];
  await manager.start('A');
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const next = i % 2 === 0 ? 'B' : 'A';
      const started = performance.now();
      await manager.start(next);
      swaps.push(performance.now() - started);
    }
  } finally {
    await manager.stopAll();
  }

  const overhead = median(swaps) - median(startup);
  console.log(`fake server start-up (spawn → /health 200), median of ${ROUNDS}: ${median(startup).toFixed(0)} ms`);
  console.log(`brainbench swap (start(B) with A resident → ready), median of ${ROUNDS}: ${median(swaps).toFixed(0)} ms`);
  console.log(`swap overhead: ${overhead.toFixed(0)} ms (target < 300 ms)`);
}

await main();
