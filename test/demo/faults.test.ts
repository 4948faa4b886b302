import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../src/demo/faults.js';
import { seededRandom } from '../../src/prng.js';
import { splitBytes } from '../../src/demo/sse.js';
import { client, lane, prompts, solutions, streamTurn, tools, type Turn } from './helpers.js';

interface RawReply {
  status: number;
  body: Buffer;
  reads: number;
  /** Set when the connection died or the read timed out. */
  error?: string;
}

/** One raw request; reads the body until it ends, fails, or `timeoutMs` passes. */
async function raw(url: string, prompt: string, stream: boolean, timeoutMs = 2000): Promise<RawReply> {
  const signal = AbortSignal.timeout(timeoutMs);
  const parts: Buffer[] = [];
  let status = 0;
  let reads = 0;
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ tools, stream, messages: [{ role: 'user', content: prompt }] }),
      signal,
    });
    status = res.status;
    for await (const part of res.body!) {
      parts.push(Buffer.from(part));
      reads++;
    }
    return { status, body: Buffer.concat(parts), reads };
  } catch (err) {
    return { status, body: Buffer.concat(parts), reads, error: (err as Error).name };
  }
}

async function series(url: string, prompt: string, count: number, stream = true, timeoutMs?: number): Promise<RawReply[]> {
  const replies: RawReply[] = [];
  for (let i = 0; i < count; i++) replies.push(await raw(url, prompt, stream, timeoutMs));
  return replies;
}

const finished = (reply: RawReply) => reply.status === 200 && !reply.error && reply.body.toString().includes('[DONE]');

describe('fault plan', () => {
  it('fires each fault on every 5th eligible request and spreads several faults apart', () => {
    const plan = new FaultPlan(['http500', 'reset', 'bad-args']);
    const picks = Array.from({ length: 12 }, (_, i) => plan.pick(i % 2 === 0 ? 'tool_call' : 'answer') ?? '-');
    // Requests alternate tool call, answer. A request taken by an earlier fault does not count for later ones.
    expect(picks).toEqual(['-', '-', '-', '-', 'http500', 'reset', '-', '-', '-', 'http500', 'bad-args', 'reset']);
  });

  it('splits bytes inside the first multi-byte character and loses none', () => {
    const bytes = Buffer.from('data: {"content":"café ✓"}\n\n');
    const pieces = splitBytes(bytes, seededRandom(7));
    expect(Buffer.concat(pieces).equals(bytes)).toBe(true);
    const lead = bytes.indexOf(0xc3);
    let offset = 0;
    const ends = pieces.map((piece) => (offset += piece.length));
    expect(ends).toContain(lead + 1);
  });
});

describe('faults over HTTP', () => {
  it('http500 answers every 5th request with a server error', async () => {
    const fake = await lane({ faults: ['http500'] });
    const replies = await series(fake.url, prompts.honesty, 6, false);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 500, 200]);
    expect(JSON.parse(replies[4]!.body.toString()).error).toMatchObject({ code: 500, type: 'server_error' });
  });

  it('http503 answers every 5th request with "Loading model"', async () => {
    const fake = await lane({ faults: ['http503'] });
    const replies = await series(fake.url, prompts.honesty, 5, false);
    expect(replies[4]!.status).toBe(503);
    expect(replies[4]!.body.toString()).toBe('{"error":{"message":"Loading model","type":"unavailable_error","code":503}}');
  });

  it('reset kills the connection mid-stream', async () => {
    const fake = await lane({ faults: ['reset'] });
    const replies = await series(fake.url, prompts.honesty, 6);
    expect(replies.map(finished)).toEqual([true, true, true, true, false, true]);
    expect(replies[4]!.error).toBeDefined();
    expect(replies[4]!.body.toString()).toContain('"role":"assistant"');
  });

  it('split-chunks writes SSE in small pieces that the openai client still reads correctly', async () => {
    const fake = await lane({ faults: ['split-chunks'] });
    const reply = await raw(fake.url, prompts.single, true);
    const events = reply.body.toString().split('\n\n').filter(Boolean).length;
    expect(reply.reads).toBeGreaterThan(events);
    const conversation = await streamTurn(client(fake.url), [
      { role: 'user', content: prompts.single },
      { role: 'tool', tool_call_id: 'x', content: 'ORION-7' },
    ]);
    expect(conversation.content).toBe(solutions.prompts.single!.answer);
  });

  it('never-ends stalls the stream but frees the slot for the next request', async () => {
    const fake = await lane({ faults: ['never-ends'], slots: 1 });
    const replies = await series(fake.url, prompts.honesty, 6, true, 400);
    expect(replies.map(finished)).toEqual([true, true, true, true, false, true]);
    expect(replies[4]!.error).toBe('TimeoutError');
    expect(replies[4]!.body.toString()).toContain('"content":"I do');
  });

  it('silent accepts a request and never answers it', async () => {
    const fake = await lane({ faults: ['silent'], slots: 1 });
    const replies = await series(fake.url, prompts.honesty, 6, false, 400);
    expect(replies[4]).toMatchObject({ status: 0, error: 'TimeoutError', reads: 0 });
    expect(replies[5]!.status).toBe(200);
  });

  it('huge sends 10 MB of content before the answer on every 5th answer turn', async () => {
    const fake = await lane({ faults: ['huge'] });
    const openai = client(fake.url);
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push((await streamTurn(openai, [{ role: 'user', content: prompts.honesty }])).content);
    expect(answers[3]).toBe(solutions.prompts.honesty!.answer);
    expect(answers[4]!.length).toBeGreaterThan(10 * 1024 * 1024);
    expect(answers[4]!.endsWith(solutions.prompts.honesty!.answer)).toBe(true);
  });

  it('bad-utf8 puts bytes that are not UTF-8 into every 5th answer', async () => {
    const fake = await lane({ faults: ['bad-utf8'] });
    const replies = await series(fake.url, prompts.honesty, 5, false);
    const strict = new TextDecoder('utf-8', { fatal: true });
    expect(() => strict.decode(replies[3]!.body)).not.toThrow();
    expect(() => strict.decode(replies[4]!.body)).toThrow();
    expect(JSON.parse(replies[4]!.body.toString()).choices[0].message.content).toContain('\uFFFD');
  });

  it('bad-args, unknown-tool and finish-lie spoil every 5th tool call', async () => {
    const fake = await lane({ faults: ['bad-args'] });
    const openai = client(fake.url);
    const turns: Turn[] = [];
    for (let i = 0; i < 5; i++) turns.push(await streamTurn(openai, [{ role: 'user', content: prompts.single }]));
    expect(JSON.parse(turns[3]!.toolCalls[0]!.arguments)).toEqual({ path: 'notes/project.md' });
    expect(() => JSON.parse(turns[4]!.toolCalls[0]!.arguments)).toThrow();

    const unknown = await lane({ faults: ['unknown-tool'] });
    const names = [];
    for (let i = 0; i < 5; i++) names.push((await streamTurn(client(unknown.url), [{ role: 'user', content: prompts.single }])).toolCalls[0]!.name);
    expect(names).toEqual(['read_file', 'read_file', 'read_file', 'read_file', 'open_file']);

    const liar = await lane({ faults: ['finish-lie'] });
    const finishes = [];
    for (let i = 0; i < 5; i++) {
      const turn = await streamTurn(client(liar.url), [{ role: 'user', content: prompts.single }]);
      finishes.push(`${turn.finishReason}:${turn.toolCalls.length}`);
    }
    expect(finishes).toEqual(['tool_calls:1', 'tool_calls:1', 'tool_calls:1', 'tool_calls:1', 'stop:1']);
  });
});
