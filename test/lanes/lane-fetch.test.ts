// Lane requests that fail before any response byte are sent again (DESIGN §15): a local HTTP
// server drops the connection of some requests before answering, as a stale pooled socket to
// llama-server does; a failure after the response headers is never retried.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createLaneFetch } from '../../src/agent/laneFetch.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Drops the connection the first time it sees every `every`-th request id, before any response byte. */
function dropsEveryNth(every: number) {
  const seen = new Set<string>();
  const hits = { total: 0, dropped: 0 };
  const handler: Handler = (req, res, body) => {
    hits.total++;
    const id = Number(body);
    if (id % every === 0 && !seen.has(body)) {
      seen.add(body);
      hits.dropped++;
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'keep-alive' });
    res.end(`ok ${id}`);
  };
  return { handler, hits };
}

async function drive(send: typeof fetch, url: string, ids: number[], concurrency: number): Promise<{ ok: number; errors: string[] }> {
  const queue = [...ids];
  const result = { ok: 0, errors: [] as string[] };
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        const res = await send(url, { method: 'POST', body: String(id) });
        if ((await res.text()) === `ok ${id}`) result.ok++;
        else result.errors.push(`wrong answer for ${id}`);
      } catch (err) {
        result.errors.push(String((err as { cause?: { code?: string } }).cause?.code ?? err));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('laneFetch', () => {
  it('sends again a request whose connection failed before any response byte: 0 errors reach the caller', async () => {
    const { handler, hits } = dropsEveryNth(4);
    const url = await serve(handler);
    const laneFetch = createLaneFetch();

    const sequential = await drive(laneFetch, url, range(40), 1);
    const concurrent = await drive(laneFetch, url, range(120).map((i) => i + 1000), 8);

    expect(sequential).toEqual({ ok: 40, errors: [] });
    expect(concurrent).toEqual({ ok: 120, errors: [] });
    expect(hits.dropped).toBe(10 + 30);
    expect(laneFetch.stats.retries).toBe(hits.dropped);
    expect(hits.total).toBe(160 + hits.dropped);
  });

  it('plain fetch on the same server does surface those errors (the test can fail)', async () => {
    const { handler } = dropsEveryNth(4);
    const url = await serve(handler);
    const plain = await drive(fetch, url, range(40), 1);
    expect(plain.errors).toHaveLength(10);
    expect(new Set(plain.errors)).toEqual(new Set(['UND_ERR_SOCKET']));
  });

  it('never retries once the response headers arrived', async () => {
    let hits = 0;
    const url = await serve((req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"partial":true}\n\n', () => setImmediate(() => req.socket.destroy()));
    });
    const laneFetch = createLaneFetch();
    const res = await laneFetch(url, { method: 'POST', body: '{}' });
    await expect(res.text()).rejects.toThrow();
    expect(hits).toBe(1);
    expect(laneFetch.stats.retries).toBe(0);
  });

  it('gives up after two more tries when every connection fails', async () => {
    let hits = 0;
    const url = await serve((req) => {
      hits++;
      req.socket.destroy();
    });
    const laneFetch = createLaneFetch();
    await expect(laneFetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(hits).toBe(3);
    expect(laneFetch.stats.retries).toBe(2);
  });

  it('a streaming OpenAI client against a server that closes after every streamed response (like llama-server) sees no error', async () => {
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive' });
      const chunk = { id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }] };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      // the server says keep-alive, then closes the connection right after the stream
      res.end('data: [DONE]\n\n', () => req.socket.end());
    });
    const laneFetch = createLaneFetch();
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0, fetch: laneFetch });
    const errors: string[] = [];
    const loop = async () => {
      for (let i = 0; i < 60; i++) {
        try {
          const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
          for await (const part of stream) void part;
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    };
    await Promise.all([loop(), loop(), loop()]);
    expect(errors).toEqual([]);
  });
});
