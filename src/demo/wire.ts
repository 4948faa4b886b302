import { randomBytes } from 'node:crypto';

// The JSON shapes a llama-server (build b1-de3ff81, see shared/reference/llama-server) puts on
// the wire, field for field and in the same order.

export const buildInfo = 'b1-de3ff81';

export const loadingBody = '{"error":{"message":"Loading model","type":"unavailable_error","code":503}}';
export const healthyBody = '{"status":"ok"}';
export const parseErrorMessage = 'The model produced output that does not match the expected peg-native format';

export function errorBody(code: number, message: string, type: string): string {
  return JSON.stringify({ error: { code, message, type } });
}

const alphanumerics = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 random letters and digits, like llama-server's completion and tool-call ids. */
export function randomId(): string {
  return Array.from(randomBytes(32), (byte) => alphanumerics[byte % alphanumerics.length]).join('');
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export interface Timings {
  cache_n: number;
  prompt_n: number;
  prompt_ms: number;
  prompt_per_token_ms: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_ms: number;
  predicted_per_token_ms: number;
  predicted_per_second: number;
}

export interface Usage {
  completion_tokens: number;
  prompt_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

/** What one completion measured: token counts and the milliseconds each phase took. */
export interface CompletionCounts {
  cacheTokens: number;
  promptTokens: number;
  promptMs: number;
  predictedTokens: number;
  predictedMs: number;
}

export function timingsOf(counts: CompletionCounts): Timings {
  // A phase that took no measurable time still reports a finite rate.
  const promptMs = Math.max(counts.promptMs, 0.001);
  const predictedMs = Math.max(counts.predictedMs, 0.001);
  return {
    cache_n: counts.cacheTokens,
    prompt_n: counts.promptTokens,
    prompt_ms: promptMs,
    prompt_per_token_ms: promptMs / Math.max(counts.promptTokens, 1),
    prompt_per_second: (1000 * counts.promptTokens) / promptMs,
    predicted_n: counts.predictedTokens,
    predicted_ms: predictedMs,
    predicted_per_token_ms: predictedMs / Math.max(counts.predictedTokens, 1),
    predicted_per_second: (1000 * counts.predictedTokens) / predictedMs,
  };
}

export function usageOf(counts: CompletionCounts): Usage {
  const prompt = counts.cacheTokens + counts.promptTokens;
  return {
    completion_tokens: counts.predictedTokens,
    prompt_tokens: prompt,
    total_tokens: prompt + counts.predictedTokens,
    prompt_tokens_details: { cached_tokens: counts.cacheTokens },
  };
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

/** Identity shared by every chunk of one streamed completion. */
export interface CompletionIdentity {
  id: string;
  model: string;
}

export function streamChunk(
  identity: CompletionIdentity,
  choices: unknown[],
  extra: { usage?: Usage; timings?: Timings } = {},
): Record<string, unknown> {
  return {
    choices,
    created: nowSeconds(),
    id: identity.id,
    model: identity.model,
    system_fingerprint: buildInfo,
    object: 'chat.completion.chunk',
    ...extra,
  };
}

export function deltaChoice(delta: Record<string, unknown>, finishReason: FinishReason | null = null): Record<string, unknown> {
  return { finish_reason: finishReason, index: 0, delta };
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface AssistantMessage {
  content: string;
  reasoning?: string;
  toolCall?: ToolCall;
}

export function completionBody(
  identity: CompletionIdentity,
  message: AssistantMessage,
  finishReason: FinishReason,
  counts: CompletionCounts,
): Record<string, unknown> {
  const wireMessage: Record<string, unknown> = { role: 'assistant', content: message.content };
  if (message.reasoning !== undefined) wireMessage.reasoning_content = message.reasoning;
  if (message.toolCall) {
    const { id, name, arguments: args } = message.toolCall;
    wireMessage.tool_calls = [{ type: 'function', function: { name, arguments: args }, id }];
  }
  return {
    choices: [{ finish_reason: finishReason, index: 0, message: wireMessage }],
    created: nowSeconds(),
    model: identity.model,
    system_fingerprint: buildInfo,
    object: 'chat.completion',
    usage: usageOf(counts),
    id: identity.id,
    timings: timingsOf(counts),
  };
}

/** Stands for bytes that are not UTF-8 (the bad-utf8 fault) until the JSON is encoded. */
export const invalidUtf8Marker = '\uE000';
const invalidUtf8Bytes = Buffer.from([0xc3, 0x28, 0xff]);

/** JSON bytes; with `corrupt`, every marker becomes bytes no UTF-8 decoder accepts. */
export function encodeJson(value: unknown, corrupt = false): Buffer {
  const bytes = Buffer.from(JSON.stringify(value));
  if (!corrupt) return bytes;
  const marker = Buffer.from(invalidUtf8Marker);
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(marker); at !== -1; at = bytes.indexOf(marker, from)) {
    parts.push(bytes.subarray(from, at), invalidUtf8Bytes);
    from = at + marker.length;
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}
