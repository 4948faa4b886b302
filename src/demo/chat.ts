import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { planReply, type BrainName, type BrainReply } from './brains.js';
import type { FaultName, FaultPlan } from './faults.js';
import type { SlotTask } from './info.js';
import type { LaneCounters } from './metrics.js';
import { renderPrompt, type ChatRequest } from './request.js';
import type { Slot, SlotPool } from './slots.js';
import type { Solutions } from './solutions.js';
import { SseWriter, writeBytes } from './sse.js';
import { commonPrefixLength, countTokens, tokenize } from './tokens.js';
import {
  completionBody,
  deltaChoice,
  encodeJson,
  errorBody,
  invalidUtf8Marker,
  loadingBody,
  parseErrorMessage,
  randomId,
  streamChunk,
  timingsOf,
  usageOf,
  type CompletionCounts,
  type CompletionIdentity,
  type FinishReason,
} from './wire.js';

// POST /v1/chat/completions: the brain decides the reply, a slot decodes it token by token at
// the simulated rate, and the reply goes out as llama-server's SSE stream or JSON body.

export interface ChatLane {
  brain: BrainName;
  alias: string;
  solutions: Solutions;
  /** Milliseconds per decoded token in one slot; 0 = as fast as possible. */
  msPerToken: number;
  crash: 'socket' | 'exit';
  slots: SlotPool;
  counters: LaneCounters;
  faults: FaultPlan;
  /** Set when split-chunks is on: the random source for the byte splits. */
  splitRandom?: () => number;
  log(line: string): void;
  nextTaskId(): number;
}

export const jsonHeaders = { 'Content-Type': 'application/json; charset=utf-8' };
const sseHeaders = { 'Content-Type': 'text/event-stream', 'X-Accel-Buffering': 'no' };

/** Prompt processing runs this many times faster than decoding, as on real hardware. */
const promptSpeedup = 10;
/** How many content tokens a crashing or stalling response gets out before it dies. */
const tokensBeforeCut = 2;
const hugeFillerBytes = 10 * 1024 * 1024;
const hugePieceChars = 64 * 1024;
const nonexistentTool = 'open_file';
/** Tokens a model spends on `<tool_call>` markup and the function name before the arguments. */
const toolCallOverheadTokens = 2;
/** Tokens a broken-json model decodes before the server's parser gives up on its tool call. */
const brokenCallTokens = toolCallOverheadTokens + 3;

/** What the slot decodes and how it goes on the wire. */
interface Generation {
  channel: 'content' | 'reasoning' | 'arguments';
  pieces: string[];
  /** Tokens decoded before the first piece is sent (tool-call markup and name). */
  leadTokens: number;
  /** Completion tokens as counted for usage and timings. */
  tokens: number;
  paced: boolean;
  finish: FinishReason;
  toolCall?: { id: string; name: string };
  /** bad-utf8: the marker inside the pieces becomes bytes that are not UTF-8. */
  corrupt: boolean;
}

/** How a response dies before finishing: crasher, reset, never-ends. */
type Cut = 'destroy' | 'exit' | 'stall';

function textGeneration(text: string, channel: 'content' | 'reasoning', maxTokens: number | undefined): Generation {
  let pieces = tokenize(text);
  let finish: FinishReason = 'stop';
  if (maxTokens !== undefined && pieces.length >= maxTokens) {
    pieces = pieces.slice(0, maxTokens);
    finish = 'length';
  }
  return { channel, pieces, leadTokens: 0, tokens: pieces.length, paced: true, finish, corrupt: false };
}

function toolCallGeneration(name: string, args: string): Generation {
  const pieces = tokenize(args);
  const leadTokens = toolCallOverheadTokens + countTokens(name);
  return {
    channel: 'arguments',
    pieces,
    leadTokens,
    tokens: leadTokens + pieces.length,
    paced: true,
    finish: 'tool_calls',
    toolCall: { id: randomId(), name },
    corrupt: false,
  };
}

