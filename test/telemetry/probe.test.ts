import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROBE_CEILING_S, PROBE_FLOOR_S, probeThroughput, StableRate } from '../../src/telemetry/probe.js';

// A real llama-server reply (usage + timings), after its captured status line and headers.
const captured = readFileSync(new URL('./fixtures/llama-server/decode128_run0.json', import.meta.url), 'utf8');
const REPLY = JSON.parse(captured.slice(captured.indexOf('\n\n') + 2)) as {
  usage: { completion_tokens: number };
  timings?: { predicted_per_second: number };
};

interface Planned {
  delayMs: number;
  status?: number;
  completionTokens?: number;
  decodeRate?: number | null;
}

let server: Server | null = null;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return JSON.parse(body) as Record<string, unknown>;
}

/** A tiny chat-completions server that answers the planned replies in order and keeps the requests. */
async function serve(plan: Planned[]): Promise<{ baseURL: string; requests: Record<string, unknown>[] }> {
  const requests: Record<string, unknown>[] = [];
  server = createServer(async (req, res) => {
    const step = plan[requests.length]!;
    requests.push({ path: req.url, ...(await readBody(req)) });
    await new Promise((r) => setTimeout(r, step.delayMs));
    if (step.status && step.status !== 200) {
      const error = { error: { code: step.status, message: 'The model produced output that does not match the expected peg-native format', type: 'server_error' } };
      res.writeHead(step.status, { 'content-type': 'application/json' }).end(JSON.stringify(error));
      return;
    }
    const reply = structuredClone(REPLY);
    reply.usage.completion_tokens = step.completionTokens ?? 128;
    if (step.decodeRate === null) delete reply.timings;
    else if (step.decodeRate !== undefined) reply.timings!.predicted_per_second = step.decodeRate;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(reply));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests };
}

describe('probeThroughput, fixed (untilStable: false)', () => {
  it('reports the medians of completion_tokens / wall and of the server decode rate', async () => {
    const { baseURL, requests } = await serve([
      { delayMs: 100, decodeRate: 30 },
      { delayMs: 400, decodeRate: 10 },
      { delayMs: 200 }, // keeps the captured 22.467771573881553
    ]);
    // the clock says the requests took 100, 400 and 200 ms (read at the probe's start and end too)
    const readings = [0, 0, 100, 100, 500, 500, 700, 700];
    const result = await probeThroughput({ baseURL, model: 'bench-model', untilStable: false, clock: () => readings.shift()! });
    expect(result.error).toBeUndefined();
    expect(result.requests).toBe(3);
    // Rates 1280, 320 and 640 tok/s: the median is the 200 ms request's.
    expect(result.tokens_per_sec).toBe(640);
    expect(result.duration_s).toBe(0.7);
    expect(result.decode_tokens_per_sec).toBe(REPLY.timings!.predicted_per_second);
    expect(requests).toHaveLength(3);
    for (const body of requests) {
      expect(body).toMatchObject({ path: '/v1/chat/completions', model: 'bench-model', temperature: 0, max_tokens: 256 });
      expect(body.stream ?? false).toBe(false);
      expect(body.messages).toEqual(requests[0]!.messages);
    }
  });

  it('has no decode rate where the server reports no timings', async () => {
    const { baseURL } = await serve([{ delayMs: 10, decodeRate: null, completionTokens: 64 }]);
    const result = await probeThroughput({ baseURL, model: 'm', requests: 1, maxTokens: 64, untilStable: false });
    expect(result.tokens_per_sec).toBeGreaterThan(0);
    expect(result.decode_tokens_per_sec).toBeNull();
  });

  it('turns a server error into ProbeResult.error', async () => {
    const { baseURL, requests } = await serve([{ delayMs: 0 }, { delayMs: 0, status: 500 }, { delayMs: 0 }]);
    const result = await probeThroughput({ baseURL, model: 'm', untilStable: false });
    expect(result).toMatchObject({ requests: 1, tokens_per_sec: null, decode_tokens_per_sec: null });
    expect(result.error).toMatch(/request 2\/3: 500/);
    // No retry behind the caller's back: the probe stopped at the failure.
    expect(requests).toHaveLength(2);
  });

  it('turns a refused connection into ProbeResult.error', async () => {
    const result = await probeThroughput({ baseURL: 'http://127.0.0.1:9/v1', model: 'm', requests: 1, untilStable: false });
    expect(result.tokens_per_sec).toBeNull();
    expect(result.error).toMatch(/request 1\/1/);
  });
});

