// What the recording proxy makes of one request/response to the lane, in any of its dialects
// (OpenAI chat completions, Anthropic messages, OpenAI Responses), streamed (SSE) or not: the reply's text, the
// tool calls the model made, token counts (the server's usage or llama.cpp's timings, else an estimate), TTFT and
// decode rate. Pure: the proxy hands it the bytes and the timings.
import { tokenCount } from '../agent/turnStream.js';
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
  /** Size of the request body in bytes. */
  request_bytes: number;
  /** The response could not be read as the dialect (an error body, a cut stream). */
  error?: string;
  /** The lane's numbers that were not believed (usage that is not a count): estimated instead. */
  warnings?: string[];
}

const ARGUMENT_CHARS = 4096;
const CHARS_PER_TOKEN = 4;
const estimate = (text: string) => Math.ceil(text.length / CHARS_PER_TOKEN);

type Json = Record<string, unknown>;
const asObj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string => (typeof v === 'string' ? v : '');
const asNum = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function parseJsonValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function parseJson(text: string): Json | null {
  const value = parseJsonValue(text);
  return value === null ? null : asObj(value);
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
  warnings: string[];
}

const emptyReply = (): Reply => ({ content: '', reasoning: '', calls: [], finish: null, prompt: null, completion: null, warnings: [] });

/** A count from the lane, validated (../agent/turnStream.ts tokenCount): null with a warning when it is not one. */
const count = (reply: Reply, value: unknown, field: string) => tokenCount(value, field, reply.warnings);

function openaiUsage(reply: Reply, usage: unknown): void {
  const u = asObj(usage);
  reply.prompt = count(reply, u.prompt_tokens, 'usage.prompt_tokens') ?? reply.prompt;
  reply.completion = count(reply, u.completion_tokens, 'usage.completion_tokens') ?? reply.completion;
}

/** Anthropic's prompt is input_tokens plus the cached parts it counts apart (read from and written to the cache). */
function anthropicPrompt(reply: Reply, usage: unknown): number | null {
  const u = asObj(usage);
  const input = count(reply, u.input_tokens, 'usage.input_tokens');
  if (input === null) return null;
  const read = count(reply, u.cache_read_input_tokens, 'usage.cache_read_input_tokens') ?? 0;
  const created = count(reply, u.cache_creation_input_tokens, 'usage.cache_creation_input_tokens') ?? 0;
  return input + read + created;
}

/**
 * llama.cpp's own counts: a streamed reply carries `usage` only when the request asked for it
 * (stream_options.include_usage), but always `timings` in its last chunk — prompt_n tokens
 * evaluated plus cache_n reused is the usage's prompt_tokens, predicted_n its completion_tokens.
 * A `usage` in the same chunk wins.
 */
function llamaTimings(reply: Reply, timings: unknown): void {
  const t = asObj(timings);
  const prompt = count(reply, t.prompt_n, 'timings.prompt_n');
  const completion = count(reply, t.predicted_n, 'timings.predicted_n');
  if (prompt === null || completion === null) return;
  reply.prompt = prompt + (count(reply, t.cache_n, 'timings.cache_n') ?? 0);
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
    reply.prompt = anthropicPrompt(reply, body.usage);
    reply.completion = count(reply, asObj(body.usage).output_tokens, 'usage.output_tokens');
    return reply;
  }
  const byIndex = new Map<number, { name: string; arguments: string }>();
  for (const event of events) {
    const index = asNum(event.index) ?? 0;
    if (event.type === 'message_start') reply.prompt = anthropicPrompt(reply, asObj(event.message).usage);
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
      // newer servers repeat the (final) input counts in message_delta
      if (asObj(event.usage).input_tokens !== undefined) reply.prompt = anthropicPrompt(reply, event.usage) ?? reply.prompt;
      reply.completion = count(reply, asObj(event.usage).output_tokens, 'usage.output_tokens') ?? reply.completion;
    }
  }
  return reply;
}

/** One Responses output item folded into a reply: a function call, a message's text, a reasoning's text. */
function responsesItem(reply: Reply, raw: unknown): void {
  const item = asObj(raw);
  if (item.type === 'function_call') reply.calls.push({ name: asStr(item.name), arguments: asStr(item.arguments) });
  const texts = (parts: unknown) => asArr(parts).map((p) => asStr(asObj(p).text)).join('');
  if (item.type === 'message') reply.content += texts(item.content);
  if (item.type === 'reasoning') reply.reasoning += texts(item.content) || texts(item.summary);
}

/** The Responses usage: input_tokens already includes input_tokens_details.cached_tokens. */
function responsesUsage(reply: Reply, response: Json): void {
  reply.finish = asStr(asObj(response.incomplete_details).reason) || asStr(response.status) || reply.finish;
  if (response.usage === undefined || response.usage === null) return;
  const u = asObj(response.usage);
  reply.prompt = count(reply, u.input_tokens, 'usage.input_tokens') ?? reply.prompt;
  reply.completion = count(reply, u.output_tokens, 'usage.output_tokens') ?? reply.completion;
}