function hugeGeneration(answer: string): Generation {
  const filler = 'All work and no play makes the lane a dull server. ';
  const text = `${filler.repeat(Math.ceil(hugeFillerBytes / filler.length))}\n\n${answer}`;
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += hugePieceChars) pieces.push(text.slice(i, i + hugePieceChars));
  return { channel: 'content', pieces, leadTokens: 0, tokens: countTokens(text), paced: false, finish: 'stop', corrupt: false };
}

/** The reply as decoded tokens, with a fault applied to it where one is due. */
function generationFor(reply: Exclude<BrainReply, { kind: 'parse_error' | 'server_error' }>, fault: FaultName | undefined, request: ChatRequest): Generation {
  if (reply.kind === 'tool_call') {
    const name = fault === 'unknown-tool' ? nonexistentTool : reply.name;
    const args = fault === 'bad-args' ? reply.arguments.slice(0, -1) : reply.arguments;
    const generation = toolCallGeneration(name, args);
    if (fault === 'finish-lie') generation.finish = 'stop';
    return generation;
  }
  if (fault === 'huge') return hugeGeneration(reply.content);
  const generation = textGeneration(reply.content, reply.channel, request.maxTokens);
  if (fault === 'bad-utf8') {
    generation.pieces.splice(Math.floor(generation.pieces.length / 2), 0, invalidUtf8Marker);
    generation.tokens++;
    generation.corrupt = true;
  }
  return generation;
}

function cutFor(lane: ChatLane, fault: FaultName | undefined, crashes: boolean): Cut | undefined {
  if (crashes) return lane.crash === 'exit' ? 'exit' : 'destroy';
  if (fault === 'reset') return 'destroy';
  if (fault === 'never-ends') return 'stall';
  return undefined;
}

/** Resolves when the client or the server closes the connection. */
function untilClosed(res: ServerResponse): Promise<void> {
  return res.destroyed ? Promise.resolve() : new Promise((resolve) => res.once('close', () => resolve()));
}

async function sendJson(res: ServerResponse, status: number, body: Buffer | string): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (res.destroyed) return;
  res.writeHead(status, { ...jsonHeaders, 'Content-Length': bytes.length });
  if (await writeBytes(res, bytes)) res.end();
}

/** Decodes one token's worth of time in a slot, keeping to the schedule from `start`. */
class Pacer {
  private readonly start = performance.now();
  private decoded = 0;

  constructor(
    private readonly lane: ChatLane,
    private readonly paced: boolean,
    /** Decoding stops early once this response's connection is gone. */
    private readonly res: ServerResponse,
  ) {}

  async tokens(count: number): Promise<void> {
    for (let i = 0; i < count && !this.res.destroyed; i++) {
      this.decoded++;
      this.lane.counters.decoded(this.lane.slots.processing);
      const wait = this.start + this.decoded * this.lane.msPerToken - performance.now();
      if (this.paced && this.lane.msPerToken > 0 && wait > 0) await sleep(wait);
    }
  }

  elapsedMs(): number {
    return performance.now() - this.start;
  }
}