/** A chat server that streams `tokens` one-token chunks per request, then usage; keeps whether each stream was left early. */
async function serveStream(tokens: number): Promise<{ baseURL: string; requests: Record<string, unknown>[]; closedEarly: boolean[] }> {
  const requests: Record<string, unknown>[] = [];
  const closedEarly: boolean[] = [];
  server = createServer(async (req, res) => {
    const i = requests.length;
    requests.push(await readBody(req));
    closedEarly[i] = false;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (body: object) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', ...body })}\n\n`;
    for (let k = 0; k < tokens; k++) {
      if (res.destroyed || req.socket.destroyed) {
        closedEarly[i] = true;
        return;
      }
      res.write(chunk({ choices: [{ index: 0, delta: { content: 'word ' }, finish_reason: null }] }));
      // one chunk per turn of the event loop, so the client can leave mid-stream
      await new Promise((r) => setImmediate(r));
    }
    res.write(chunk({ choices: [], usage: { prompt_tokens: 30, completion_tokens: tokens, total_tokens: 30 + tokens } }));
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests, closedEarly };
}

/** A fake clock that moves `stepMs(k)` on its k-th reading: the probe reads it once per token (and a few times more). */
function steppingClock(stepMs: (k: number) => number): () => number {
  let t = 0;
  let k = 0;
  return () => (t += stepMs(k++));
}

describe('probeThroughput, until the rate is stable (the default)', () => {
  it('stops a steady 40 tok/s stream soon after its floor and says so, with the headline extrapolated to max_tokens', async () => {
    const { baseURL, requests, closedEarly } = await serveStream(256);
    const result = await probeThroughput({ baseURL, model: 'm', clock: steppingClock(() => 25) });
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ requests: 1, stopped_early: 'stable' });
    expect(result.decode_tokens_per_sec).toBeCloseTo(40, 5);
    // 256 tokens after a time to first token of a few clock steps: just under 40
    expect(result.tokens_per_sec!).toBeGreaterThan(39);
    expect(result.tokens_per_sec!).toBeLessThan(40);
    expect(result.duration_s!).toBeGreaterThanOrEqual(PROBE_FLOOR_S);
    expect(result.duration_s!).toBeLessThan(PROBE_FLOOR_S + 1);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ stream: true, temperature: 0, max_tokens: 256 });
    await vi.waitFor(() => expect(closedEarly[0]).toBe(true));
  });

  it('keeps going on a drifting rate until its ceiling', async () => {
    const { baseURL } = await serveStream(2000);
    // each token takes 1 ms longer than the one before: never stable
    const result = await probeThroughput({ baseURL, model: 'm', clock: steppingClock((k) => 10 + k) });
    expect(result.stopped_early).toBe('ceiling');
    expect(result.duration_s!).toBeGreaterThanOrEqual(PROBE_CEILING_S);
    expect(result.duration_s!).toBeLessThan(PROBE_CEILING_S + 1);
  });

  it('stops after two whole replies that agree, when each is too short to judge', async () => {
    const { baseURL, requests } = await serveStream(20);
    const result = await probeThroughput({ baseURL, model: 'm', clock: steppingClock(() => 25) });
    expect(requests).toHaveLength(2);
    expect(result).toMatchObject({ requests: 2, stopped_early: 'stable' });
    expect(result.tokens_per_sec!).toBeGreaterThan(30);
    expect(result.tokens_per_sec!).toBeLessThan(40);
  });
});

describe('StableRate', () => {
  it('is not stable before its floor, however steady', () => {
    const meter = new StableRate();
    const stableAt: number[] = [];
    for (let t = 0; t <= 5000; t += 25) if (meter.add(t)) stableAt.push(t);
    expect(stableAt[0]).toBeGreaterThanOrEqual(PROBE_FLOOR_S * 1000);
    expect(meter.rate()).toBeCloseTo(40, 5);
  });

  it('is never stable on a rate that halves every two seconds', () => {
    const meter = new StableRate();
    let t = 0;
    for (let k = 0; k < 400; k++) {
      t += 25 * 2 ** (t / 2000);
      expect(meter.add(t)).toBe(false);
    }
  });
});
