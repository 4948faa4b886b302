// The recording proxy on its own, against a stub lane on loopback: it streams bodies to the
// exchange log instead of holding them, records turns by pathname (Claude Code's
// /v1/messages?beta=true), counts Anthropic's cached prompt tokens, refuses numbers that are not
// counts, and reports live progress. Nothing here is timed: each test waits for the exchanges.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OTHER_PATHS, startProxy, type ProxyOptions, type ProxyProgress, type RecordingProxy } from '../../src/harness/proxy.js';
import { RECENT_EXCHANGES, writeTrajectory } from '../../src/harness/trajectory.js';
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
function proxied(reply: Reply, opts: Partial<ProxyOptions> = {}): Promise<{ proxy: RecordingProxy; dir: string }> {
  return proxiedBy((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = reply(req.url ?? '/', Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': r.type }).end(r.text);
    });
  }, opts);
}

/** A stub lane handling requests with `handler`, and the proxy in front of it. */
async function proxiedBy(handler: RequestListener, opts: Partial<ProxyOptions> = {}): Promise<{ proxy: RecordingProxy; dir: string }> {
  const server = createServer(handler);
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
    const ends = lines.filter((l) => l.type === 'request_end');
    expect(ends.map((l) => l.sha256)).toEqual(hashes);
    expect(ends.every((l) => l.logged === l.bytes && !('body_omitted' in l))).toBe(true);
    // each body is its chunk lines in order, whatever the chunks were
    const bodies = ends.map((end) => Buffer.from(lines.filter((l) => l.type === 'request_chunk' && l.exchange === end.exchange).map((l) => l.text).join('')));
    expect(bodies.map((b) => createHash('sha256').update(b).digest('hex'))).toEqual(hashes);
    expect(lines.filter((l) => l.type === 'response').map((l) => l.chunk).join('')).toContain('Hello');
    expect(lines.filter((l) => l.type === 'turn')).toHaveLength(50);
  });

  it('past the log budget a body is left out, its size and hash still written', async () => {
    const { proxy, dir } = await proxied(() => ({ type: 'application/json', text: '{"choices":[]}' }), { limits: { logBytes: 1024 } });
    await send(dir, '/v1/chat/completions', JSON.stringify({ messages: [{ role: 'user', content: 'y'.repeat(4096) }] }));
    await proxy.close();
    const lines = logLines(dir);
    expect(lines.filter((l) => l.type === 'request_end')).toEqual([expect.objectContaining({ bytes: expect.any(Number), sha256: expect.any(String), logged: 0, body_omitted: expect.stringMatching(/budget/) })]);
    expect(lines.filter((l) => l.type === 'request_chunk')).toEqual([]);
  });
});

