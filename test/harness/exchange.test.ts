// What the proxy reads out of one exchange, in both dialects, streamed or not.
import { describe, expect, it } from 'vitest';
import { readExchange, type RawExchange } from '../../src/harness/exchange.js';
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

describe('the grader-peek audit', () => {
  it('counts calls naming tests/, test.sh, solution, solve.sh or reward, and not ordinary work', () => {
    const calls = ['{"command":"cat ../tests/test.sh"}', '{"path":"/solution/solve.sh"}', '{"command":"ls /logs/verifier/reward.txt"}', '{"command":"ls /tests"}', '{"path":"src/app.py"}', '{"command":"python3 -m pytest -q app_test.py"}'];
    expect(countPeeks(calls.map((a) => ({ arguments: a })))).toBe(4);
  });
});
