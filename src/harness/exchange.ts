// What the recording proxy makes of one request/response to the lane, in either dialect
// (OpenAI chat completions, Anthropic messages), streamed (SSE) or not: the reply's text, the
// tool calls the model made, token counts (the server's usage or llama.cpp's timings, else an estimate), TTFT and
// decode rate. Pure: the proxy hands it the bytes and the timings.
import type { HarnessApi } from './spec.js';

export interface ToolCallSeen {
  name: string;
  /** The arguments as the model wrote them (JSON text), cut to a bound. */
  arguments: string;
}

export interface ExchangeTimings {
  /** Milliseconds from the request reaching the proxy to the first response body byte / the end. */
  firstByteMs: number | null;
  totalMs: number;
}

export interface Exchange {
  index: number;
  path: string;
  status: number;
  stream: boolean;
  /** Messages the harness sent in this request (its whole conversation so far). */
  messages: unknown[];
  tools: string[];
  content: string;
  reasoning: string;
  tool_calls: ToolCallSeen[];
  finish_reason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; estimated: boolean };
  ttft_s: number | null;
  wall_s: number;
  /** Completion tokens per second of decoding (after the first byte); null when not measurable. */
  decode_tok_s: number | null;
  /** The response could not be read as the dialect (an error body, a cut stream). */
  error?: string;
}

const ARGUMENT_CHARS = 4096;
const CHARS_PER_TOKEN = 4;
const estimate = (text: string) => Math.ceil(text.length / CHARS_PER_TOKEN);

type Json = Record<string, unknown>;
const asObj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string => (typeof v === 'string' ? v : '');
const asNum = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function parseJson(text: string): Json | null {
  try {
    return asObj(JSON.parse(text));
  } catch {
    return null;
  }
}

/** The JSON payloads of an SSE body's `data:` lines ([DONE] and non-JSON skipped). */
function sseEvents(text: string): Json[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => parseJson(line.slice(5).trim()))
    .filter((e): e is Json => e !== null);
}

interface Reply {
  content: string;
  reasoning: string;
  calls: { name: string; arguments: string }[];
  finish: string | null;
  prompt: number | null;
  completion: number | null;
}

const emptyReply = (): Reply => ({ content: '', reasoning: '', calls: [], finish: null, prompt: null, completion: null });

function openaiUsage(reply: Reply, usage: unknown): void {
  const u = asObj(usage);
  reply.prompt = asNum(u.prompt_tokens) ?? reply.prompt;
  reply.completion = asNum(u.completion_tokens) ?? reply.completion;
}

/**
 * llama.cpp's own counts: a streamed reply carries `usage` only when the request asked for it
 * (stream_options.include_usage), but always `timings` in its last chunk — prompt_n tokens
 * evaluated plus cache_n reused is the usage's prompt_tokens, predicted_n its completion_tokens.
 * A `usage` in the same chunk wins.
 */
function llamaTimings(reply: Reply, timings: unknown): void {
  const t = asObj(timings);
  const prompt = asNum(t.prompt_n);
  const completion = asNum(t.predicted_n);
  if (prompt === null || completion === null) return;
  reply.prompt = prompt + (asNum(t.cache_n) ?? 0);
  reply.completion = completion;
}

function openaiReply(events: Json[], stream: boolean): Reply {
  const reply = emptyReply();
  for (const event of events) {
    const choice = asObj(asArr(event.choices)[0]);
    const part = asObj(stream ? choice.delta : choice.message);
    reply.content += asStr(part.content);
    reply.reasoning += asStr(part.reasoning_content);
    for (const raw of asArr(part.tool_calls)) {
      const call = asObj(raw);
      const fn = asObj(call.function);
      const at = stream ? (asNum(call.index) ?? reply.calls.length) : reply.calls.length;
      reply.calls[at] ??= { name: '', arguments: '' };
      reply.calls[at].name += asStr(fn.name);
      reply.calls[at].arguments += typeof fn.arguments === 'string' ? fn.arguments : fn.arguments ? JSON.stringify(fn.arguments) : '';
    }
    reply.finish = asStr(choice.finish_reason) || reply.finish;
    llamaTimings(reply, event.timings);
    openaiUsage(reply, event.usage);
  }
  reply.calls = reply.calls.filter(Boolean);
  return reply;
}

