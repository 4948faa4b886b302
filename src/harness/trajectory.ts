// One trial's trajectory as the proxy saw it, the same for every harness, in two files:
// - the exchange log (`<transcript>.exchanges.jsonl`), appended as exchanges pass, lines of
//   different exchanges interleaved: per exchange a `request` line (method, path), its body as
//   `request_chunk` lines (`text`, in order) while the body budget lasts, a `request_end` line (bytes,
//   sha256, bytes logged, `body_omitted` when short), the response as `response` chunks (up to the
//   record cap), an `end` line (status, bytes, sha256), warnings, and one `turn` line — so nothing
//   of a long trial has to wait in memory for the end;
// - the trajectory (`<transcript>.json`), written at the end from a bounded record: per-exchange
//   turns (tokens, TTFT, decode rate, a few tool calls), totals, and the conversation (the last
//   request's messages plus the last reply) in the transcript shape the attempt detail reads.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TranscriptTurn } from '../agent/transcript.js';
import { requestMessages, type Exchange, type ToolCallSeen } from './exchange.js';
import { countPeeks } from './peek.js';
import type { ProxyStats } from './proxy.js';

export interface TrajectoryTotals {
  turns: number;
  tokens: { prompt: number; completion: number };
  toolCalls: number;
  /** The names of the tool calls in order (the first MAX_NAMES_KEPT, each cut to NAME_CHARS). */
  toolsCalled: string[];
  ttftS: number | null;
  /** Completion tokens over decoding seconds, across the trial's streamed replies. */
  decodeTokS: number | null;
  peekAttempts: number;
  answer: string;
}

/** The trajectory file's size cap: past it the conversation is left out (the exchange log has it). */
const MAX_TRANSCRIPT_CHARS = 2 * 1024 ** 2;
/** A request body the record may keep (as the newest): one larger is never shown in the trajectory. */
export const NEWEST_REQUEST_BYTES = MAX_TRANSCRIPT_CHARS;
/** Full exchanges kept for the trajectory's end; only the newest keeps its request's messages. */
export const RECENT_EXCHANGES = 4;
/** What a turn line keeps of its tool calls (the log has them whole). */
const TURN_CALLS_KEPT = 16;
const TURN_ARGUMENT_CHARS = 200;
const MAX_NAMES_KEPT = 4096;
const NAME_CHARS = 64;
const MAX_TOOLS_KEPT = 256;

export type TurnLine = TranscriptTurn & { tool_calls: ToolCallSeen[]; tool_calls_count: number; decode_tok_s: number | null; status: number; path: string };

/** Exchanges the lane answered (an error body is not a turn). */
const answered = (e: Exchange) => e.status >= 200 && e.status < 300;

function turnLine(e: Exchange, turn: number): TurnLine {
  const calls = e.tool_calls.slice(0, TURN_CALLS_KEPT).map((c) => ({ name: c.name.slice(0, NAME_CHARS), arguments: c.arguments.slice(0, TURN_ARGUMENT_CHARS) }));
  return {
    turn, path: e.path, status: e.status, ttft_s: e.ttft_s, wall_s: e.wall_s, usage: e.usage, finish_reason: e.finish_reason,
    tool_calls: calls, tool_calls_count: e.tool_calls.length, decode_tok_s: e.decode_tok_s, ...(e.warnings && { warnings: e.warnings }),
  };
}

/**
 * What a trial keeps in memory of its exchanges: counts, token sums, timings, names, peeks, one
 * small line per exchange, and the last RECENT_EXCHANGES whole — bounded however long it runs.
 */
export class TrajectoryRecord {
  readonly turns: TurnLine[] = [];
  readonly recent: Exchange[] = [];
  readonly tools = new Set<string>();
  private readonly tally = { turns: 0, prompt: 0, completion: 0, toolCalls: 0, peeks: 0, decodeTokens: 0, decodeSeconds: 0 };
  private readonly names: string[] = [];
  private ttftS: number | null = null;
  private answer = '';
  /** The newest request's body: its messages are the conversation, parsed once at the end. */
  private newestRequest: Buffer | null = null;

  /** Folds one exchange in (with its request body, when the caller has it); returns its turn line (for the log). */
  add(e: Exchange, requestBody?: Buffer): TurnLine {
    const line = turnLine(e, this.turns.length + 1);
    this.turns.push(line);
    for (const tool of e.tools) if (this.tools.size < MAX_TOOLS_KEPT) this.tools.add(tool.slice(0, NAME_CHARS));
    for (const old of this.recent) old.messages = []; // the conversation is the newest request's
    // a request larger than the trajectory file may be is never shown there: the log has it
    this.newestRequest = requestBody && requestBody.length <= NEWEST_REQUEST_BYTES ? requestBody : null;
    this.recent.push(e);
    if (this.recent.length > RECENT_EXCHANGES) this.recent.shift();
    if (answered(e)) this.count(e);
    return line;
  }

  private count(e: Exchange): void {
    const t = this.tally;
    t.turns++;
    t.prompt += e.usage.prompt_tokens;
    t.completion += e.usage.completion_tokens;
    t.toolCalls += e.tool_calls.length;
    t.peeks += countPeeks(e.tool_calls);
    for (const call of e.tool_calls) if (this.names.length < MAX_NAMES_KEPT) this.names.push(call.name.slice(0, NAME_CHARS));
    if (e.decode_tok_s !== null && e.decode_tok_s > 0) {
      t.decodeTokens += e.usage.completion_tokens - 1;
      t.decodeSeconds += (e.usage.completion_tokens - 1) / e.decode_tok_s;
    }
    this.ttftS ??= e.ttft_s;
    this.answer = e.content;
  }