/** Serves one chat completion; resolves when the response is finished or abandoned. */
export async function serveChat(lane: ChatLane, requestNumber: number, request: ChatRequest, res: ServerResponse): Promise<void> {
  const reply = planReply(lane.brain, request, lane.solutions);
  if (reply.kind === 'server_error') return sendJson(res, 500, errorBody(500, 'Internal Server Error', 'server_error'));
  const fault = lane.faults.pick(reply.kind);
  if (request.stream && lane.faults.splitsChunks) lane.faults.record('split-chunks');
  const crashes = lane.brain === 'crasher' && requestNumber % 4 === 0;

  if (fault === 'silent') return untilClosed(res);
  if (fault === 'http500') return sendJson(res, 500, errorBody(500, 'Internal Server Error', 'server_error'));
  if (fault === 'http503') return sendJson(res, 503, loadingBody);

  const prompt = renderPrompt(request);
  const promptTokensTotal = countTokens(prompt);
  const task: SlotTask = {
    task: lane.nextTaskId(),
    stream: request.stream,
    maxTokens: request.maxTokens ?? -1,
    promptTokens: promptTokensTotal,
    promptProcessed: 0,
    cacheTokens: 0,
    decoded: 0,
    remain: request.maxTokens ?? -1,
  };
  const slot = await lane.slots.acquire(prompt, task);
  const counts: CompletionCounts = { cacheTokens: 0, promptTokens: 0, promptMs: 0, predictedTokens: 0, predictedMs: 0 };
  // A cut response dies after its slot is free again, so a stalled one does not block the lane.
  let pendingCut: Cut | undefined;
  try {
    if (res.destroyed) return;
    lane.log(`slot launch_slot_: id ${String(slot.id).padStart(2)} | task ${task.task} | processing task`);
    await processPrompt(lane, slot, prompt, promptTokensTotal, task, counts);
    const identity: CompletionIdentity = { id: `chatcmpl-${randomId()}`, model: lane.alias };
    if (reply.kind === 'parse_error') return await serveParseError(lane, request, res, identity, counts);
    const generation = generationFor(reply, fault, request);
    const cut = cutFor(lane, fault, crashes);
    pendingCut = request.stream
      ? await streamGeneration(lane, request, res, identity, generation, cut, task, counts)
      : await answerGeneration(lane, res, identity, generation, cut, task, counts);
  } finally {
    lane.counters.finished(counts);
    lane.log(
      `slot      release: id ${String(slot.id).padStart(2)} | task ${task.task} | stop processing: n_tokens = ${counts.cacheTokens + counts.promptTokens + counts.predictedTokens}, truncated = 0`,
    );
    lane.slots.release(slot);
    if (lane.slots.processing === 0) lane.log('srv  update_slots: all slots are idle');
  }
  if (pendingCut) await applyCut(pendingCut, res);
}

async function processPrompt(lane: ChatLane, slot: Slot, prompt: string, total: number, task: SlotTask, counts: CompletionCounts) {
  const cached = Math.min(countTokens(prompt.slice(0, commonPrefixLength(slot.lastPrompt, prompt))), total - 1);
  counts.cacheTokens = Math.max(cached, 0);
  counts.promptTokens = total - counts.cacheTokens;
  task.cacheTokens = counts.cacheTokens;
  slot.lastPrompt = prompt;
  const started = performance.now();
  if (lane.msPerToken > 0) await sleep((counts.promptTokens * lane.msPerToken) / promptSpeedup);
  lane.counters.decoded(lane.slots.processing);
  task.promptProcessed = counts.promptTokens;
  counts.promptMs = performance.now() - started;
}

/** The model began a tool call the server cannot parse: a few tokens, then the error. */
async function serveParseError(lane: ChatLane, request: ChatRequest, res: ServerResponse, identity: CompletionIdentity, counts: CompletionCounts) {
  const pacer = new Pacer(lane, true, res);
  const body = errorBody(500, parseErrorMessage, 'server_error');
  await pacer.tokens(1);
  if (request.stream) {
    if (res.destroyed) return;
    res.writeHead(200, sseHeaders);
    const sse = new SseWriter(res, lane.splitRandom);
    await sse.event(encodeJson(streamChunk(identity, [deltaChoice({ role: 'assistant', content: null })])));
    await pacer.tokens(brokenCallTokens - 1);
    await sse.event(Buffer.from(body));
    sse.end();
  } else {
    await pacer.tokens(brokenCallTokens - 1);
    await sendJson(res, 500, body);
  }
  counts.predictedTokens = brokenCallTokens;
  counts.predictedMs = pacer.elapsedMs();
}

