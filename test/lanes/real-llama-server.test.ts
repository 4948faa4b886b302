// A real lane in CI (issue 12, DESIGN §11): the real llama-server of ../shared/llama-server started
// as a llamacpp lane by brainbench's own lane manager, brain-v1 at N=2 twice in a row. The model's
// weights are random, so answers are wrong, but the protocol is real: every attempt must be a model
// outcome, never a lane_error (connections the server closed after a streamed response are retried,
// see src/agent/laneFetch.ts). Also: the probe against the server's own timings, a stop with
// requests in flight (the server ignores the first SIGTERM), and no llama-server left behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { laneFetch } from '../../src/agent/laneFetch.js';
import { main } from '../../src/cli.js';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { portOpen } from '../../src/lanes/net.js';
import { processAlive } from '../../src/os/proc.js';
import type { AttemptRecord, EngineEvent, Outcome, ProbeResult } from '../../src/types.js';
import { freePort, realLlamaMissing, realLlamaServersOn, tempDir, writeRealLlamaManifest } from './helpers.js';

const present = realLlamaMissing === null;
if (!present) console.log(`real llama-server lane test skipped: ${realLlamaMissing} is not there (see DESIGN §11)`);

const LANE = 'real-tiny';
const MODEL_OUTCOMES: Outcome[] = ['pass', 'wrong_answer', 'no_tool_call', 'format_error', 'runaway'];
const savedStateDir = process.env.BRAINBENCH_STATE_DIR;
let stateDir: string;
let lanesFile: string;
let port: number;
let stdout: MockInstance<typeof process.stdout.write>;

const manager = async () => new LaneManager({ manifest: await loadManifest(lanesFile), logDir: join(stateDir, 'logs'), stateDir });

function jsonLines<T>(path: string): T[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : [];
}

const llamaServersOnPort = () => realLlamaServersOn(port);

async function runOnce(results: string, stopAfter: boolean): Promise<{ records: AttemptRecord[]; events: EngineEvent[] }> {
  const args = ['run', '--lanes-file', lanesFile, '--lane', LANE, '-n', '2', '--timeout', '60', '--turn-budget', '3', '--json', '--results', results];
  expect(await main(stopAfter ? [...args, '--stop-after'] : args)).toBe(0);
  const runDir = join(results, 'runs', readdirSync(join(results, 'runs'))[0]!);
  return { records: jsonLines(join(runDir, 'journal.jsonl')), events: jsonLines(join(runDir, 'events.jsonl')) };
}

const countsOf = (records: AttemptRecord[]) => records.reduce<Record<string, number>>((c, r) => ({ ...c, [r.outcome]: (c[r.outcome] ?? 0) + 1 }), {});

beforeAll(async () => {
  if (!present) return;
  stateDir = tempDir('bb-real-state-');
  process.env.BRAINBENCH_STATE_DIR = stateDir;
  port = await freePort();
  lanesFile = writeRealLlamaManifest(LANE, port);
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterAll(async () => {
  if (!present) return;
  stdout.mockRestore();
  await (await manager()).stopAll();
  if (savedStateDir === undefined) delete process.env.BRAINBENCH_STATE_DIR;
  else process.env.BRAINBENCH_STATE_DIR = savedStateDir;
});

describe('a real llama-server lane', () => {
  it.skipIf(!present)('brain-v1 at N=2, twice in a row: only model outcomes, a sane probe, nothing left running', async () => {
    const retriesBefore = laneFetch.stats.retries;
    const first = await runOnce(tempDir('bb-real-1-'), false);
    const [status] = await (await manager()).status();
    expect(status).toMatchObject({ id: LANE, state: 'ready' });
    const pid = status!.pid!;
    const second = await runOnce(tempDir('bb-real-2-'), true);

    for (const [name, run] of Object.entries({ first, second })) {
      console.log(`real lane, ${name} run: ${JSON.stringify(countsOf(run.records))}`);
      expect(run.records.filter((r) => r.lane === LANE)).toHaveLength(26);
      expect(run.records.filter((r) => r.outcome === 'lane_error').map((r) => r.error)).toEqual([]);
      for (const r of run.records) expect(MODEL_OUTCOMES, `${r.prompt_id}#${r.attempt}: ${r.error ?? r.why}`).toContain(r.outcome);
    }
    console.log(`real lane: ${laneFetch.stats.retries - retriesBefore} requests sent again after the server had closed their connection`);

    // the probe's decode rate is the server's timings.predicted_per_second; the wall-clock figure is of the same order
    const probe = first.events.find((e): e is Extract<EngineEvent, { type: 'probe' }> => e.type === 'probe')?.result as ProbeResult;
    console.log(`real lane probe: ${JSON.stringify(probe)}`);
    expect(probe.error).toBeUndefined();
    expect(probe.decode_tokens_per_sec).toBeGreaterThan(0);
    const ratio = probe.tokens_per_sec! / probe.decode_tokens_per_sec!;
    expect(ratio).toBeGreaterThan(0.1);
    expect(ratio).toBeLessThanOrEqual(1.05); // wall time includes the prompt: never faster than decoding alone

    // provenance (issue 16): the scorecard names the engine build and the full command
    const card = first.events.find((e): e is Extract<EngineEvent, { type: 'run.end' }> => e.type === 'run.end')!.scorecard;
    expect(card.reproducibility.engine_version).toBe('llama.cpp b0-82bb485');
    expect(card.reproducibility.lane_command).toMatch(/llama-server -m \S+tiny-qwen2-random\.gguf .*--alias/);
    // which model file it served: a file swapped under the same lane id would show in compare
    expect(card.reproducibility.model_identity?.id).toMatch(/^tiny-qwen2-random\.gguf · \d+ B · sha256\(first\+last MiB\) [0-9a-f]{16}$/);

    // the same process served both runs (adopted), and --stop-after left nothing behind
    expect(processAlive(pid)).toBe(false);
    expect(llamaServersOnPort()).toEqual([]);
    expect(await portOpen('127.0.0.1', port)).toBe(false);
  }, 600_000);

  it.skipIf(!present)('stops with requests in flight (the second SIGTERM), leaving no process and a closed port', async () => {
    const lanes = await manager();
    const lane = await lanes.start(LANE);
    // the build llama-server reports in /props (README of ../shared/llama-server: version 0 (82bb485))
    expect(lane.engine).toEqual({ name: 'llama.cpp', version: 'b0-82bb485' });
    const [status] = await lanes.status();
    const long = () =>
      fetch(`${lane.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: lane.model, messages: [{ role: 'user', content: 'write a long story' }], max_tokens: 6000, ignore_eos: true }),
      }).then(
        (res) => res.status,
        () => 'cut',
      );
    const inFlight = [long(), long()];
    // both slots busy before the stop
    for (;;) {
      const slots = (await (await fetch(`${lane.baseURL.replace(/\/v1$/, '')}/slots`)).json().catch(() => [])) as { is_processing?: boolean }[];
      if (Array.isArray(slots) && slots.filter((s) => s.is_processing).length === 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await lanes.stop(LANE);
    expect(await Promise.all(inFlight)).toEqual(['cut', 'cut']);
    expect(processAlive(status!.pid!)).toBe(false);
    expect(llamaServersOnPort()).toEqual([]);
    expect(await portOpen('127.0.0.1', port)).toBe(false);
    // the server saw the first SIGTERM and kept serving: it was the second that ended it
    expect(readFileSync(join(stateDir, 'logs', `${LANE}.log`), 'utf8')).toContain('cleaning up before exit');
  }, 120_000);
});