  totals(): TrajectoryTotals {
    const t = this.tally;
    return {
      turns: t.turns,
      tokens: { prompt: t.prompt, completion: t.completion },
      toolCalls: t.toolCalls,
      toolsCalled: [...this.names],
      ttftS: this.ttftS,
      decodeTokS: t.decodeSeconds > 0 ? t.decodeTokens / t.decodeSeconds : null,
      peekAttempts: t.peeks,
      answer: this.answer,
    };
  }

  /** The newest request's messages: the conversation so far, as the harness last sent it. */
  messages(): unknown[] {
    const last = this.recent.at(-1);
    if (!last) return [];
    return last.messages.length > 0 || !this.newestRequest ? last.messages : requestMessages(this.newestRequest);
  }

  /** About how many bytes of bodies the record holds: the newest request and the recent replies. */
  heldBytes(): number {
    const reply = (e: Exchange) => e.content.length + e.reasoning.length + e.tool_calls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
    // parsed messages (an exchange read whole) count as their request's size
    const parsed = this.recent.reduce((n, e) => n + (e.messages.length > 0 ? e.request_bytes : 0), 0);
    return (this.newestRequest?.length ?? 0) + parsed + this.recent.reduce((n, e) => n + reply(e), 0);
  }
}

/** Where the exchange log of a trajectory goes: beside it. */
export function exchangeLogPath(trajectoryPath: string): string {
  return `${trajectoryPath.replace(/\.json$/, '')}.exchanges.jsonl`;
}

/**
 * The append-only exchange log: one JSON object a line, written in order; a caller that awaits
 * `line` waits while the file is behind (the write queue stays bounded, which slows the exchange
 * it came from). Bodies stop being written past `budget` bytes (sizes and hashes still are).
 * Never throws: a failed write stops the log and is kept in `error`.
 */
export class ExchangeLog {
  error: string | null = null;
  private written = 0;

  private constructor(
    readonly path: string,
    private readonly stream: WriteStream | null,
    private readonly budget: number,
  ) {
    stream?.on('error', (err) => {
      this.error ??= `could not write the exchange log ${path}: ${err.message}`;
    });
  }

  static async open(path: string, budget: number): Promise<ExchangeLog> {
    try {
      await mkdir(dirname(path), { recursive: true });
      return new ExchangeLog(path, createWriteStream(path, { flags: 'w' }), budget);
    } catch (err) {
      const log = new ExchangeLog(path, null, budget);
      log.error = `could not open the exchange log ${path}: ${(err as Error).message}`;
      return log;
    }
  }

  /** Whether `bytes` more of body still fit the budget. */
  fits(bytes: number): boolean {
    return this.written + bytes <= this.budget;
  }

  /** One line: the pieces written back to back (no other line can come between them), then a newline. */
  async line(...pieces: (string | Uint8Array)[]): Promise<void> {
    if (!this.stream || this.error || this.stream.writableEnded) return;
    let ready = true;
    for (const piece of [...pieces, '\n']) {
      this.written += typeof piece === 'string' ? piece.length : piece.length;
      ready = this.stream.write(piece);
    }
    if (!ready && !this.error) await this.drained();
  }

  private drained(): Promise<void> {
    const stream = this.stream!;
    return new Promise<void>((resume) => {
      const done = () => {
        stream.off('drain', done).off('error', done);
        resume();
      };
      stream.on('drain', done).on('error', done);
    });
  }

  close(): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      stream.once('close', () => resolve());
      stream.end();
    });
  }
}

export interface TrajectoryFile {
  harness: string;
  api: string;
  taskId: string;
  model: string;
  baseURL: string;
  status: string;
  error: string | null;
  wallS: number;
  record: TrajectoryRecord;
  /** The tail of what the CLI printed. */
  output: string;
  proxy: ProxyStats;
  /** The exchange log beside it, when there is one. */
  log?: string;
  /** Why the exchange log stopped being written, when it did (the trajectory says so). */
  logError?: string | null;
}

/** The last request's conversation plus the reply to it: the whole dialogue for a chat-style harness. */
function conversation(record: TrajectoryRecord): Record<string, unknown>[] {
  const last = record.recent.at(-1);
  if (!last) return [];
  const reply = { role: 'assistant', content: last.content, ...(last.tool_calls.length > 0 && { tool_calls: last.tool_calls }) };
  return [...(record.messages() as Record<string, unknown>[]), reply];
}

/** Writes the trajectory; never throws (returns why it could not). Messages go first when it is too large. */
export async function writeTrajectory(path: string, t: TrajectoryFile): Promise<string | null> {
  const totals = t.record.totals();
  const body = {
    prompt_id: t.taskId,
    harness: t.harness,
    api: t.api,
    model: t.model,
    base_url: t.baseURL,
    tools: [...t.record.tools],
    messages: conversation(t.record),
    turns: t.record.turns,
    totals: { ...totals, toolsCalled: undefined },
    status: t.status,
    error: t.error,
    wall_s: t.wallS,
    harness_output: t.output,
    proxy: t.proxy,
    ...(t.log && { exchange_log: t.log }),
    ...(t.logError && { exchange_log_error: t.logError }),
  };
  let text = JSON.stringify(body, null, 2);
  if (text.length > MAX_TRANSCRIPT_CHARS) text = JSON.stringify({ ...body, messages: [], truncated: true }, null, 2);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${text}\n`);
    return null;
  } catch (err) {
    return `could not write the trajectory ${path}: ${(err as Error).message}`;
  }
}
