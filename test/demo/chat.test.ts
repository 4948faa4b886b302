import { describe, expect, it } from 'vitest';
import { client, lane, prompts, streamTurn, tools } from './helpers.js';

const chunkKeys = ['choices', 'created', 'id', 'model', 'system_fingerprint', 'object'];

/** The `data:` payloads of a raw SSE body, in order. */
async function rawEvents(url: string, body: Record<string, unknown>): Promise<{ status: number; headers: Headers; events: string[] }> {
  const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ tools, stream: true, ...body }) });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
  return { status: res.status, headers: res.headers, events };
}

describe('chat completions', () => {
  it('streams a tool call the openai client puts back together, with usage', async () => {
    const fake = await lane({ alias: 'bench-model' });
    const turn = await streamTurn(client(fake.url), [{ role: 'user', content: prompts.chain }]);
    expect(turn.finishReason).toBe('tool_calls');
    expect(turn.toolCalls).toHaveLength(1);
    expect(turn.toolCalls[0]!.name).toBe('list_files');
    expect(JSON.parse(turn.toolCalls[0]!.arguments)).toEqual({ path: 'reports' });
    expect(turn.toolCalls[0]!.id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(turn.usage!.completion_tokens).toBeGreaterThan(0);
    expect(turn.usage!.total_tokens).toBe(turn.usage!.prompt_tokens + turn.usage!.completion_tokens);
  });

  it('writes SSE chunk for chunk like llama-server: role, argument pieces, finish, usage, [DONE]', async () => {
    const fake = await lane({ alias: 'bench-model' });
    const { status, headers, events } = await rawEvents(fake.url, {
      messages: [{ role: 'user', content: prompts.single }],
      stream_options: { include_usage: true },
    });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/event-stream');
    expect(headers.get('x-accel-buffering')).toBe('no');
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    for (const chunk of chunks) expect(Object.keys(chunk).slice(0, 6)).toEqual(chunkKeys);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0].choices).toEqual([{ finish_reason: null, index: 0, delta: { role: 'assistant', content: null } }]);
    const opening = chunks[1].choices[0].delta.tool_calls[0];
    expect(opening).toEqual({ index: 0, id: expect.any(String), type: 'function', function: { name: 'read_file', arguments: expect.any(String) } });
    const later = chunks[2].choices[0].delta.tool_calls[0];
    expect(Object.keys(later)).toEqual(['index', 'function']);
    expect(Object.keys(later.function)).toEqual(['arguments']);
    const finish = chunks.at(-2);
    expect(finish.choices).toEqual([{ finish_reason: 'tool_calls', index: 0, delta: {} }]);
    expect(finish.timings).toBeUndefined();
    const usage = chunks.at(-1);
    expect(usage.choices).toEqual([]);
    expect(Object.keys(usage.usage)).toEqual(['completion_tokens', 'prompt_tokens', 'total_tokens', 'prompt_tokens_details']);
    expect(Object.keys(usage.timings)).toEqual([
      'cache_n',
      'prompt_n',
      'prompt_ms',
      'prompt_per_token_ms',
      'prompt_per_second',
      'predicted_n',
      'predicted_ms',
      'predicted_per_token_ms',
      'predicted_per_second',
    ]);
    expect(usage.timings.predicted_n).toBe(usage.usage.completion_tokens);
  });

  it('puts timings on the finish chunk and sends no usage without include_usage', async () => {
    const fake = await lane();
    const { events } = await rawEvents(fake.url, { messages: [{ role: 'user', content: prompts.honesty }] });
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    const finish = chunks.at(-1);
    expect(finish.choices[0].finish_reason).toBe('stop');
    expect(finish.timings.predicted_n).toBeGreaterThan(0);
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    const text = chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('');
    expect(text).toBe("I don't know your mother's maiden name.");
  });

  it('answers non-streaming requests in the chat.completion shape with usage and timings', async () => {
    const fake = await lane({ alias: 'bench-model' });
    const res = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ tools, messages: [{ role: 'user', content: prompts.single }] }),
    });
    const body = JSON.parse(await res.text());
    expect(Object.keys(body)).toEqual(['choices', 'created', 'model', 'system_fingerprint', 'object', 'usage', 'id', 'timings']);
    expect(body).toMatchObject({ object: 'chat.completion', model: 'bench-model', id: expect.stringMatching(/^chatcmpl-/) });
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ type: 'function', function: { name: 'read_file', arguments: '{"path":"notes/project.md"}' }, id: expect.any(String) }],
    });
    expect(body.usage.completion_tokens).toBe(body.timings.predicted_n);
  });

  it('stops at max_tokens with finish_reason "length"', async () => {
    const fake = await lane();
    const completion = await client(fake.url).chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: prompts.honesty }],
      tools,
      max_tokens: 3,
    });
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage!.completion_tokens).toBe(3);
    expect(completion.choices[0]!.message.content).toBe("I don't know");
  });

  it('decodes a bare prompt up to max_tokens, so a throughput probe measures the decode rate', async () => {
    const fake = await lane({ tokPerSec: 200 });
    const started = Date.now();
    const completion = await client(fake.url).chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Count to a thousand.' }], max_tokens: 40 });
    const wallS = (Date.now() - started) / 1000;
    expect(completion.usage!.completion_tokens).toBe(40);
    expect(completion.choices[0]!.finish_reason).toBe('length');
    const timings = (completion as unknown as { timings: { predicted_per_second: number } }).timings;
    expect(timings.predicted_per_second).toBeGreaterThan(150);
    expect(timings.predicted_per_second).toBeLessThan(210);
    expect(wallS).toBeGreaterThanOrEqual(0.19);
  });

  it('paces tokens at tok/s per slot', async () => {
    const fake = await lane({ tokPerSec: 100 });
    const started = Date.now();
    const turn = await streamTurn(client(fake.url), [{ role: 'user', content: prompts.honesty }]);
    const elapsed = Date.now() - started;
    const tokens = turn.usage!.completion_tokens;
    expect(elapsed).toBeGreaterThanOrEqual(tokens * 10 - 5);
    expect(elapsed).toBeLessThan(tokens * 10 + 400);
  });
});
