// What the proxy reads out of one exchange, in both dialects, streamed or not.
import { describe, expect, it } from 'vitest';
import { dialectOf, readExchange, summariseRequest, topLevelValue, ValueScanner, type RawExchange } from '../../src/harness/exchange.js';
import { collectTurn } from '../../src/agent/turnStream.js';
import { countPeeks } from '../../src/harness/peek.js';

const raw = (over: Partial<RawExchange>): RawExchange => ({
  index: 0, api: 'openai', path: '/v1/chat/completions', requestBody: '{"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"bash"}}]}',
  status: 200, contentType: 'application/json', responseBody: '{}', timings: { firstByteMs: 100, totalMs: 1100 }, ...over,
});
const sse = (events: object[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';

describe('readExchange', () => {
  it('an OpenAI stream without usage: tool call pieces joined, tokens estimated, decode rate from the stream', () => {
    const body = sse([
      { choices: [{ delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'bash', arguments: '{"comm' } }] } }] },
      { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: 'and":"ls"}' } }] } }] },
      { choices: [{ delta: {}, finish_reason: 'tool_calls' }] },
    ]);
    const e = readExchange(raw({ contentType: 'text/event-stream', responseBody: body }));
    expect(e.tool_calls).toEqual([{ name: 'bash', arguments: '{"command":"ls"}' }]);
    expect(e.tools).toEqual(['bash']);
    expect(e.usage.estimated).toBe(true);
    expect(e.usage.completion_tokens).toBeGreaterThan(0);
    expect(e.ttft_s).toBe(0.1);
    expect(e.decode_tok_s).toBeCloseTo((e.usage.completion_tokens - 1) / 1, 5);
  });

  it('an Anthropic stream: tool_use blocks, input/output tokens from message_start and message_delta', () => {
    const body = sse([
      { type: 'message_start', message: { usage: { input_tokens: 321 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Reading.' } },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', name: 'Read' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"file_path":"/tests/test.sh"}' } },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 21 } },
    ]);
    const e = readExchange(raw({ api: 'anthropic', path: '/v1/messages', contentType: 'text/event-stream', responseBody: body }));
    expect([e.content, e.finish_reason, e.usage]).toEqual(['Reading.', 'tool_use', { prompt_tokens: 321, completion_tokens: 21, estimated: false }]);
    expect(e.tool_calls).toEqual([{ name: 'Read', arguments: '{"file_path":"/tests/test.sh"}' }]);
    expect(countPeeks(e.tool_calls)).toBe(1);
  });

  it('an error status is not a turn with tokens', () => {
    const e = readExchange(raw({ status: 500, responseBody: '{"error":"boom"}' }));
    expect(e.usage.completion_tokens).toBe(0);
    expect(e.error).toContain('HTTP 500');
  });
});

/** A Responses stream as codex gets it from a server: `event:` and `data:` lines, deltas, then the completed response. */
const responsesSse = (events: ({ type: string } & Record<string, unknown>)[]) => events.map((e, i) => `event: ${e.type}\ndata: ${JSON.stringify({ ...e, sequence_number: i })}\n\n`).join('');
const responsesUsage = { input_tokens: 1200, input_tokens_details: { cached_tokens: 1024 }, output_tokens: 34, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1234 };
const callItem = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"cat tests/test.sh"}', status: 'completed' };