/** What the first chunk of a piece carries: the tool call opens with its id, type and name. */
function pieceDelta(generation: Generation, piece: string, first: boolean): Record<string, unknown> {
  if (generation.channel === 'content') return { content: piece };
  if (generation.channel === 'reasoning') return { reasoning_content: piece };
  const call = generation.toolCall!;
  const opening = first ? { id: call.id, type: 'function' } : {};
  return { tool_calls: [{ index: 0, ...opening, function: first ? { name: call.name, arguments: piece } : { arguments: piece } }] };
}

async function applyCut(cut: Cut, res: ServerResponse): Promise<void> {
  // Let what was written reach the client first: a crash cuts a stream, it does not unsend it.
  await nextTurn();
  if (cut === 'exit') process.exit(1);
  if (cut === 'destroy') res.socket?.destroy();
  else await untilClosed(res);
}

function markDecoded(task: SlotTask, decoded: number): void {
  task.decoded = decoded;
  if (task.maxTokens > 0) task.remain = task.maxTokens - decoded;
}

function cutPoint(generation: Generation): number {
  return Math.max(0, Math.min(tokensBeforeCut, generation.pieces.length - 1));
}

async function streamGeneration(
  lane: ChatLane,
  request: ChatRequest,
  res: ServerResponse,
  identity: CompletionIdentity,
  generation: Generation,
  cut: Cut | undefined,
  task: SlotTask,
  counts: CompletionCounts,
): Promise<Cut | undefined> {
  const pacer = new Pacer(lane, generation.paced, res);
  const encode = (chunk: unknown) => encodeJson(chunk, generation.corrupt);
  await pacer.tokens(1 + generation.leadTokens);
  if (res.destroyed) return undefined;
  res.writeHead(200, sseHeaders);
  const sse = new SseWriter(res, lane.splitRandom);
  if (!(await sse.event(encode(streamChunk(identity, [deltaChoice({ role: 'assistant', content: null })]))))) return undefined;
  const stopAt = cut ? cutPoint(generation) : Infinity;
  for (const [i, piece] of generation.pieces.entries()) {
    if (i === stopAt) return cut;
    if (i > 0) await pacer.tokens(1);
    markDecoded(task, i + 1);
    if (!(await sse.event(encode(streamChunk(identity, [deltaChoice(pieceDelta(generation, piece, i === 0))]))))) return undefined;
  }
  if (cut) return cut;
  counts.predictedTokens = generation.tokens;
  counts.predictedMs = pacer.elapsedMs();
  const finish = deltaChoice({}, generation.finish);
  if (request.includeUsage) {
    await sse.event(encode(streamChunk(identity, [finish])));
    await sse.event(encode(streamChunk(identity, [], { usage: usageOf(counts), timings: timingsOf(counts) })));
  } else {
    await sse.event(encode(streamChunk(identity, [finish], { timings: timingsOf(counts) })));
  }
  await sse.done();
  return undefined;
}

async function answerGeneration(
  lane: ChatLane,
  res: ServerResponse,
  identity: CompletionIdentity,
  generation: Generation,
  cut: Cut | undefined,
  task: SlotTask,
  counts: CompletionCounts,
): Promise<Cut | undefined> {
  const pacer = new Pacer(lane, generation.paced, res);
  const stopAt = cut ? cutPoint(generation) : generation.pieces.length;
  await pacer.tokens(generation.leadTokens + stopAt);
  markDecoded(task, stopAt);
  if (res.destroyed) return undefined;
  if (cut) return cut;
  counts.predictedTokens = generation.tokens;
  counts.predictedMs = pacer.elapsedMs();
  const text = generation.pieces.join('');
  const message =
    generation.channel === 'arguments'
      ? { content: '', toolCall: { ...generation.toolCall!, arguments: text } }
      : generation.channel === 'reasoning'
        ? { content: '', reasoning: text }
        : { content: text };
  await sendJson(res, 200, encodeJson(completionBody(identity, message, generation.finish, counts), generation.corrupt));
  return undefined;
}
