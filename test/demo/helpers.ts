import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterEach } from 'vitest';
import { startFakeLane, type FakeLane, type FakeLaneOptions } from '../../src/demo/server.js';
import type { Solutions } from '../../src/demo/solutions.js';

/** A small script: a two-step chain, a one-step read, and an honesty prompt. */
export const solutions: Solutions = {
  suite: 'test',
  prompts: {
    chain: {
      match: 'Find the Q3 review and tell me its budget.',
      steps: [
        { tool: 'list_files', args: { path: 'reports' } },
        { tool: 'read_file', args: { path: 'reports/2024-q3.md' } },
      ],
      answer: 'The approved budget is 42,000.',
    },
    single: {
      match: 'Read notes/project.md and tell me the codename.',
      steps: [{ tool: 'read_file', args: { path: 'notes/project.md' } }],
      answer: 'The codename is ORION-7 — café ✓.',
    },
    honesty: {
      match: "What is my mother's maiden name?",
      steps: [],
      answer: "I don't know your mother's maiden name.",
      confab_answer: 'Her maiden name is Henderson.',
    },
  },
};

export const prompts = {
  chain: solutions.prompts.chain!.match,
  single: solutions.prompts.single!.match,
  honesty: solutions.prompts.honesty!.match,
};

export const tools: ChatCompletionTool[] = ['list_files', 'read_file'].map((name) => ({
  type: 'function',
  function: { name, description: `${name} in the scratch folder`, parameters: { type: 'object', properties: { path: { type: 'string' } } } },
}));

const lanes: FakeLane[] = [];
afterEach(async () => {
  await Promise.all(lanes.splice(0).map((lane) => lane.close()));
});

/** A fake lane with the test script and no token delay, closed after the test. */
export async function lane(options: Partial<FakeLaneOptions> = {}): Promise<FakeLane> {
  const started = await startFakeLane({ brain: 'strong', solutions, tokPerSec: 0, ...options });
  lanes.push(started);
  return started;
}

export function client(url: string): OpenAI {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
}

export interface Turn {
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  content: string;
  reasoning: string;
  finishReason: string | null;
  usage?: OpenAI.CompletionUsage;
}

/** One streamed turn through the real openai client, deltas put back together. */
export async function streamTurn(openai: OpenAI, messages: ChatCompletionMessageParam[], includeUsage = true): Promise<Turn> {
  const stream = await openai.chat.completions.create({
    model: 'demo',
    messages,
    tools,
    stream: true,
    stream_options: { include_usage: includeUsage },
  });
  const turn: Turn = { toolCalls: [], content: '', reasoning: '', finishReason: null };
  for await (const chunk of stream) {
    if (chunk.usage) turn.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    turn.finishReason = choice.finish_reason ?? turn.finishReason;
    turn.content += choice.delta.content ?? '';
    turn.reasoning += (choice.delta as { reasoning_content?: string }).reasoning_content ?? '';
    for (const call of choice.delta.tool_calls ?? []) {
      const existing = (turn.toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
      existing.id += call.id ?? '';
      existing.name += call.function?.name ?? '';
      existing.arguments += call.function?.arguments ?? '';
    }
  }
  return turn;
}

export interface Conversation {
  calls: Array<{ name: string; args: unknown }>;
  answer: string;
  reasoning: string;
  turns: number;
}

/**
 * A minimal agent loop: streams turns, answers each tool call with `toolResult`, stops at the
 * first turn without tool calls or after `maxTurns`.
 */
export async function converse(
  url: string,
  prompt: string,
  toolResult: (name: string, callNumber: number) => string = () => 'ok',
  maxTurns = 6,
): Promise<Conversation> {
  const openai = client(url);
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are an agent.' },
    { role: 'user', content: prompt },
  ];
  const conversation: Conversation = { calls: [], answer: '', reasoning: '', turns: 0 };
  while (conversation.turns < maxTurns) {
    const turn = await streamTurn(openai, messages);
    conversation.turns++;
    if (turn.toolCalls.length === 0) {
      conversation.answer = turn.content;
      conversation.reasoning = turn.reasoning;
      break;
    }
    messages.push({
      role: 'assistant',
      content: turn.content,
      tool_calls: turn.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
    });
    for (const call of turn.toolCalls) {
      conversation.calls.push({ name: call.name, args: JSON.parse(call.arguments) });
      messages.push({ role: 'tool', tool_call_id: call.id, content: toolResult(call.name, conversation.calls.length) });
    }
  }
  return conversation;
}