describe('OpenAI Responses (codex): /v1/responses', () => {
  const request = '{"model":"m","instructions":"be brief","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}],"tools":[{"type":"function","name":"exec_command","parameters":{}}],"stream":true}';

  it('a stream: text and function-call arguments joined from their deltas, usage from response.completed, TTFT and decode rate', () => {
    const body = responsesSse([
      { type: 'response.created', response: { id: 'r', status: 'in_progress', output: [], usage: null } },
      { type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [] } },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Look' },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'ing.' },
      { type: 'response.output_item.added', output_index: 1, item: { ...callItem, arguments: '', status: 'in_progress' } },
      { type: 'response.function_call_arguments.delta', output_index: 1, item_id: 'fc_1', delta: '{"cmd":"cat ' },
      { type: 'response.function_call_arguments.delta', output_index: 1, item_id: 'fc_1', delta: 'tests/test.sh"}' },
      { type: 'response.completed', response: { id: 'r', status: 'completed', output: [], usage: responsesUsage } },
    ]);
    const e = readExchange(raw({ path: '/v1/responses', requestBody: request, contentType: 'text/event-stream', responseBody: body }));
    expect(e.tool_calls).toEqual([{ name: 'exec_command', arguments: '{"cmd":"cat tests/test.sh"}' }]);
    expect([e.content, e.finish_reason]).toEqual(['Looking.', 'completed']);
    // input_tokens already holds the cached tokens (input_tokens_details.cached_tokens is a part of it)
    expect(e.usage).toEqual({ prompt_tokens: 1200, completion_tokens: 34, estimated: false });
    expect(e.tools).toEqual(['exec_command']);
    expect(e.messages).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }]);
    expect(e.ttft_s).toBe(0.1);
    expect(e.decode_tok_s).toBeCloseTo(33 / 1, 5);
    expect(countPeeks(e.tool_calls)).toBe(1);
  });

  it("a stream of whole items (output_item.done, no deltas), the arguments counted once", () => {
    const body = responsesSse([
      { type: 'response.output_item.added', output_index: 0, item: { ...callItem, status: 'in_progress' } },
      { type: 'response.function_call_arguments.done', output_index: 0, item_id: 'fc_1', arguments: callItem.arguments },
      { type: 'response.output_item.done', output_index: 0, item: callItem },
      { type: 'response.completed', response: { status: 'completed', output: [callItem], usage: responsesUsage } },
    ]);
    const e = readExchange(raw({ path: '/v1/responses', contentType: 'text/event-stream', responseBody: body }));
    expect(e.tool_calls).toEqual([{ name: 'exec_command', arguments: callItem.arguments }]);
    expect(e.usage.completion_tokens).toBe(34);
  });

  it('a stream cut before response.completed: what came is kept, tokens estimated', () => {
    const body = responsesSse([
      { type: 'response.output_item.added', output_index: 0, item: { type: 'reasoning', summary: [] } },
      { type: 'response.reasoning_summary_text.delta', output_index: 0, delta: 'thinking' },
      { type: 'response.output_item.added', output_index: 1, item: { type: 'message', content: [] } },
      { type: 'response.output_text.delta', output_index: 1, delta: 'partial answer' },
    ]);
    const e = readExchange(raw({ path: '/v1/responses', contentType: 'text/event-stream', responseBody: body }));
    expect([e.reasoning, e.content, e.usage.estimated, e.finish_reason]).toEqual(['thinking', 'partial answer', true, null]);
  });

  it('a whole JSON reply: function_call and message items of output[], usage', () => {
    const message = { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done.', annotations: [] }] };
    const body = JSON.stringify({ object: 'response', status: 'completed', output: [{ type: 'reasoning', summary: [{ type: 'summary_text', text: 'think' }] }, message, callItem], usage: responsesUsage });
    const e = readExchange(raw({ path: '/v1/responses', requestBody: '{"input":"hello"}', responseBody: body }));
    expect([e.content, e.reasoning, e.stream]).toEqual(['Done.', 'think', false]);
    expect(e.tool_calls).toEqual([{ name: 'exec_command', arguments: callItem.arguments }]);
    expect(e.usage).toEqual({ prompt_tokens: 1200, completion_tokens: 34, estimated: false });
    expect(e.messages).toEqual([{ role: 'user', content: 'hello' }]);
    expect(e.decode_tok_s).toBeNull();
  });

  it('the dialect follows the pathname, whatever the harness declared', () => {
    expect(dialectOf('/v1/responses', 'openai')).toBe('responses');
    expect(dialectOf('/v1/messages?beta=true', 'openai')).toBe('anthropic');
    expect(dialectOf('/v1/chat/completions', 'anthropic')).toBe('openai');
    expect(dialectOf('/v1/other', 'anthropic')).toBe('anthropic');
  });
});

describe('the grader-peek audit', () => {
  it('counts calls naming tests/, test.sh, solution, solve.sh or reward, and not ordinary work', () => {
    const calls = ['{"command":"cat ../tests/test.sh"}', '{"path":"/solution/solve.sh"}', '{"command":"ls /logs/verifier/reward.txt"}', '{"command":"ls /tests"}', '{"path":"src/app.py"}', '{"command":"python3 -m pytest -q app_test.py"}'];
    expect(countPeeks(calls.map((a) => ({ arguments: a })))).toBe(4);
  });
});