describe('an exchange log that cannot be written', () => {
  it('the trial still runs, and the trajectory says why the log stopped', async () => {
    const dir = tempDir('bb-proxy-log-');
    writeFileSync(join(dir, 'file'), '');
    const { proxy, dir: sock } = await proxied(() => ({ type: 'application/json', text: '{"choices":[]}' }), { logPath: join(dir, 'file', 't.exchanges.jsonl') });
    expect((await send(sock, '/v1/chat/completions', '{"messages":[]}')).status).toBe(200);
    await proxy.close();
    expect(proxy.logError).toMatch(/could not open the exchange log/);
    const path = join(dir, 't.json');
    const base = { harness: 'x', api: 'openai', taskId: 't', model: 'm', baseURL: 'u', status: 'exited', error: null, wallS: 1, record: proxy.record, output: '', proxy: proxy.stats };
    expect(await writeTrajectory(path, { ...base, logError: proxy.logError })).toBeNull();
    expect(JSON.parse(readFileSync(path, 'utf8')).exchange_log_error).toBe(proxy.logError);
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

/** A request without a body (HEAD, GET) through the proxy's socket; resolves with its status. */
function probe(dir: string, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: join(dir, 'lane.sock'), path, method }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('every dialect read, every other path counted', () => {
  /** A Responses stream as codex gets it: `event:` lines, deltas, the usage in response.completed. */
  const responsesEvents = (text: string, usage: object) =>
    [
      { type: 'response.created', response: { status: 'in_progress', output: [], usage: null } },
      { type: 'response.output_item.added', output_index: 0, item: { type: 'function_call', name: 'exec_command', arguments: '' } },
      { type: 'response.function_call_arguments.delta', output_index: 0, delta: '{"cmd":' },
      { type: 'response.function_call_arguments.delta', output_index: 0, delta: '"ls"}' },
      { type: 'response.output_item.added', output_index: 1, item: { type: 'message', content: [] } },
      { type: 'response.output_text.delta', output_index: 1, delta: text },
      { type: 'response.completed', response: { status: 'completed', output: [], usage } },
    ]
      .map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)
      .join('');

  it("codex's /v1/responses is a turn: tool calls, tokens (cached ones inside input_tokens), TTFT and decode rate", async () => {
    const usage = { input_tokens: 500, input_tokens_details: { cached_tokens: 400 }, output_tokens: 12 };
    const { proxy, dir } = await proxied(() => ({ type: 'text/event-stream', text: responsesEvents('ok', usage) }));
    const body = '{"model":"m","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}],"tools":[{"type":"function","name":"exec_command"}],"stream":true}';
    await send(dir, '/v1/responses', body);
    expect(proxy.record.turns.map((t) => [t.path, t.tool_calls])).toEqual([['/v1/responses', [{ name: 'exec_command', arguments: '{"cmd":"ls"}' }]]]);
    const totals = proxy.record.totals();
    expect([totals.turns, totals.tokens, totals.toolsCalled, totals.answer]).toEqual([1, { prompt: 500, completion: 12 }, ['exec_command'], 'ok']);
    expect(totals.ttftS).not.toBeNull();
    expect(proxy.record.tools).toEqual(new Set(['exec_command']));
    expect(proxy.record.messages()).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }]);
    expect(proxy.stats.unrecorded).toBe(0);
  });

  it('HEAD /, /v1/models, count_tokens and an unknown path are forwarded and counted as unrecorded, by method and path, in the log too', async () => {
    const seen: string[] = [];
    const { proxy, dir } = await proxied((path) => (seen.push(path), { type: 'application/json', text: '{}' }), { api: 'anthropic' });
    expect(await probe(dir, 'HEAD', '/')).toBe(200);
    expect(await probe(dir, 'GET', '/v1/models')).toBe(200);
    await send(dir, '/v1/messages/count_tokens?beta=true', '{"messages":[]}');
    await send(dir, '/v1/xyz', '{}');
    await send(dir, '/v1/xyz', '{}');
    expect(seen).toEqual(['/', '/v1/models', '/v1/messages/count_tokens?beta=true', '/v1/xyz', '/v1/xyz']);
    expect(proxy.record.turns).toEqual([]);
    expect(proxy.stats.unrecorded).toBe(5);
    expect(proxy.stats.unrecordedPaths).toEqual({ 'HEAD /': 1, 'GET /v1/models': 1, 'POST /v1/messages/count_tokens': 1, 'POST /v1/xyz': 2 });
    await proxy.close();
    const lines = logLines(dir).filter((l) => l.type === 'unrecorded');
    expect(lines.map((l) => [l.method, l.path, l.status])).toEqual([
      ['HEAD', '/', 200], ['GET', '/v1/models', 200], ['POST', '/v1/messages/count_tokens?beta=true', 200], ['POST', '/v1/xyz', 200], ['POST', '/v1/xyz', 200],
    ]);
  });

  it('the distinct unrecorded paths kept are bounded; the rest are counted together', async () => {
    const { proxy, dir } = await proxied(() => ({ type: 'application/json', text: '{}' }));
    for (let i = 0; i < 40; i++) await send(dir, `/v1/other-${i}`, '{}');
    expect(proxy.stats.unrecorded).toBe(40);
    expect(Object.keys(proxy.stats.unrecordedPaths)).toHaveLength(33);
    expect(proxy.stats.unrecordedPaths[OTHER_PATHS]).toBe(8);
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

/** A JSON chat request of `bytes` bytes whose content differs at every position (a misplaced byte changes its hash). */
function bigRequest(bytes: number): Buffer {
  const head = Buffer.from('{"stream":true,"tools":[{"type":"function","function":{"name":"bash"}}],"messages":[{"role":"user","content":"');
  const tail = Buffer.from('"}]}');
  const body = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) body[i] = 0x61 + ((i * 7 + (i >> 12)) % 26);
  head.copy(body, 0);
  tail.copy(body, bytes - tail.length);
  return body;
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A lane that hashes each request body it gets whole; `cut` decides, at a request's first bytes, to drop its connection instead. */
function hashingLane(seen: { hashes: string[]; lengths: (string | undefined)[]; started: () => void }, cut: (n: number) => boolean): RequestListener {
  let n = 0;
  return (req, res) => {
    const mine = n++;
    const hash = createHash('sha256');
    req.once('data', () => (cut(mine) ? req.socket.destroy() : seen.started()));
    req.on('data', (c: Buffer) => hash.update(c));
    req.on('end', () => {
      seen.hashes.push(hash.digest('hex'));
      seen.lengths.push(req.headers['content-length']);
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(openaiStream({ prompt_tokens: 3, completion_tokens: 2 }));
    });
  };
}

/** Sends `body` with its length declared: the first `first` bytes, then (once `ready` resolves) the rest. */
function sendInTwo(dir: string, body: Buffer, first: number, ready: Promise<void>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: join(dir, 'lane.sock'), path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.write(body.subarray(0, first));
    void ready.then(() => req.end(body.subarray(first)));
  });
}

describe('a request body streams through, never held whole', () => {
  const BYTES = 24 * 1024 ** 2; // past every buffer the proxy has: the record's 4 MB, the kept request's 2 MB, the spool's slices
  const limits = { requestBytes: 32 * 1024 ** 2 };

  it('the lane gets the first bytes before the harness has sent the last, and the whole body byte-exact', async () => {
    let started!: () => void;
    const laneStarted = new Promise<void>((r) => (started = r));
    const seen = { hashes: [] as string[], lengths: [] as (string | undefined)[], started };
    const spoolDir = tempDir('bb-spool-');
    const { proxy, dir } = await proxiedBy(hashingLane(seen, () => false), { limits, spoolDir });
    const body = bigRequest(BYTES);
    // a proxy that waited for the whole body would never reach the lane: this request would never end
    expect(await sendInTwo(dir, body, BYTES / 3, laneStarted)).toBe(200);
    expect(seen.hashes).toEqual([sha(body)]);
    expect(seen.lengths).toEqual([String(BYTES)]); // declared, not chunked
    expect(proxy.record.turns).toHaveLength(1);
    expect(proxy.record.recent[0]!.tools).toEqual(['bash']); // read back from the spool file
    expect(proxy.record.heldBytes()).toBeLessThan(64 * 1024);
    expect(proxy.stats.retries).toBe(0);
    expect(readdirSync(spoolDir)).toEqual([]);
    await proxy.close();
    const end = logLines(dir).find((l) => l.type === 'request_end');
    expect(end).toMatchObject({ bytes: BYTES, sha256: sha(body), logged: BYTES });
  });

  it('a request cut by a connection the lane had already closed is sent again from the spool, byte-exact', async () => {
    const seen = { hashes: [] as string[], lengths: [] as (string | undefined)[], started: () => undefined };
    const spoolDir = tempDir('bb-spool-');
    const { proxy, dir } = await proxiedBy(hashingLane(seen, (n) => n === 0), { limits, spoolDir });
    const body = bigRequest(BYTES);
    expect((await send(dir, '/v1/chat/completions', body)).status).toBe(200);
    expect(proxy.stats.retries).toBe(1);
    expect(seen.hashes).toEqual([sha(body)]); // the cut try never ended; the retry came whole
    expect(proxy.record.turns).toHaveLength(1);
    expect(proxy.stats.upstreamErrors).toBe(0);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('a harness that breaks off mid-body: the lane never gets a whole request, nothing is recorded, the proxy goes on', async () => {
    let started!: () => void;
    const laneStarted = new Promise<void>((r) => (started = r));
    const seen = { hashes: [] as string[], lengths: [] as (string | undefined)[], started };
    const spoolDir = tempDir('bb-spool-');
    const { proxy, dir } = await proxiedBy(hashingLane(seen, () => false), { limits, spoolDir });
    const cut = request({ socketPath: join(dir, 'lane.sock'), path: '/v1/chat/completions', method: 'POST', headers: { 'content-length': BYTES } });
    const gone = new Promise((r) => cut.on('error', r).on('close', r));
    cut.write(bigRequest(BYTES).subarray(0, BYTES / 4));
    await laneStarted; // it is streaming to the lane
    cut.destroy();
    await gone;
    expect((await send(dir, '/v1/chat/completions', '{"messages":[]}')).status).toBe(200); // the next request goes through
    expect(seen.hashes).toEqual([sha(Buffer.from('{"messages":[]}'))]);
    expect(proxy.record.turns).toHaveLength(1);
    await proxy.close();
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('a body without a declared length is refused with 413 once it passes the bound', async () => {
    const seen = { hashes: [] as string[], lengths: [] as (string | undefined)[], started: () => undefined };
    const { proxy, dir } = await proxiedBy(hashingLane(seen, () => false), { limits: { requestBytes: 1024 ** 2 } });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ socketPath: join(dir, 'lane.sock'), path: '/v1/chat/completions', method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(bigRequest(2 * 1024 ** 2));
    });
    expect(status).toBe(413);
    expect(seen.hashes).toEqual([]); // the lane never got a whole body
    expect(proxy.record.turns).toHaveLength(0);
  });
});
