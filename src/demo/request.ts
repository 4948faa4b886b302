import { z } from 'zod';

// The parts of an OpenAI chat-completions request body the fake lane reads. Everything else a
// client sends (temperature, seed, tool_choice, ...) is accepted and ignored.

const messageSchema = z.looseObject({
  role: z.string(),
  content: z.unknown().optional(),
  tool_calls: z.array(z.unknown()).optional(),
});

const chatRequestSchema = z.looseObject({
  messages: z.array(messageSchema).min(1),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().nullish(),
  max_completion_tokens: z.number().int().nullish(),
  n_predict: z.number().int().nullish(),
  tools: z.array(z.unknown()).nullish(),
});

export type ChatMessage = z.infer<typeof messageSchema>;

export interface ChatRequest {
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  /** Completion token limit; undefined = none. */
  maxTokens?: number;
  tools: unknown[];
}

/** A request the server refuses with HTTP 400. */
export class BadRequest extends Error {}

export function parseChatRequest(body: unknown): ChatRequest {
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRequest(`'${issue.path.join('.') || 'body'}': ${issue.message}`);
  }
  const request = parsed.data;
  const limit = request.max_completion_tokens ?? request.max_tokens ?? request.n_predict;
  return {
    messages: request.messages,
    stream: request.stream ?? false,
    includeUsage: request.stream_options?.include_usage ?? false,
    maxTokens: limit !== null && limit !== undefined && limit > 0 ? limit : undefined,
    tools: request.tools ?? [],
  };
}

/** The text of a message's content: a string, or the text parts of a content array. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : ''))
      .join('');
  }
  return '';
}

/**
 * The prompt as a chat template would render it (ChatML, tools in the system turn). Its length
 * gives prompt_tokens, and its common prefix with a slot's previous prompt gives the cache hit.
 */
export function renderPrompt(request: ChatRequest): string {
  const parts: string[] = [];
  if (request.tools.length > 0) parts.push(`<|im_start|>system\n# Tools\n${JSON.stringify(request.tools)}<|im_end|>\n`);
  for (const message of request.messages) {
    const calls = message.tool_calls?.length ? `\n<tool_call>${JSON.stringify(message.tool_calls)}</tool_call>` : '';
    parts.push(`<|im_start|>${message.role}\n${messageText(message.content)}${calls}<|im_end|>\n`);
  }
  parts.push('<|im_start|>assistant\n');
  return parts.join('');
}
