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

export async function runAttempt(opts: AttemptOptions): Promise<AttemptRun> {
  const startedAt = performance.now();
  const abort = new AbortController();
  const toolbox = createToolbox(opts.workDir, {
    shell: opts.shell,
    injectFailure: opts.prompt.inject_tool_failure,
    signal: abort.signal,
    deadlineAt: startedAt + opts.timeoutS * 1000,
    ...(opts.hide && { hide: opts.hide }),
    ...(opts.mountAt && { mountAt: opts.mountAt }),
  });
  const client = new OpenAI({
    baseURL: opts.baseURL,
    apiKey: opts.apiKey ?? 'no-key',
    maxRetries: 0, // the runner decides about retries
    timeout: opts.timeoutS * 1000 + 5_000, // our own deadline aborts first
    logLevel: 'off',
    fetch: laneFetch, // a request that never reached the lane is sent again (laneFetch.ts)
  });

  // every turn's request listens on this one signal; a long attempt would trip the default cap of 10
  setMaxListeners(opts.turnBudget + 4, abort.signal);
  /** Which of our own limits ended the attempt, if one did. */
  let limit: 'timeout' | 'stalled' | null = null;
  const stopFor = (reason: 'timeout' | 'stalled') => {
    limit ??= reason;
    abort.abort();
  };
  const deadline = setTimeout(() => stopFor('timeout'), opts.timeoutS * 1000);
  const idleS = opts.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S;
  let idleTimer: NodeJS.Timeout | undefined;
  /** (Re)starts the stall watchdog: armed while waiting on the lane, reset by every chunk. */
  const watchLane = (on: boolean) => {
    clearTimeout(idleTimer);
    if (on) idleTimer = setTimeout(() => stopFor('stalled'), idleS * 1000);
  };
  const onCancel = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onCancel, { once: true });

  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: opts.systemPrompt ?? defaultSystemPrompt(toolbox.names) },
    { role: 'user', content: opts.prompt.prompt },
  ];
  // The transcript keeps what the model really sent (raw arguments, reasoning) next to what was sent back.
  const transcript = new TranscriptLog();
  for (const m of messages) transcript.push({ ...m });
  const turnsLog: TranscriptTurn[] = [];
  const toolCalls: ToolCallRecord[] = [];
  const tokens = { prompt: 0, completion: 0 };
  let ttftMs: number | null = null;
  let waitMs = 0;
  let escapeAttempts = 0;
  let malformedStreak = 0;
  let lastTurn: StreamedTurn | null = null;
  let ended: Classified | null = null;
  let lastProgressAt = 0;

  const emitProgress = (turnDeltas: number, turnFirstDeltaAt: number | null) => {
    if (!opts.onProgress) return;
    const now = performance.now();
    if (now - lastProgressAt < PROGRESS_INTERVAL_MS) return;
    lastProgressAt = now;
    const elapsed = turnFirstDeltaAt === null ? 0 : (now - turnFirstDeltaAt) / 1000;
    opts.onProgress({
      completionTokens: tokens.completion + turnDeltas,
      tokPerSec: elapsed > 0 && turnDeltas > 1 ? (turnDeltas - 1) / elapsed : null,
      ttftS: ttftMs === null ? null : seconds(ttftMs),
    });
  };

  try {
    for (let turnNo = 1; ; turnNo++) {
      if (turnNo > opts.turnBudget) {
        ended = { status: 'runaway', error: `turn budget ${opts.turnBudget} reached` };
        break;
      }
      const requestAt = performance.now();
      let firstDeltaAt: number | null = null;
      watchLane(true);
      const stream = await client.chat.completions.create(
        {
          model: opts.model,
          messages,
          tools: toolbox.specs,
          stream: true,
          stream_options: { include_usage: true },
          ...opts.sampling,
        },
        { signal: abort.signal },
      );
      const turn = await collectTurn(watched(stream, () => watchLane(true)), (partial) => {
        if (firstDeltaAt === null) {
          firstDeltaAt = performance.now();
          if (turnNo === 1) ttftMs = firstDeltaAt - requestAt;
        }
        emitProgress(partial.deltas, firstDeltaAt);
      });
      watchLane(false);
      const turnMs = performance.now() - requestAt;
      waitMs += turnMs;
      if (abort.signal.aborted) break; // the client ends an aborted stream quietly
      lastTurn = turn;
      const usage = turn.usage ?? {
        prompt_tokens: estimateTokens(JSON.stringify(messages)),
        completion_tokens: estimateTokens(turn.content + turn.reasoning + turn.toolCalls.map((c) => c.name + c.arguments).join('')),
      };
      tokens.prompt += usage.prompt_tokens;
      tokens.completion += usage.completion_tokens;
      turnsLog.push({
        turn: turnNo,
        ttft_s: firstDeltaAt === null ? null : seconds(firstDeltaAt - requestAt),
        wall_s: seconds(turnMs),
        usage: { ...usage, estimated: turn.usage === null },
        finish_reason: turn.finishReason,
      });
      emitProgress(0, null);
      if (turn.finishReason === null) {
        ended = { status: 'lane_error', error: 'stream ended without a finish_reason (cut by the lane)' };
        break;
      }

      const ids = turn.toolCalls.map((call, i) => call.id || `call_${turnNo}_${i}`);
      messages.push(
        turn.toolCalls.length
          ? {
              role: 'assistant',
              content: turn.content || null,
              tool_calls: turn.toolCalls.map((call, i) => ({
                id: ids[i]!,
                type: 'function' as const,
                function: { name: call.name, arguments: historyArguments(call.arguments) },
              })),
            }
          : { role: 'assistant', content: turn.content },
      );
      transcript.push({
        role: 'assistant',
        content: turn.content,
        ...(turn.reasoning ? { reasoning_content: turn.reasoning } : {}),
        ...(turn.toolCalls.length
          ? { tool_calls: turn.toolCalls.map((c, i) => ({ id: ids[i], type: 'function', function: { name: c.name, arguments: c.arguments } })) }
          : {}),
      });
      if (turn.toolCalls.length === 0) break; // the final answer

      for (const [i, call] of turn.toolCalls.entries()) {
        if (abort.signal.aborted) break;
        const toolAt = performance.now();
        const result =
          i >= MAX_TOOL_CALLS_PER_TURN
            ? failure(`not run: at most ${MAX_TOOL_CALLS_PER_TURN} tool calls per turn`)
            : call.oversized === undefined
              ? await toolbox.call(call.name, call.arguments)
              : malformedCall(`arguments are ${call.oversized} characters long; the limit is ${TOOL_ARGUMENTS_MAX_CHARS} per call, ${TURN_ARGUMENTS_MAX_CHARS} per turn`);
        const toolMs = performance.now() - toolAt;
        waitMs += toolMs;
        if (result.escape) escapeAttempts++;
        malformedStreak = result.malformed ? malformedStreak + 1 : 0;
        if (toolCalls.length < MAX_RECORDED_TOOL_CALLS) {
          toolCalls.push({ name: call.name, arguments: clip(call.arguments), ok: result.ok, result: clip(result.content), escape: result.escape });
        }
        const toolMessage = { role: 'tool' as const, tool_call_id: ids[i]!, content: result.content };
        messages.push(toolMessage);
        transcript.push({ ...toolMessage, name: call.name, ok: result.ok, escape: result.escape, wall_s: seconds(toolMs) });
      }
      if (abort.signal.aborted) break;
    }
  } catch (err) {
    if (!abort.signal.aborted) ended = classifyError(err);
  } finally {
    clearTimeout(deadline);
    watchLane(false);
    opts.signal?.removeEventListener('abort', onCancel);
    await toolbox.close();
  }

  const cancelled = abort.signal.aborted && limit === null;
  if (limit === 'timeout') ended = { status: 'runaway', error: `timeout ${opts.timeoutS} s reached` };
  if (limit === 'stalled') ended = { status: 'lane_error', error: `the lane sent nothing for ${idleS} s (stalled)` };
  if (ended?.status === 'runaway' && malformedStreak >= MALFORMED_STREAK_FOR_FORMAT_ERROR) {
    ended = { status: 'format_error', error: `ended on ${malformedStreak} malformed tool calls in a row (${ended.error})` };
  }

  const { answer, thought } = splitThink(lastTurn?.content ?? '');
  const reasoning = lastTurn?.reasoning || thought;
  const wallMs = performance.now() - startedAt;
  const run: AttemptRun = {
    status: ended?.status ?? 'completed',
    answer,
    ...(reasoning ? { reasoning } : {}),
    tool_calls: toolCalls,
    turns: turnsLog.length,
    tokens,
    wall_s: seconds(wallMs),
    ttft_s: ttftMs === null ? null : seconds(ttftMs),
    escape_attempts: escapeAttempts,
    ...(ended ? { error: ended.error } : {}),
    wait_s: seconds(waitMs),
  };
  opts.onProgress?.({ completionTokens: tokens.completion, tokPerSec: null, ttftS: run.ttft_s });

  const written = await writeTranscript(opts.transcriptPath, {
    prompt_id: opts.prompt.id,
    model: opts.model,
    baseURL: opts.baseURL,
    sampling: opts.sampling,
    tools: toolbox.names,
    messages: transcript.messages,
    ...(transcript.truncated && { truncated: true }),
    turns: turnsLog,
    status: cancelled ? 'cancelled' : run.status,
    error: cancelled ? 'cancelled' : (run.error ?? null),
    wall_s: run.wall_s,
  });
  if (cancelled) throw opts.signal?.reason ?? new Error('attempt cancelled');
  // A transcript that could not be written is noted on the record; the attempt itself stands.
  if (written !== null) run.error = run.error ? `${run.error}; ${written}` : written;
  return run;
}
