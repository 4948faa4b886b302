import { setMaxListeners } from 'node:events';
// One attempt: system + user prompt → model → tool calls → tool results → … → final answer,
// streamed, within a turn budget and a wall-clock timeout (DESIGN §5).
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { AttemptRun, Prompt, Sampling, ToolCallRecord } from '../types.js';
import { estimateTokens, splitThink } from './answer.js';
import { classifyError, type Classified } from './classify.js';
import { laneFetch } from './laneFetch.js';
import { failure, malformedCall } from './toolResult.js';
import { createToolbox } from './tools.js';
import { writeTranscript, type TranscriptTurn } from './transcript.js';
import { collectTurn, TOOL_ARGUMENTS_MAX_CHARS, TURN_ARGUMENTS_MAX_CHARS, type StreamedTurn } from './turnStream.js';
import { clampDelayMs } from '../timers.js';

export const DEFAULT_TURN_BUDGET = 12;
export const DEFAULT_TIMEOUT_S = 360;
/**
 * A lane that sends nothing for this long (no response, or a stream that stopped mid-way) has
 * stalled: the attempt ends as lane_error instead of waiting out the whole timeout as a runaway.
 * Generous, because a lane sends nothing while it processes a long prompt.
 */
export const DEFAULT_IDLE_TIMEOUT_S = 120;
const RECORDED_RESULT_CHARS = 2048;
/** Tool calls run per turn; the rest get an error result without running. */
export const MAX_TOOL_CALLS_PER_TURN = 32;
/** Tool calls kept in the attempt's record (the journal line stays small). */
const MAX_RECORDED_TOOL_CALLS = 512;
/** The transcript keeps messages up to about this size; later ones are cut to a note. */
export const TRANSCRIPT_MAX_CHARS = 16 * 1024 * 1024;
const PROGRESS_INTERVAL_MS = 250;
/** Ending on this many malformed tool calls in a row (budget or timeout) is a format_error. */
export const MALFORMED_STREAK_FOR_FORMAT_ERROR = 2;

export interface AttemptProgress {
  completionTokens: number;
  tokPerSec: number | null;
  ttftS: number | null;
}

export interface AttemptOptions {
  baseURL: string;
  model: string;
  apiKey?: string;
  prompt: Prompt;
  /** The fresh per-attempt scratch copy (already seeded by the caller). */
  workDir: string;
  transcriptPath: string;
  sampling: Sampling;
  turnBudget: number;
  timeoutS: number;
  /** Seconds without a byte from the lane before the attempt ends as lane_error (default DEFAULT_IDLE_TIMEOUT_S). */
  idleTimeoutS?: number;
  shell: boolean;
  systemPrompt?: string;
  /** Called at most 4 times a second while tokens arrive, and once at the end. */
  onProgress?: (p: AttemptProgress) => void;
  /** Cancels the attempt: runAttempt then rejects with the signal's reason (nothing to grade). */
  signal?: AbortSignal;
  /** Host paths run_shell's sandbox hides (suite, results, lanes.yaml); brainbench's install always. */
  hide?: readonly string[];
  /** Where run_shell sees the work folder (task suites: /app); default /work. */
  mountAt?: string;
}

export function defaultSystemPrompt(toolNames: string[]): string {
  return [
    'You are an agent working in a folder of files (the working folder, ".").',
    `Use the tools (${toolNames.join(', ')}) to look at the files; paths are relative to the working folder.`,
    'Do not guess what a file contains: read it. If the information is not available, say so.',
    'When you are done, reply with the final answer only, without calling a tool.',
  ].join(' ');
}

/** Arguments as sent back in the history: servers parse them, so unparseable ones become `{}`. */
function historyArguments(raw: string): string {
  try {
    JSON.parse(raw);
    return raw;
  } catch {
    return '{}';
  }
}

const seconds = (ms: number) => Math.round(ms) / 1000;

const clip = (text: string) => (text.length > RECORDED_RESULT_CHARS ? `${text.slice(0, RECORDED_RESULT_CHARS)}…` : text);

/** The transcript's messages, bounded: past TRANSCRIPT_MAX_CHARS a message keeps only its role and a note. */
class TranscriptLog {
  readonly messages: Record<string, unknown>[] = [];
  truncated = false;
  private chars = 0;

