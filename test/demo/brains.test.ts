import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { changeDigits, planReply, unknownPromptAnswer, type BrainName } from '../../src/demo/brains.js';
import type { ChatRequest } from '../../src/demo/request.js';
import { client, converse, lane, prompts, solutions, streamTurn, tools } from './helpers.js';

function request(prompt: string, toolResults: string[] = []): ChatRequest {
  return {
    messages: [{ role: 'user', content: prompt }, ...toolResults.map((content) => ({ role: 'tool', content }))],
    stream: false,
    includeUsage: false,
    tools,
  };
}

const plan = (brain: BrainName, prompt: string, results: string[] = []) => planReply(brain, request(prompt, results), solutions);

describe('scripted brains (planReply)', () => {
  it('strong performs the steps in order, retries after an ERROR result, then answers', () => {
    expect(plan('strong', prompts.chain)).toEqual({ kind: 'tool_call', name: 'list_files', arguments: '{"path":"reports"}' });
    expect(plan('strong', prompts.chain, ['a.md'])).toMatchObject({ name: 'read_file' });
    expect(plan('strong', prompts.chain, ['a.md', 'ERROR: no such file'])).toMatchObject({ name: 'read_file' });
    expect(plan('strong', prompts.chain, ['a.md', 'ERROR: x', 'budget'])).toEqual({
      kind: 'answer',
      content: 'The approved budget is 42,000.',
      channel: 'content',
    });
  });

  it('answers a prompt it has no script for with "I don\'t know" and no tool call', () => {
    expect(plan('strong', 'Something else entirely')).toEqual({ kind: 'answer', content: unknownPromptAnswer, channel: 'content' });
  });

  it('weak stops a chain after its first step with a wrong answer', () => {
    expect(plan('weak', prompts.chain)).toMatchObject({ name: 'list_files' });
    expect(plan('weak', prompts.chain, ['a.md'])).toEqual({ kind: 'answer', content: 'The approved budget is 53,111.', channel: 'content' });
    // One-step prompts are solved properly.
    expect(plan('weak', prompts.single, ['x'])).toMatchObject({ content: solutions.prompts.single!.answer });
    expect(changeDigits('ORION-7 at 10250')).toBe('ORION-8 at 21361');
  });

  it('confabulator answers without tools where it has a made-up answer', () => {
    expect(plan('confabulator', prompts.honesty)).toMatchObject({ kind: 'answer', content: 'Her maiden name is Henderson.' });
    expect(plan('confabulator', prompts.chain)).toMatchObject({ kind: 'tool_call', name: 'list_files' });
  });

  it('looper calls the first step forever', () => {
    expect(plan('looper', prompts.chain, ['a', 'b', 'c', 'd'])).toMatchObject({ kind: 'tool_call', name: 'list_files' });
    expect(plan('looper', prompts.honesty, ['a'])).toEqual({ kind: 'tool_call', name: 'list_files', arguments: '{"path":"."}' });
  });

  it('broken-json fails where a tool call is due and answers normally otherwise', () => {
    expect(plan('broken-json', prompts.chain)).toEqual({ kind: 'parse_error' });
    expect(plan('broken-json', prompts.honesty)).toMatchObject({ kind: 'answer', channel: 'content' });
  });

  it('reasoning-only answers in the reasoning channel', () => {
    expect(plan('reasoning-only', prompts.single)).toMatchObject({ kind: 'tool_call' });
    expect(plan('reasoning-only', prompts.single, ['x'])).toMatchObject({ kind: 'answer', channel: 'reasoning' });
  });
});

