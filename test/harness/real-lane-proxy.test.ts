// Issue 14's acceptance on a real lane: ../shared/llama-server started as a llamacpp lane by the lane
// manager, tasks-v1 tasks driven by an opaque CLI (test/shims/fake-agent as `pi`) through the
// recording proxy. Between the proxy and the server sits a tap that keeps the server's own `usage`
// of every response; the tokens the proxy recorded per request must be exactly those (not an
// estimate). The tiny model's weights are random, so grades are whatever they are; the server is
// stopped at the end and no llama-server is left.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laneFetch } from '../../src/agent/laneFetch.js';
import { readExchange } from '../../src/harness/exchange.js';
import { externalHarness } from '../../src/harness/external.js';
import { harnessCatalog } from '../../src/harness/presets.js';
import { LaneManager, type ReadyLane } from '../../src/lanes/manager.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { portOpen } from '../../src/lanes/net.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { bwrapEnvironment } from '../../src/tasks/environment.js';
import { loadTaskSuite } from '../../src/tasks/load.js';
import { runTrial } from '../../src/tasks/trial.js';
import { repoRoot } from '../helpers/cli.js';
import { freePort, realLlamaMissing, realLlamaServersOn, tempDir, writeRealLlamaManifest } from '../lanes/helpers.js';

const bwrap = await sandboxAvailable();
const skip = realLlamaMissing ? `${realLlamaMissing} is not there (see DESIGN §11)` : bwrap ? null : 'bubblewrap cannot build a sandbox here';
if (skip) console.log(`real lane through the recording proxy skipped: ${skip}`);

const LANE = 'real-tiny';
const TASKS = ['shell-pipeline', 'json-transform'];
const env = { ...process.env, PATH: `${join(repoRoot, 'test/shims')}:${process.env.PATH}` };

type Counts = { prompt_tokens: number; completion_tokens: number };
interface Seen {
  path: string;
  status: number;
  stream: boolean;
  /** The response's `usage` fields. */
  usage: Counts | null;
  /** The same counts from llama.cpp's `timings` (prompt_n + cache_n, predicted_n). */
  timings: Counts | null;
}

/** The server's own counts in a response body: the JSON's, or the last SSE event that has them. */
function countsOf(text: string): Pick<Seen, 'usage' | 'timings'> {
  const bodies = text.trimStart().startsWith('{') ? [text] : text.split('\n').filter((l) => l.startsWith('data: ') && !l.includes('[DONE]')).map((l) => l.slice(6));
  const seen: Pick<Seen, 'usage' | 'timings'> = { usage: null, timings: null };
  for (const body of bodies) {
    let json: { usage?: Counts; timings?: { prompt_n: number; cache_n?: number; predicted_n: number } };
    try {
      json = JSON.parse(body);
    } catch {
      continue; // not JSON: no counts in it
    }
    if (json.usage) seen.usage = { prompt_tokens: json.usage.prompt_tokens, completion_tokens: json.usage.completion_tokens };
    if (json.timings) seen.timings = { prompt_tokens: json.timings.prompt_n + (json.timings.cache_n ?? 0), completion_tokens: json.timings.predicted_n };
  }
  return seen;
}

/** A pass-through to the lane that records every response's status and usage, in order. */
async function startTap(upstream: string): Promise<{ baseURL: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const path = (req.url ?? '/').replace(/^\/v1/, '');
      try {
        const headers = { 'content-type': req.headers['content-type'] ?? 'application/json' };
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const up = await laneFetch(`${upstream}${path}`, { method: req.method ?? 'GET', headers, ...(body && { body }) });
        const text = await up.text();
        seen.push({ path, status: up.status, stream: /event-stream/.test(up.headers.get('content-type') ?? ''), ...countsOf(text) });
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' }).end(text);
      } catch (err) {
        res.writeHead(502).end((err as Error).message);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen, server };
}

let port: number;
let manager: LaneManager;
let lane: ReadyLane;
let tap: Awaited<ReturnType<typeof startTap>>;

beforeAll(async () => {
  if (skip) return;
  port = await freePort();
  const stateDir = tempDir('bb-real-proxy-state-');
  manager = new LaneManager({ manifest: await loadManifest(writeRealLlamaManifest(LANE, port)), logDir: join(stateDir, 'logs'), stateDir });
  lane = await manager.start(LANE);
  tap = await startTap(lane.baseURL);
}, 180_000);

afterAll(async () => {
  if (skip) return;
  await new Promise((r) => tap?.server.close(r));
  await manager?.stopAll();
});