  push(message: Record<string, unknown>): void {
    const size = JSON.stringify(message).length;
    if (this.chars + size > TRANSCRIPT_MAX_CHARS) {
      this.truncated = true;
      this.messages.push({ role: message.role, content: `[omitted: transcript over ${TRANSCRIPT_MAX_CHARS} characters]` });
      return;
    }
    this.chars += size;
    this.messages.push(message);
  }
}

/** Passes the chunks through, calling `onChunk` as each arrives. */
async function* watched<T>(chunks: AsyncIterable<T>, onChunk: () => void): AsyncGenerator<T> {
  for await (const chunk of chunks) {
    onChunk();
    yield chunk;
  }
}

/** The limits that can end an attempt: its deadline, the lane's stall watchdog and the caller's cancel. */
function attemptLimits(opts: AttemptOptions, abort: AbortController) {
  const state = { limit: null as 'timeout' | 'stalled' | null };
  const stopFor = (reason: 'timeout' | 'stalled') => {
    state.limit ??= reason;
    abort.abort();
  };
  const deadline = setTimeout(() => stopFor('timeout'), clampDelayMs(opts.timeoutS * 1000));
  const idleS = opts.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S;
  let idleTimer: NodeJS.Timeout | undefined;
  const onCancel = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  return {
    idleS,
    /** Which of our own limits ended the attempt, if one did. */
    get limit() {
      return state.limit;
    },
    /** (Re)starts the stall watchdog: armed while waiting on the lane, reset by every chunk. */
    watchLane(on: boolean) {
      clearTimeout(idleTimer);
      if (on) idleTimer = setTimeout(() => stopFor('stalled'), clampDelayMs(idleS * 1000));
    },
    clear() {
      clearTimeout(deadline);
      this.watchLane(false);
      opts.signal?.removeEventListener('abort', onCancel);
    },
  };
}

/** One attempt's conversation and counts, as the named steps of runAttempt fill them. */
class AttemptLoop {
  readonly startedAt = performance.now();
  readonly abort = new AbortController();
  readonly toolbox: ReturnType<typeof createToolbox>;
  readonly client: OpenAI;
  readonly limits: ReturnType<typeof attemptLimits>;
  readonly messages: ChatCompletionMessageParam[];
  // The transcript keeps what the model really sent (raw arguments, reasoning) next to what was sent back.
  readonly transcript = new TranscriptLog();
  readonly turnsLog: TranscriptTurn[] = [];
  readonly toolCalls: ToolCallRecord[] = [];
  readonly tokens = { prompt: 0, completion: 0 };
  ttftMs: number | null = null;
  waitMs = 0;
  escapeAttempts = 0;
  malformedStreak = 0;
  lastTurn: StreamedTurn | null = null;
  private lastProgressAt = 0;

  constructor(readonly opts: AttemptOptions) {
    this.toolbox = createToolbox(opts.workDir, {
      shell: opts.shell,
      injectFailure: opts.prompt.inject_tool_failure,
      signal: this.abort.signal,
      deadlineAt: this.startedAt + opts.timeoutS * 1000,
      ...(opts.hide && { hide: opts.hide }),
      ...(opts.mountAt && { mountAt: opts.mountAt }),
    });
    this.client = new OpenAI({
      baseURL: opts.baseURL,
      apiKey: opts.apiKey ?? 'no-key',
      maxRetries: 0, // the runner decides about retries
      timeout: clampDelayMs(opts.timeoutS * 1000 + 5_000), // our own deadline aborts first
      logLevel: 'off',
      fetch: laneFetch, // a request that never reached the lane is sent again (laneFetch.ts)
    });
    // every turn's request listens on this one signal; a long attempt would trip the default cap of 10
    setMaxListeners(opts.turnBudget + 4, this.abort.signal);
    this.limits = attemptLimits(opts, this.abort);
    this.messages = [
      { role: 'system', content: opts.systemPrompt ?? defaultSystemPrompt(this.toolbox.names) },
      { role: 'user', content: opts.prompt.prompt },
    ];
    for (const m of this.messages) this.transcript.push({ ...m });
  }

  emitProgress(turnDeltas: number, turnFirstDeltaAt: number | null): void {
    if (!this.opts.onProgress) return;
    const now = performance.now();
    if (now - this.lastProgressAt < PROGRESS_INTERVAL_MS) return;
    this.lastProgressAt = now;
    const elapsed = turnFirstDeltaAt === null ? 0 : (now - turnFirstDeltaAt) / 1000;
    this.opts.onProgress({
      completionTokens: this.tokens.completion + turnDeltas,
      tokPerSec: elapsed > 0 && turnDeltas > 1 ? (turnDeltas - 1) / elapsed : null,
      ttftS: this.ttftMs === null ? null : seconds(this.ttftMs),
    });
  }