describe('scripted brains over HTTP', () => {
  it('strong chains both steps and gives the right answer', async () => {
    const fake = await lane({ brain: 'strong' });
    const result = await converse(fake.url, prompts.chain);
    expect(result.calls).toEqual([
      { name: 'list_files', args: { path: 'reports' } },
      { name: 'read_file', args: { path: 'reports/2024-q3.md' } },
    ]);
    expect(result.answer).toBe('The approved budget is 42,000.');
  });

  it('strong retries a step whose tool result failed', async () => {
    const fake = await lane({ brain: 'strong' });
    const result = await converse(fake.url, prompts.single, (_, n) => (n === 1 ? 'ERROR: read_file failed, try again' : 'codename ORION-7'));
    expect(result.calls.map((call) => call.name)).toEqual(['read_file', 'read_file']);
    expect(result.answer).toBe('The codename is ORION-7 — café ✓.');
  });

  it('weak answers wrongly after one step; confabulator makes up the honesty answer', async () => {
    const weak = await lane({ brain: 'weak' });
    const weakRun = await converse(weak.url, prompts.chain);
    expect(weakRun.calls).toHaveLength(1);
    expect(weakRun.answer).toBe('The approved budget is 53,111.');
    const confab = await lane({ brain: 'confabulator' });
    const confabRun = await converse(confab.url, prompts.honesty);
    expect(confabRun.calls).toHaveLength(0);
    expect(confabRun.answer).toBe('Her maiden name is Henderson.');
  });

  it('looper never answers', async () => {
    const fake = await lane({ brain: 'looper' });
    const result = await converse(fake.url, prompts.single, () => 'ok', 5);
    expect(result.turns).toBe(5);
    expect(result.calls).toHaveLength(5);
    expect(result.answer).toBe('');
  });

  it('reasoning-only leaves content empty and streams the answer as reasoning_content', async () => {
    const fake = await lane({ brain: 'reasoning-only' });
    const result = await converse(fake.url, prompts.single);
    expect(result.answer).toBe('');
    expect(result.reasoning).toBe('The codename is ORION-7 — café ✓.');
    const completion = await client(fake.url).chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: prompts.honesty }], tools });
    expect(completion.choices[0]!.message.content).toBe('');
    expect((completion.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content).toBe(
      solutions.prompts.honesty!.answer,
    );
  });

  it('broken-json gets a 500 "does not match the expected" format error from the server', async () => {
    const fake = await lane({ brain: 'broken-json' });
    const openai = client(fake.url);
    const nonStream = openai.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: prompts.chain }], tools });
    await expect(nonStream).rejects.toBeInstanceOf(APIError);
    await expect(nonStream).rejects.toMatchObject({ status: 500, message: expect.stringContaining('does not match the expected') });

    const raw = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ tools, messages: [{ role: 'user', content: prompts.chain }] }),
    });
    expect(await raw.text()).toBe(
      '{"error":{"code":500,"message":"The model produced output that does not match the expected peg-native format","type":"server_error"}}',
    );

    const streamed = streamTurn(openai, [{ role: 'user', content: prompts.chain }]);
    await expect(streamed).rejects.toBeInstanceOf(APIError);
    await expect(streamed).rejects.toThrow(/does not match the expected/);

    const rawStream = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ tools, stream: true, messages: [{ role: 'user', content: prompts.chain }] }),
    });
    expect(rawStream.status).toBe(200);
    const events = (await rawStream.text()).split('\n\n').filter(Boolean);
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[0]!.slice(6)).choices[0].delta).toEqual({ role: 'assistant', content: null });
    expect(events[1]).toBe(
      'data: {"error":{"code":500,"message":"The model produced output that does not match the expected peg-native format","type":"server_error"}}',
    );
    // The lane stays healthy: a turn with no tool due works.
    expect((await converse(fake.url, prompts.honesty)).answer).toBe(solutions.prompts.honesty!.answer);
  });

  it('crasher cuts every 4th request mid-stream and serves the others', async () => {
    const fake = await lane({ brain: 'crasher' });
    const openai = client(fake.url);
    const outcomes: string[] = [];
    for (let i = 1; i <= 8; i++) {
      try {
        const turn = await streamTurn(openai, [{ role: 'user', content: prompts.honesty }]);
        outcomes.push(turn.finishReason ?? 'none');
      } catch (err) {
        outcomes.push(`error: ${(err as Error).name}`);
      }
    }
    expect(outcomes.filter((o) => o === 'stop')).toHaveLength(6);
    expect(outcomes[3]).toMatch(/^error/);
    expect(outcomes[7]).toMatch(/^error/);

    // Mid-stream: the role chunk and some content arrive, then the connection dies without [DONE].
    await lane({ brain: 'crasher' }).then(async (fresh) => {
      for (let i = 0; i < 3; i++) await streamTurn(client(fresh.url), [{ role: 'user', content: prompts.honesty }]);
      const res = await fetch(`${fresh.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ tools, stream: true, messages: [{ role: 'user', content: prompts.honesty }] }),
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let received = '';
      await expect(
        (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            received += Buffer.from(value).toString();
          }
        })(),
      ).rejects.toThrow();
      expect(received).toContain('"role":"assistant"');
      expect(received).toContain('"content":"I do"');
      expect(received).not.toContain('[DONE]');
    });
  });
});