interface Turn {
  status: number;
  usage: { prompt_tokens: number; completion_tokens: number; estimated: boolean };
}

describe('llama.cpp counts in a reply', () => {
  const raw = { index: 0, api: 'openai' as const, path: '/v1/chat/completions', requestBody: '{"stream":true}', status: 200, contentType: 'text/event-stream', timings: { firstByteMs: 1, totalMs: 2 } };
  const chunk = (extra: object) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], ...extra })}\n\ndata: [DONE]\n\n`;

  it('a stream without usage: its timings are the usage (prompt_n + cache_n, predicted_n), not an estimate', () => {
    const e = readExchange({ ...raw, responseBody: chunk({ timings: { cache_n: 30, prompt_n: 1, predicted_n: 5 } }) });
    expect(e.usage).toEqual({ prompt_tokens: 31, completion_tokens: 5, estimated: false });
  });

  it('usage in the same chunk wins; neither is an estimate', () => {
    const both = readExchange({ ...raw, responseBody: chunk({ usage: { prompt_tokens: 40, completion_tokens: 6 }, timings: { cache_n: 30, prompt_n: 1, predicted_n: 5 } }) });
    expect(both.usage).toEqual({ prompt_tokens: 40, completion_tokens: 6, estimated: false });
    expect(readExchange({ ...raw, responseBody: chunk({}) }).usage.estimated).toBe(true);
  });
});

describe.skipIf(skip !== null)('a real llama-server lane driven by an opaque CLI through the recording proxy', () => {
  it('records every request, and per request exactly the tokens of the server’s own usage', async () => {
    const suite = loadTaskSuite(join(repoRoot, 'fixtures/tasks-v1'));
    const pi = externalHarness(harnessCatalog().get('pi')!, env);
    for (const id of TASKS) {
      const task = suite.tasks.find((t) => t.id === id)!;
      const root = tempDir('bb-real-proxy-', '/tmp'); // the sandbox's uid must reach it (tests' TMPDIR is private)
      chmodSync(root, 0o755);
      const transcript = join(root, 't.json');
      const from = tap.seen.length;
      const trial = await runTrial({
        task, harness: pi, environment: bwrapEnvironment([suite.path]), scratch: join(root, 'trial'), transcriptPath: transcript,
        hide: [suite.path, root], sampling: {}, lane: { ...lane, baseURL: tap.baseURL }, timeoutS: 120,
      });
      const server = tap.seen.slice(from).filter((s) => s.path === '/chat/completions');
      const t = JSON.parse(readFileSync(transcript, 'utf8')) as { turns: Turn[]; totals: { turns: number; tokens: { prompt: number; completion: number } } };
      console.log(`real lane, pi on ${id}: ${trial.outcome}, ${server.length} requests (${server.map((s) => `${s.status}${s.stream ? ' stream' : ''}`).join(', ')}), tokens ${JSON.stringify(t.totals.tokens)}`);

      expect(server.length).toBeGreaterThan(0);
      // the proxy saw every request the CLI made, with the server's status
      expect(t.turns.map((x) => x.status)).toEqual(server.map((s) => s.status));
      // every answered request: the server's usage, taken from the response (not estimated)
      const answered = server.map((s, i) => ({ s, turn: t.turns[i]! })).filter(({ s }) => s.status === 200);
      expect(answered.length).toBeGreaterThan(0);
      for (const { s, turn } of answered) {
        // a streamed reply has usage only when asked for (stream_options), its timings always; a whole one has both, equal
        if (!s.stream) expect(s.usage).toEqual(s.timings);
        const server = s.usage ?? s.timings;
        expect(server).not.toBeNull();
        expect(turn.usage).toEqual({ ...server, estimated: false });
      }
      const sum = (k: keyof Counts) => answered.reduce((n, { s }) => n + (s.usage ?? s.timings)![k], 0);
      expect(t.totals.tokens).toEqual({ prompt: sum('prompt_tokens'), completion: sum('completion_tokens') });
      expect(t.totals.turns).toBe(answered.length);
      expect(trial.agent!.tokens).toEqual(t.totals.tokens);
      expect(trial.outcome).not.toBe('lane_error');
    }
  }, 600_000);

  it('leaves no llama-server once the lane is stopped', async () => {
    await manager.stopAll();
    expect(realLlamaServersOn(port)).toEqual([]);
    expect(await portOpen('127.0.0.1', port)).toBe(false);
  }, 60_000);
});