  /** Step: one streamed model turn, counted (tokens, timings); null when the attempt was aborted meanwhile. */
  async streamTurn(turnNo: number): Promise<StreamedTurn | null> {
    const { opts, limits } = this;
    const requestAt = performance.now();
    let firstDeltaAt: number | null = null;
    limits.watchLane(true);
    const stream = await this.client.chat.completions.create(
      { model: opts.model, messages: this.messages, tools: this.toolbox.specs, stream: true, stream_options: { include_usage: true }, ...opts.sampling },
      { signal: this.abort.signal },
    );
    const turn = await collectTurn(watched(stream, () => limits.watchLane(true)), (partial) => {
      if (firstDeltaAt === null) {
        firstDeltaAt = performance.now();
        if (turnNo === 1) this.ttftMs = firstDeltaAt - requestAt;
      }
      this.emitProgress(partial.deltas, firstDeltaAt);
    });
    limits.watchLane(false);
    const turnMs = performance.now() - requestAt;
    this.waitMs += turnMs;
    if (this.abort.signal.aborted) return null; // the client ends an aborted stream quietly
    this.lastTurn = turn;
    const usage = turn.usage ?? {
      prompt_tokens: estimateTokens(JSON.stringify(this.messages)),
      completion_tokens: estimateTokens(turn.content + turn.reasoning + turn.toolCalls.map((c) => c.name + c.arguments).join('')),
    };
    this.tokens.prompt += usage.prompt_tokens;
    this.tokens.completion += usage.completion_tokens;
    this.turnsLog.push({
      turn: turnNo,
      ttft_s: firstDeltaAt === null ? null : seconds(firstDeltaAt - requestAt),
      wall_s: seconds(turnMs),
      usage: { ...usage, estimated: turn.usage === null },
      finish_reason: turn.finishReason,
      ...(turn.warnings.length > 0 && { warnings: turn.warnings }),
    });
    this.emitProgress(0, null);
    return turn;
  }

