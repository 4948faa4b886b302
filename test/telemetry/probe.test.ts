import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeThroughput } from '../../src/telemetry/probe.js';

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

describe('probeThroughput', () => {
  it('reports the medians of completion_tokens / wall and of the server decode rate', async () => {
    const { baseURL, requests } = await serve([
      { delayMs: 100, decodeRate: 30 },
      { delayMs: 400, decodeRate: 10 },
      { delayMs: 200 }, // keeps the captured 22.467771573881553
    ]);
    const result = await probeThroughput({ baseURL, model: 'bench-model' });
    expect(result.error).toBeUndefined();
    expect(result.requests).toBe(3);
    // Rates ≈ 1280, 320 and 640 tok/s: the median is the 200 ms request's, a little under 640.
    expect(result.tokens_per_sec).toBeGreaterThan(128 / 0.3);
    expect(result.tokens_per_sec).toBeLessThanOrEqual(128 / 0.2);
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
    const result = await probeThroughput({ baseURL, model: 'm', requests: 1, maxTokens: 64 });
    expect(result.tokens_per_sec).toBeGreaterThan(0);
    expect(result.decode_tokens_per_sec).toBeNull();
  });

  it('turns a server error into ProbeResult.error', async () => {
    const { baseURL, requests } = await serve([{ delayMs: 0 }, { delayMs: 0, status: 500 }, { delayMs: 0 }]);
    const result = await probeThroughput({ baseURL, model: 'm' });
    expect(result).toMatchObject({ requests: 1, tokens_per_sec: null, decode_tokens_per_sec: null });
    expect(result.error).toMatch(/request 2\/3: 500/);
    // No retry behind the caller's back: the probe stopped at the failure.
    expect(requests).toHaveLength(2);
  });

  it('turns a refused connection into ProbeResult.error', async () => {
    const result = await probeThroughput({ baseURL: 'http://127.0.0.1:9/v1', model: 'm', requests: 1 });
    expect(result.tokens_per_sec).toBeNull();
    expect(result.error).toMatch(/request 1\/1/);
  });
});