/** A streamed Responses item as its events build it: deltas first, the item's own `done` text wins. */
interface StreamedItem {
  item: Json;
  text: string;
  arguments: string;
}

function responsesStreamEvent(items: Map<number, StreamedItem>, event: Json): void {
  const at = asNum(event.output_index) ?? 0;
  const type = asStr(event.type);
  if (type === 'response.output_item.added' || type === 'response.output_item.done') {
    const item = asObj(event.item);
    const seen = items.get(at) ?? { item, text: '', arguments: '' };
    seen.item = { ...seen.item, ...item };
    items.set(at, seen);
    return;
  }
  const seen = items.get(at);
  if (!seen) return;
  if (type === 'response.output_text.delta' || type === 'response.reasoning_text.delta' || type === 'response.reasoning_summary_text.delta') seen.text += asStr(event.delta);
  if (type === 'response.function_call_arguments.delta') seen.arguments += asStr(event.delta);
  if (type === 'response.function_call_arguments.done') seen.arguments = asStr(event.arguments);
}

/** The item with what its deltas said filled in where the item itself does not say it. */
function streamedItem(seen: StreamedItem): Json {
  const { item } = seen;
  if (item.type === 'function_call') return { ...item, arguments: asStr(item.arguments) || seen.arguments };
  const said = [item.content, item.type === 'reasoning' ? item.summary : []].flatMap(asArr).map((p) => asStr(asObj(p).text)).join('');
  return said || !seen.text ? item : { ...item, content: [{ type: 'output_text', text: seen.text }] };
}

/** OpenAI Responses: `output[]` items whole, or streamed as `response.*` events ending in `response.completed`. */
function responsesReply(events: Json[], stream: boolean): Reply {
  const reply = emptyReply();
  if (!stream) {
    const body = events[0] ?? {};
    for (const item of asArr(body.output)) responsesItem(reply, item);
    responsesUsage(reply, body);
    return reply;
  }
  const items = new Map<number, StreamedItem>();
  let final: Json | null = null;
  for (const event of events) {
    responsesStreamEvent(items, event);
    if (event.type === 'response.completed' || event.type === 'response.incomplete' || event.type === 'response.failed') final = asObj(event.response);
  }
  if (items.size > 0) for (const at of [...items.keys()].sort((a, b) => a - b)) responsesItem(reply, streamedItem(items.get(at)!));
  else for (const item of asArr(final?.output)) responsesItem(reply, item);
  if (final) responsesUsage(reply, final);
  return reply;
}

/** The dialect of a model turn, by its pathname: the harness's API is only the fallback. */
export type Dialect = 'openai' | 'anthropic' | 'responses';

export function dialectOf(path: string, api: HarnessApi): Dialect {
  const pathname = new URL(path, 'http://lane').pathname.replace(/\/+$/, '');
  if (pathname.endsWith('/responses')) return 'responses';
  if (pathname.endsWith('/messages')) return 'anthropic';
  if (pathname.endsWith('/completions')) return 'openai';
  return api;
}

