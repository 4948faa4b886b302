// The recording proxy on its own, against a stub lane on loopback: it streams bodies to the
// exchange log instead of holding them, records turns by pathname (Claude Code's
// /v1/messages?beta=true), counts Anthropic's cached prompt tokens, refuses numbers that are not
// counts, and reports live progress. Nothing here is timed: each test waits for the exchanges.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyOptions, type ProxyProgress, type RecordingProxy } from '../../src/harness/proxy.js';
import { RECENT_EXCHANGES } from '../../src/harness/trajectory.js';
import { tempDir } from '../helpers/tmp.js';

type Reply = (path: string, body: string) => { type: string; text: string };
const sse = (events: object[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
const openaiStream = (usage: object) =>
  sse([{ choices: [{ index: 0, delta: { content: 'Hello' } }] }, { choices: [{ index: 0, delta: { content: ' there' } }] }, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage }]);

const open: { server?: Server; proxy?: RecordingProxy } = {};
afterEach(async () => {
  await open.proxy?.close();
  await new Promise((r) => (open.server ? open.server.close(r) : r(null)));
  Object.assign(open, { server: undefined, proxy: undefined });
});

/** A stub lane answering every POST with `reply`, and the proxy in front of it. */
async function proxied(reply: Reply, opts: Partial<ProxyOptions> = {}): Promise<{ proxy: RecordingProxy; dir: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = reply(req.url ?? '/', Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': r.type }).end(r.text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.server = server;
  const dir = tempDir('bb-proxy-');
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const proxy = await startProxy({ socketPath: join(dir, 'lane.sock'), lane: { baseURL }, api: 'openai', logPath: join(dir, 't.exchanges.jsonl'), ...opts });
  open.proxy = proxy;
  return { proxy, dir };
}

/** One request through the proxy's socket; resolves with the whole answer. */
function send(dir: string, path: string, body: string | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: join(dir, 'lane.sock'), path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const logLines = (dir: string) =>
  readFileSync(join(dir, 't.exchanges.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the proxy streams bodies to the log and holds only the last few', () => {
  it('50 requests of 2 MB: every body is in the log, the record holds the newest request and a few replies', async () => {
    const received: string[] = [];
    const { proxy, dir } = await proxied((_, body) => {
      received.push(createHash('sha256').update(body).digest('hex'));
      return { type: 'text/event-stream', text: openaiStream({ prompt_tokens: 7, completion_tokens: 3 }) };
    });
    const hashes: string[] = [];
    for (let i = 0; i < 50; i++) {
      const body = Buffer.from(JSON.stringify({ stream: true, messages: [{ role: 'user', content: `${i}:`.padEnd(2 * 1024 ** 2 - 256, 'x') }] }));
      hashes.push(createHash('sha256').update(body).digest('hex'));
      expect((await send(dir, '/v1/chat/completions', body)).status).toBe(200);
    }
    expect(received).toEqual(hashes); // the lane got every body whole
    const { record } = proxy;
    expect(record.turns).toHaveLength(50);
    expect(record.recent.length).toBeLessThanOrEqual(RECENT_EXCHANGES);
    // only the newest exchange keeps its request's messages: one body of 2 MB, not 50
    expect(record.recent.slice(0, -1).every((e) => e.messages.length === 0)).toBe(true);
    expect(record.heldBytes()).toBeLessThan(2 * 1024 ** 2 + 64 * 1024);
    expect(record.totals().tokens).toEqual({ prompt: 350, completion: 150 });
    expect((record.messages()[0] as { content: string }).content.startsWith('49:')).toBe(true);
    await proxy.close();
    const lines = logLines(dir);
    const requests = lines.filter((l) => l.type === 'request');
    expect(requests.map((l) => l.sha256)).toEqual(hashes);
    const bodies = requests.map((l) => Buffer.from(l.text as string));
    expect(bodies.map((b) => createHash('sha256').update(b).digest('hex'))).toEqual(hashes);
    expect(lines.filter((l) => l.type === 'response').map((l) => l.chunk).join('')).toContain('Hello');
    expect(lines.filter((l) => l.type === 'turn')).toHaveLength(50);
  });

  it('past the log budget a body is left out, its size and hash still written', async () => {
    const { proxy, dir } = await proxied(() => ({ type: 'application/json', text: '{"choices":[]}' }), { limits: { logBytes: 1024 } });
    await send(dir, '/v1/chat/completions', JSON.stringify({ messages: [{ role: 'user', content: 'y'.repeat(4096) }] }));
    await proxy.close();
    const [line] = logLines(dir).filter((l) => l.type === 'request');
    expect(line).toMatchObject({ bytes: expect.any(Number), body_omitted: expect.stringMatching(/budget/) });
    expect(line).not.toHaveProperty('text');
  });
});

describe('turns by pathname', () => {
  it("Claude Code's /v1/messages?beta=true is a turn; prompt tokens include Anthropic's cached ones", async () => {
    const seen: string[] = [];
    const events = [
      { type: 'message_start', message: { usage: { input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 } } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ok' } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } },
    ];
    const { proxy, dir } = await proxied((path) => (seen.push(path), { type: 'text/event-stream', text: sse(events) }), { api: 'anthropic' });
    await send(dir, '/v1/messages?beta=true', '{"messages":[{"role":"user","content":"hi"}],"stream":true}');
    await send(dir, '/v1/messages/count_tokens?beta=true', '{"messages":[]}');
    expect(seen).toEqual(['/v1/messages?beta=true', '/v1/messages/count_tokens?beta=true']); // the lane gets the query
    expect(proxy.record.turns.map((t) => t.path)).toEqual(['/v1/messages?beta=true']);
    expect(proxy.record.totals().tokens).toEqual({ prompt: 115, completion: 4 });
  });
});

describe("a lane's numbers are validated", () => {
  it('"0lots" and -5 are not stored: the turn is estimated from the stream, with a warning in the log', async () => {
    const warnings: string[] = [];
    const { proxy, dir } = await proxied(() => ({ type: 'text/event-stream', text: openaiStream({ prompt_tokens: '0lots', completion_tokens: -5 }) }), {
      onWarning: (w) => warnings.push(w),
    });
    await send(dir, '/v1/chat/completions', '{"messages":[{"role":"user","content":"hi"}],"stream":true}');
    const [turn] = proxy.record.turns;
    expect(turn!.usage).toMatchObject({ estimated: true, prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(turn!.usage.prompt_tokens).toBeGreaterThan(0);
    expect(turn!.usage.completion_tokens).toBeGreaterThan(0);
    expect(warnings.join('\n')).toMatch(/"0lots" is not a token count[\s\S]*-5 is not a token count/);
    await proxy.close();
    const log = readFileSync(join(dir, 't.exchanges.jsonl'), 'utf8');
    expect(log.split('\n').filter((l) => l.includes('"type":"warning"'))).toHaveLength(2);
    expect(JSON.stringify(proxy.record.turns.map((t) => t.usage))).not.toMatch(/0lots|-5\b/);
  });
});

describe('progress for the decode-rate meter', () => {
  it('a streamed reply ends with its completion tokens and decode rate', async () => {
    const seen: ProxyProgress[] = [];
    const { dir } = await proxied(() => ({ type: 'text/event-stream', text: openaiStream({ prompt_tokens: 5, completion_tokens: 9 }) }), { onProgress: (p) => seen.push(p) });
    await send(dir, '/v1/chat/completions', '{"messages":[],"stream":true}');
    await send(dir, '/v1/chat/completions', '{"messages":[],"stream":true}');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)!.completionTokens).toBe(18);
  });
});