function anthropicBlocks(reply: Reply, blocks: unknown[]): void {
  for (const raw of blocks) {
    const block = asObj(raw);
    if (block.type === 'text') reply.content += asStr(block.text);
    if (block.type === 'thinking') reply.reasoning += asStr(block.thinking);
    if (block.type === 'tool_use') reply.calls.push({ name: asStr(block.name), arguments: JSON.stringify(block.input ?? {}) });
  }
}

function anthropicReply(events: Json[], stream: boolean): Reply {
  const reply = emptyReply();
  if (!stream) {
    const body = events[0] ?? {};
    anthropicBlocks(reply, asArr(body.content));
    reply.finish = asStr(body.stop_reason) || null;
    reply.prompt = asNum(asObj(body.usage).input_tokens);
    reply.completion = asNum(asObj(body.usage).output_tokens);
    return reply;
  }
  const byIndex = new Map<number, { name: string; arguments: string }>();
  for (const event of events) {
    const index = asNum(event.index) ?? 0;
    if (event.type === 'message_start') reply.prompt = asNum(asObj(asObj(event.message).usage).input_tokens);
    if (event.type === 'content_block_start' && asObj(event.content_block).type === 'tool_use') {
      const call = { name: asStr(asObj(event.content_block).name), arguments: '' };
      byIndex.set(index, call);
      reply.calls.push(call);
    }
    const delta = asObj(event.delta);
    if (delta.type === 'text_delta') reply.content += asStr(delta.text);
    if (delta.type === 'thinking_delta') reply.reasoning += asStr(delta.thinking);
    if (delta.type === 'input_json_delta') {
      const call = byIndex.get(index);
      if (call) call.arguments += asStr(delta.partial_json);
    }
    if (event.type === 'message_delta') {
      reply.finish = asStr(delta.stop_reason) || reply.finish;
      reply.completion = asNum(asObj(event.usage).output_tokens) ?? reply.completion;
    }
  }
  return reply;
}

export interface RawExchange {
  index: number;
  api: HarnessApi;
  path: string;
  requestBody: string;
  status: number;
  contentType: string;
  responseBody: string;
  timings: ExchangeTimings;
}

/** The request's messages, tool names and whether it asked for a stream. */
function requestOf(body: string): { messages: unknown[]; tools: string[]; stream: boolean } {
  const json = parseJson(body) ?? {};
  const tools = asArr(json.tools).map((t) => asStr(asObj(asObj(t).function).name) || asStr(asObj(t).name)).filter(Boolean);
  return { messages: asArr(json.messages), tools, stream: json.stream === true };
}

export function readExchange(raw: RawExchange): Exchange {
  const request = requestOf(raw.requestBody);
  const stream = raw.contentType.includes('text/event-stream');
  const events = stream ? sseEvents(raw.responseBody) : [parseJson(raw.responseBody)].filter((e): e is Json => e !== null);
  const reply = raw.api === 'anthropic' ? anthropicReply(events, stream) : openaiReply(events, stream);
  const estimated = reply.prompt === null || reply.completion === null;
  const completion = reply.completion ?? estimate(reply.content + reply.reasoning + reply.calls.map((c) => c.name + c.arguments).join(''));
  const prompt = reply.prompt ?? estimate(raw.requestBody);
  const { firstByteMs, totalMs } = raw.timings;
  const decodeMs = firstByteMs === null ? 0 : totalMs - firstByteMs;
  const okStatus = raw.status >= 200 && raw.status < 300;
  return {
    index: raw.index,
    path: raw.path,
    status: raw.status,
    stream,
    messages: request.messages,
    tools: request.tools,
    content: reply.content,
    reasoning: reply.reasoning,
    tool_calls: reply.calls.map((c) => ({ name: c.name, arguments: c.arguments.slice(0, ARGUMENT_CHARS) })),
    finish_reason: reply.finish,
    usage: { prompt_tokens: okStatus ? prompt : 0, completion_tokens: okStatus ? completion : 0, estimated },
    ttft_s: firstByteMs === null ? null : firstByteMs / 1000,
    wall_s: totalMs / 1000,
    decode_tok_s: stream && okStatus && decodeMs > 0 && completion > 1 ? (completion - 1) / (decodeMs / 1000) : null,
    ...(!okStatus && { error: `HTTP ${raw.status}: ${raw.responseBody.slice(0, 200)}` }),
  };
}