function replyOf(dialect: Dialect, events: Json[], stream: boolean): Reply {
  if (dialect === 'responses') return responsesReply(events, stream);
  return dialect === 'anthropic' ? anthropicReply(events, stream) : openaiReply(events, stream);
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

/** What an exchange keeps of its request: its tool names and size (the messages are read once, at the end, from the newest). */
export interface RequestSummary {
  messages: unknown[];
  tools: string[];
  bytes: number;
}

/** A `tools` list longer than this is not read (a real one is tens of KB). */
const MAX_TOOLS_BYTES = 4 * 1024 ** 2;

const trailingSlashes = (chunk: Buffer, from: number, end: number) => {
  let n = 0;
  while (end - 1 - n >= from && chunk[end - 1 - n] === 0x5c) n++;
  return n;
};

/**
 * Where a top-level key's object or array value lies in a JSON object fed a chunk at a time, found
 * without parsing the rest: strings (a 16 MB conversation is mostly strings) are skipped with a
 * native search, and nothing fed is kept. `range` is the value's byte offsets once its end has passed.
 */
export class ValueScanner {
  range: { start: number; end: number } | null = null;
  private offset = 0;
  private depth = 0;
  private inString = false;
  /** Backslashes just before the current position inside a string (a chunk may end in the middle of a run). */
  private slashes = 0;
  private keyNext = false;
  /** The string being read is a key of the top-level object. */
  private keyString = false;
  /** Its raw text while it can still be the name (null: longer). */
  private key: string | null = null;
  private matched = false;
  private start = -1;

  constructor(private readonly name: string) {}

  feed(chunk: Buffer): void {
    for (let i = 0; i < chunk.length && !this.range; ) i = this.inString ? this.string(chunk, i) : this.structure(chunk, i);
    this.offset += chunk.length;
  }

  /** Inside a string from `from`: the index after its closing quote, or the chunk's end. */
  private string(chunk: Buffer, from: number): number {
    for (let i = from; ; ) {
      const quote = chunk.indexOf(0x22, i);
      const end = quote < 0 ? chunk.length : quote;
      const run = trailingSlashes(chunk, i, end);
      const slashes = run === end - i ? this.slashes + run : run;
      if (this.keyString && this.key !== null) this.key = this.key.length + end - i > this.name.length ? null : this.key + chunk.toString('latin1', i, end);
      if (quote < 0) {
        this.slashes = slashes;
        return chunk.length;
      }
      this.slashes = 0;
      if (slashes % 2 === 0) {
        this.inString = false;
        if (this.keyString) this.matched = this.key === this.name;
        return quote + 1;
      }
      if (this.keyString && this.key !== null) this.key += '"';
      i = quote + 1;
    }
  }

  private structure(chunk: Buffer, i: number): number {
    const c = chunk[i]!;
    if (c === 0x22) {
      this.inString = true;
      this.keyString = this.depth === 1 && this.keyNext;
      this.key = '';
      this.keyNext = false;
    } else if (c === 0x7b || c === 0x5b) {
      if (this.depth === 1 && this.matched) this.start = this.offset + i;
      this.depth++;
      if (this.depth === 1) this.keyNext = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      this.depth--;
      if (this.depth === 1 && this.start >= 0) this.range = { start: this.start, end: this.offset + i + 1 };
    } else if (c === 0x2c && this.depth === 1) {
      this.keyNext = true;
      this.matched = false;
    }
    return i + 1;
  }
}

/** The bytes of a top-level key's object or array value in a JSON object (see ValueScanner); null when absent. */
export function topLevelValue(body: Buffer, key: string): Buffer | null {
  const scanner = new ValueScanner(key);
  scanner.feed(body);
  return scanner.range ? body.subarray(scanner.range.start, scanner.range.end) : null;
}

const toolNames = (tools: unknown) => asArr(tools).map((t) => asStr(asObj(asObj(t).function).name) || asStr(asObj(t).name)).filter(Boolean);

/** Whether a `tools` value of this many bytes is read (a real one is tens of KB). */
export const readableTools = (bytes: number) => bytes <= MAX_TOOLS_BYTES;

/** A request's summary from its `tools` value (the bytes ValueScanner found, or null) and its size. */
export function summaryOf(tools: Buffer | null, bytes: number): RequestSummary {
  const parsed = tools && readableTools(tools.length) ? parseJsonValue(tools.toString('utf8')) : null;
  return { messages: [], tools: toolNames(parsed), bytes };
}

/** The request's tool names and size, read without building its conversation. */
export function summariseRequest(body: Buffer): RequestSummary {
  return summaryOf(topLevelValue(body, 'tools'), body.length);
}

/** The messages of a request body (parsed whole: the proxy does it once, for the newest request); a Responses request's `input` items. */
export function requestMessages(body: Buffer | string): unknown[] {
  const parsed = parseJson(typeof body === 'string' ? body : body.toString('utf8'));
  if (Array.isArray(parsed?.messages)) return parsed.messages as unknown[];
  if (typeof parsed?.input === 'string') return [{ role: 'user', content: parsed.input }];
  return asArr(parsed?.input);
}

/** An exchange read whole (its request's messages included). */
export function readExchange(raw: RawExchange): Exchange {
  const { requestBody, ...rest } = raw;
  const body = Buffer.from(requestBody);
  return readExchangeFrom({ ...summariseRequest(body), messages: requestMessages(requestBody) }, rest);
}

/** The exchange from its request's summary and the response as kept. */
export function readExchangeFrom(request: RequestSummary, raw: Omit<RawExchange, 'requestBody'>): Exchange {
  const stream = raw.contentType.includes('text/event-stream');
  const events = stream ? sseEvents(raw.responseBody) : [parseJson(raw.responseBody)].filter((e): e is Json => e !== null);
  const reply = replyOf(dialectOf(raw.path, raw.api), events, stream);
  const estimated = reply.prompt === null || reply.completion === null;
  const completion = reply.completion ?? estimate(reply.content + reply.reasoning + reply.calls.map((c) => c.name + c.arguments).join(''));
  const prompt = reply.prompt ?? Math.ceil(request.bytes / CHARS_PER_TOKEN);
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
    request_bytes: request.bytes,
    ...(!okStatus && { error: `HTTP ${raw.status}: ${raw.responseBody.slice(0, 200)}` }),
    ...(reply.warnings.length > 0 && { warnings: [...new Set(reply.warnings)] }),
  };
}