describe("a lane's usage numbers, on both paths", () => {
  const bad: [string, unknown][] = [['a numeric string', '0lots'], ['a negative', -5], ['an absurd count', 1e12], ['a fraction', 2.5], ['an object', { n: 1 }]];

  it.each(bad)('proxy: %s is not stored; the count comes from the stream and a warning says why', (_, value) => {
    const body = sse([{ choices: [{ delta: { content: 'Hello there' } }] }, { choices: [{ delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: value, completion_tokens: 3 } }]);
    const e = readExchange(raw({ contentType: 'text/event-stream', responseBody: body }));
    expect(e.usage.estimated).toBe(true);
    expect(Number.isInteger(e.usage.prompt_tokens) && e.usage.prompt_tokens > 0 && e.usage.prompt_tokens < 1e9).toBe(true);
    expect(e.warnings).toEqual([expect.stringMatching(/usage\.prompt_tokens .* is not a token count/)]);
  });

  it.each(bad)('builtin loop: %s leaves usage unknown (estimated by the attempt) with a warning', async (_, value) => {
    async function* chunks() {
      yield { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }] } as never;
      yield { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 4, completion_tokens: value, total_tokens: 4 } } as never;
    }
    const turn = await collectTurn(chunks(), () => undefined);
    expect(turn.usage).toBeNull();
    expect(turn.warnings).toEqual([expect.stringMatching(/usage\.completion_tokens .* is not a token count/)]);
  });

  it('valid counts pass unchanged, without warnings', async () => {
    async function* chunks() {
      yield { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } } as never;
    }
    const turn = await collectTurn(chunks(), () => undefined);
    expect([turn.usage, turn.warnings]).toEqual([{ prompt_tokens: 4, completion_tokens: 2 }, []]);
  });

  it('Anthropic, whole reply: prompt tokens include the cache reads and writes', () => {
    const body = JSON.stringify({ content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 3, cache_read_input_tokens: 2000, cache_creation_input_tokens: 40, output_tokens: 9 } });
    const e = readExchange(raw({ api: 'anthropic', path: '/v1/messages?beta=true', responseBody: body }));
    expect(e.usage).toEqual({ prompt_tokens: 2043, completion_tokens: 9, estimated: false });
  });
});

describe('a request read without parsing its conversation', () => {
  it('finds the top-level tools, not a "tools" inside a message or a nested object', () => {
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'say "tools": [1] \\"', tools: [{ name: 'inner' }] }], meta: { tools: [] }, tools: [{ type: 'function', function: { name: 'bash' } }, { name: 'Read' }] });
    expect(topLevelValue(Buffer.from(body), 'tools')?.toString()).toBe('[{"type":"function","function":{"name":"bash"}},{"name":"Read"}]');
    expect(summariseRequest(Buffer.from(body))).toEqual({ messages: [], tools: ['bash', 'Read'], bytes: Buffer.byteLength(body) });
    expect(topLevelValue(Buffer.from('{"messages":[]}'), 'tools')).toBeNull();
    expect(topLevelValue(Buffer.from('{"tools":[{"name":"unclosed'), 'tools')).toBeNull();
  });
});

describe('the tools list found a chunk at a time', () => {
  // escaped quotes and runs of backslashes (odd and even) in keys and values, a "tools" inside a message, a key "tools\\"
  const body = Buffer.from(
    JSON.stringify({ messages: [{ role: 'user', content: 'say \\"tools\\": [1] \\\\' }, { tools: ['not', 'top level'] }], 'tools\\': [0], x: 'a\\\\"b', tools: [{ name: 'bash', d: '\\"]}' }, { name: 'Read' }], after: '}' }),
  );
  const whole = topLevelValue(body, 'tools')!.toString();

  it('the whole body: the top-level value only', () => {
    expect(JSON.parse(whole)).toEqual([{ name: 'bash', d: '\\"]}' }, { name: 'Read' }]);
  });

  it('split at every position, and a byte at a time, the same bytes are found', () => {
    for (let cut = 0; cut <= body.length; cut++) {
      const scanner = new ValueScanner('tools');
      scanner.feed(body.subarray(0, cut));
      scanner.feed(body.subarray(cut));
      expect(scanner.range && body.subarray(scanner.range.start, scanner.range.end).toString(), `cut at ${cut}`).toBe(whole);
    }
    const bytewise = new ValueScanner('tools');
    for (let i = 0; i < body.length; i++) bytewise.feed(body.subarray(i, i + 1));
    expect(bytewise.range && body.subarray(bytewise.range.start, bytewise.range.end).toString()).toBe(whole);
  });
});