  /** Step: the assistant's turn into the history (arguments servers can parse) and the transcript (as sent). */
  recordAssistant(turn: StreamedTurn, ids: string[]): void {
    this.messages.push(
      turn.toolCalls.length
        ? {
            role: 'assistant',
            content: turn.content || null,
            tool_calls: turn.toolCalls.map((call, i) => ({ id: ids[i]!, type: 'function' as const, function: { name: call.name, arguments: historyArguments(call.arguments) } })),
          }
        : { role: 'assistant', content: turn.content },
    );
    this.transcript.push({
      role: 'assistant',
      content: turn.content,
      ...(turn.reasoning ? { reasoning_content: turn.reasoning } : {}),
      ...(turn.toolCalls.length ? { tool_calls: turn.toolCalls.map((c, i) => ({ id: ids[i], type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
    });
  }

  /** Step: the turn's tool calls, each under the deadline, their results sent back. */
  async runTools(turn: StreamedTurn, ids: string[]): Promise<void> {
    for (const [i, call] of turn.toolCalls.entries()) {
      if (this.abort.signal.aborted) break;
      const toolAt = performance.now();
      const result =
        i >= MAX_TOOL_CALLS_PER_TURN
          ? failure(`not run: at most ${MAX_TOOL_CALLS_PER_TURN} tool calls per turn`)
          : call.oversized === undefined
            ? await this.toolbox.call(call.name, call.arguments)
            : malformedCall(`arguments are ${call.oversized} characters long; the limit is ${TOOL_ARGUMENTS_MAX_CHARS} per call, ${TURN_ARGUMENTS_MAX_CHARS} per turn`);
      const toolMs = performance.now() - toolAt;
      this.waitMs += toolMs;
      if (result.escape) this.escapeAttempts++;
      this.malformedStreak = result.malformed ? this.malformedStreak + 1 : 0;
      if (this.toolCalls.length < MAX_RECORDED_TOOL_CALLS) {
        this.toolCalls.push({ name: call.name, arguments: clip(call.arguments), ok: result.ok, result: clip(result.content), escape: result.escape });
      }
      const toolMessage = { role: 'tool' as const, tool_call_id: ids[i]!, content: result.content };
      this.messages.push(toolMessage);
      this.transcript.push({ ...toolMessage, name: call.name, ok: result.ok, escape: result.escape, wall_s: seconds(toolMs) });
    }
  }

  /** The turns until the final answer, a budget, a limit or an error ends them; how they ended (null: an answer). */
  async converse(): Promise<Classified | null> {
    const { opts } = this;
    for (let turnNo = 1; ; turnNo++) {
      if (turnNo > opts.turnBudget) return { status: 'runaway', error: `turn budget ${opts.turnBudget} reached` };
      const turn = await this.streamTurn(turnNo);
      if (!turn) return null;
      if (turn.finishReason === null) return { status: 'lane_error', error: 'stream ended without a finish_reason (cut by the lane)' };
      const ids = turn.toolCalls.map((call, i) => call.id || `call_${turnNo}_${i}`);
      this.recordAssistant(turn, ids);
      if (turn.toolCalls.length === 0) return null; // the final answer
      await this.runTools(turn, ids);
      if (this.abort.signal.aborted) return null;
    }
  }

  /** Step: classify — our own limits and a malformed streak override how the loop ended. */
  classify(ended: Classified | null): Classified | null {
    const { limit, idleS } = this.limits;
    if (limit === 'timeout') ended = { status: 'runaway', error: `timeout ${this.opts.timeoutS} s reached` };
    if (limit === 'stalled') ended = { status: 'lane_error', error: `the lane sent nothing for ${idleS} s (stalled)` };
    if (ended?.status === 'runaway' && this.malformedStreak >= MALFORMED_STREAK_FOR_FORMAT_ERROR) {
      ended = { status: 'format_error', error: `ended on ${this.malformedStreak} malformed tool calls in a row (${ended.error})` };
    }
    return ended;
  }

  runOf(ended: Classified | null): AttemptRun {
    const { answer, thought } = splitThink(this.lastTurn?.content ?? '');
    const reasoning = this.lastTurn?.reasoning || thought;
    return {
      status: ended?.status ?? 'completed',
      answer,
      ...(reasoning ? { reasoning } : {}),
      tool_calls: this.toolCalls,
      turns: this.turnsLog.length,
      tokens: this.tokens,
      wall_s: seconds(performance.now() - this.startedAt),
      ttft_s: this.ttftMs === null ? null : seconds(this.ttftMs),
      escape_attempts: this.escapeAttempts,
      ...(ended ? { error: ended.error } : {}),
      wait_s: seconds(this.waitMs),
    };
  }

  /** Step: the transcript file; null when written, else why not. */
  writeTranscript(run: AttemptRun, cancelled: boolean): Promise<string | null> {
    const { opts } = this;
    return writeTranscript(opts.transcriptPath, {
      prompt_id: opts.prompt.id,
      model: opts.model,
      baseURL: opts.baseURL,
      sampling: opts.sampling,
      tools: this.toolbox.names,
      messages: this.transcript.messages,
      ...(this.transcript.truncated && { truncated: true }),
      turns: this.turnsLog,
      status: cancelled ? 'cancelled' : run.status,
      error: cancelled ? 'cancelled' : (run.error ?? null),
      wall_s: run.wall_s,
    });
  }
}

/** One attempt as named steps: converse (stream a turn → record it → run its tools) → classify → transcript. */
export async function runAttempt(opts: AttemptOptions): Promise<AttemptRun> {
  const loop = new AttemptLoop(opts);
  let ended: Classified | null = null;
  try {
    ended = await loop.converse();
  } catch (err) {
    if (!loop.abort.signal.aborted) ended = classifyError(err);
  } finally {
    loop.limits.clear();
    await loop.toolbox.close();
  }
  const cancelled = loop.abort.signal.aborted && loop.limits.limit === null;
  const run = loop.runOf(loop.classify(ended));
  opts.onProgress?.({ completionTokens: run.tokens.completion, tokPerSec: null, ttftS: run.ttft_s });
  const written = await loop.writeTranscript(run, cancelled);
  if (cancelled) throw opts.signal?.reason ?? new Error('attempt cancelled');
  // A transcript that could not be written is noted on the record; the attempt itself stands.
  if (written !== null) run.error = run.error ? `${run.error}; ${written}` : written;
  return run;
}
