import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAttempt, type AttemptOptions } from '../../src/agent/attempt.js';
import type { Prompt } from '../../src/types.js';
import { startScriptedLane, type CannedTurn, type ChatMessage, type ScriptedLane } from './scriptedLane.js';
import { tempDir } from '../helpers/tmp.js';

interface SavedTranscript {
  prompt_id: string;
  status: string;
  sampling: unknown;
  messages: ChatMessage[];
  turns: { turn: number; finish_reason: string | null; usage: { prompt_tokens: number; completion_tokens: number; estimated: boolean } }[];
}

let base: string;
let lane: ScriptedLane | undefined;

const prompt: Prompt = {
  id: 'p2_multistep_chain',
  prompt: 'What is the project codename? Look in the docs folder.',
  category: 'multi-step',
  core: true,
  vibe: false,
  expect_tool_any: ['read_file'],
  check: { kind: 'substring', any: ['ORION-7'] },
  source: { file: 'prompts.jsonl', line: 2 },
  extra: {},
};

beforeEach(() => {
  base = tempDir('bb-attempt-');
  mkdirSync(join(base, 'work', 'docs'), { recursive: true });
  writeFileSync(join(base, 'work', 'docs', 'project.md'), 'codename: ORION-7\n');
});

afterEach(async () => {
  await lane?.close();
  lane = undefined;
});

async function attempt(script: CannedTurn[], overrides: Partial<AttemptOptions> = {}) {
  lane = await startScriptedLane(script);
  const transcriptPath = join(base, 'transcripts', 'attempt-1.json');
  const run = await runAttempt({
    baseURL: lane.baseURL,
    model: 'bench-model',
    prompt,
    workDir: join(base, 'work'),
    transcriptPath,
    sampling: { temperature: 0.2, seed: 7, max_tokens: 512 },
    turnBudget: 12,
    timeoutS: 20,
    shell: false,
    ...overrides,
  });
  return { run, transcriptPath, transcript: () => JSON.parse(readFileSync(transcriptPath, 'utf8')) as SavedTranscript };
}

const call = (name: string, args: unknown) => ({ name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });

describe('runAttempt', () => {
  it('runs a two-step tool chain to a final answer, streaming, with tokens, ttft and a transcript', async () => {
    const progress: number[] = [];
    const { run, transcript } = await attempt(
      [
        { kind: 'turn', content: 'Let me look.', toolCalls: [call('list_files', { path: 'docs' })] },
        { kind: 'turn', toolCalls: [call('read_file', { path: 'docs/project.md' })] },
        { kind: 'turn', content: '<think>It says ORION-7.</think>\n\nThe codename is ORION-7. ' },
      ],
      { apiKey: 'sk-secret-key-123', onProgress: (p) => progress.push(p.completionTokens) },
    );
    expect(run).toMatchObject({
      status: 'completed',
      answer: 'The codename is ORION-7.',
      reasoning: 'It says ORION-7.',
      turns: 3,
      tokens: { prompt: 100 + 200 + 300, completion: 30 },
      escape_attempts: 0,
    });
    expect(run.error).toBeUndefined();
    expect(run.tool_calls).toEqual([
      { name: 'list_files', arguments: '{"path":"docs"}', ok: true, result: 'project.md', escape: false },
      { name: 'read_file', arguments: '{"path":"docs/project.md"}', ok: true, result: 'codename: ORION-7\n', escape: false },
    ]);
    expect(run.ttft_s).toBeGreaterThan(0);
    expect(run.wait_s).toBeGreaterThan(0);
    expect(run.wait_s).toBeLessThanOrEqual(run.wall_s);
    expect(progress.at(-1)).toBe(30);

    // What went over the wire: tools, sampling, streaming with usage, and the tool results sent back.
    const [first, second, third] = lane!.requests;
    expect(first).toMatchObject({ model: 'bench-model', stream: true, stream_options: { include_usage: true }, temperature: 0.2, seed: 7, max_tokens: 512 });
    expect(first!.tools.map((t) => t.function.name)).toEqual(['list_files', 'read_file', 'glob', 'grep', 'write_file']);
    expect(first!.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(second!.messages.at(-2)).toMatchObject({ role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'call-1-0', function: { name: 'list_files' } }] });
    expect(second!.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call-1-0', content: 'project.md' });
    expect(third!.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call-2-0', content: 'codename: ORION-7\n' });
    expect(lane!.headers[0]!.authorization).toBe('Bearer sk-secret-key-123');

    const saved = transcript();
    expect(saved).toMatchObject({ prompt_id: 'p2_multistep_chain', model: 'bench-model', base_url: lane!.baseURL, status: 'completed', error: null });
    expect(saved.sampling).toEqual({ temperature: 0.2, seed: 7, max_tokens: 512 });
    expect(saved.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
    expect(saved.messages[3]).toMatchObject({ role: 'tool', name: 'list_files', content: 'project.md', ok: true, escape: false, wall_s: expect.any(Number) });
    expect(saved.turns.map((t) => t.finish_reason)).toEqual(['tool_calls', 'tool_calls', 'stop']);
    expect(saved.turns[0]).toMatchObject({ turn: 1, usage: { prompt_tokens: 100, completion_tokens: 10, estimated: false } });
    expect(JSON.stringify(saved)).not.toContain('sk-secret-key-123');
  });

  it('keeps reasoning_content apart from the answer, and strips an unclosed think block', async () => {
    const { run } = await attempt([{ kind: 'turn', reasoning: 'Nothing to look up. ', content: '42' }]);
    expect(run).toMatchObject({ status: 'completed', answer: '42', reasoning: 'Nothing to look up. ', turns: 1 });
    const unclosed = await attempt([{ kind: 'turn', content: '<think>still thinking when the tokens ran out' }]);
    expect(unclosed.run).toMatchObject({ status: 'completed', answer: '', reasoning: 'still thinking when the tokens ran out' });
  });

  it('estimates tokens when the server sends no usage', async () => {
    const { run, transcript } = await attempt([{ kind: 'turn', content: 'abcdefgh', usage: false }]);
    expect(run.tokens.completion).toBe(2);
    expect(run.tokens.prompt).toBeGreaterThan(0);
    expect(transcript().turns[0]!.usage.estimated).toBe(true);
  });

  it('ends as runaway when the turn budget is reached', async () => {
    const { run } = await attempt([{ kind: 'turn', toolCalls: [call('list_files', {})] }], { turnBudget: 3 });
    expect(run).toMatchObject({ status: 'runaway', error: 'turn budget 3 reached', turns: 3 });
    expect(run.tool_calls).toHaveLength(3);
  });

  it('ends as runaway on the wall-clock timeout, aborting the request in flight', async () => {
    const started = Date.now();
    const { run, transcript } = await attempt([{ kind: 'turn', toolCalls: [call('list_files', {})] }, { kind: 'hang' }], { timeoutS: 0.5 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(run).toMatchObject({ status: 'runaway', error: 'timeout 0.5 s reached', turns: 1 });
    expect(transcript().status).toBe('runaway');
  });

  it.each<[string, CannedTurn]>([
    ['HTTP 500', { kind: 'http', status: 500, body: '{"error":{"code":500,"message":"The model produced output that does not match the expected peg-native format","type":"server_error"}}' }],
    ['an in-stream error', { kind: 'streamError', message: 'The model produced output that does not match the expected peg-native format' }],
  ])('is a format_error when the server rejects the tool-call format (%s)', async (_label, turn) => {
    const { run } = await attempt([turn]);
    expect(run.status).toBe('format_error');
    expect(run.error).toContain('does not match the expected peg-native format');
  });

  it('is a format_error when it ends on malformed tool calls in a row', async () => {
    const { run } = await attempt([{ kind: 'turn', toolCalls: [call('read_file', '{"path": ')] }], { turnBudget: 3 });
    expect(run.status).toBe('format_error');
    expect(run.error).toMatch(/3 malformed tool calls in a row \(turn budget 3 reached\)/);
    // Unparseable arguments are replaced in the history sent back; the transcript keeps them raw.
    expect(lane!.requests[1]!.messages.at(-2)!.tool_calls![0]!.function.arguments).toBe('{}');
  });

  it.each<[string, CannedTurn, RegExp]>([
    ['a stream cut mid-body', { kind: 'cut' }, /^stream failed: terminated/],
    ['a stream ended without finish_reason', { kind: 'cut', clean: true }, /^stream ended without a finish_reason/],
    ['HTTP 503', { kind: 'http', status: 503, body: '{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}' }, /^HTTP 503: Loading model/],
    ['another in-stream error', { kind: 'streamError', message: 'slot unavailable' }, /^error in stream: slot unavailable$/],
  ])('is a lane_error on %s', async (_label, turn, why) => {
    const { run } = await attempt([turn]);
    expect(run.status).toBe('lane_error');
    expect(run.error).toMatch(why);
  });

  it('is a lane_error when the port refuses connections', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const run = await runAttempt({
      baseURL: `http://127.0.0.1:${port}/v1`,
      model: 'bench-model',
      prompt,
      workDir: join(base, 'work'),
      transcriptPath: join(base, 'refused.json'),
      sampling: {},
      turnBudget: 12,
      timeoutS: 10,
      shell: false,
    });
    expect(run).toMatchObject({ status: 'lane_error', error: 'connection failed: ECONNREFUSED', turns: 0 });
  });

  it('records a bad call with its ERROR result and completes after the model recovers', async () => {
    const { run } = await attempt([
      { kind: 'turn', toolCalls: [call('read_file', '{"file": "docs/project.md"}')] },
      { kind: 'turn', toolCalls: [call('read_file', { path: '../../etc/passwd' })] },
      { kind: 'turn', toolCalls: [call('read_file', { path: 'docs/project.md' })] },
      { kind: 'turn', content: 'ORION-7' },
    ]);
    expect(run).toMatchObject({ status: 'completed', answer: 'ORION-7', turns: 4, escape_attempts: 1 });
    expect(run.tool_calls.map((c) => c.ok)).toEqual([false, false, true]);
    expect(run.tool_calls[0]!.result).toMatch(/^ERROR: invalid arguments \(path: .*\)\. read_file expects \{"path": string\}$/);
    expect(run.tool_calls[1]).toMatchObject({ escape: true, result: expect.stringMatching(/^ERROR: .*outside the working folder/) });
  });

  it('rejects with the reason when the caller cancels', async () => {
    const controller = new AbortController();
    const pending = attempt([{ kind: 'hang' }], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('run stopped')), 200);
    await expect(pending).rejects.toThrow('run stopped');
  });
});
