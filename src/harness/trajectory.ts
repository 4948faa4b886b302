// One trial's trajectory as the proxy saw it, the same for every harness: per-exchange turns with
// tokens, TTFT and decode rate, the tool calls the model made, and the conversation (the last
// request's messages plus the last reply) in the transcript shape the attempt detail reads.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TranscriptTurn } from '../agent/transcript.js';
import type { Exchange, ToolCallSeen } from './exchange.js';
import { countPeeks } from './peek.js';
import type { ProxyStats } from './proxy.js';

export interface TrajectoryTotals {
  turns: number;
  tokens: { prompt: number; completion: number };
  toolCalls: ToolCallSeen[];
  ttftS: number | null;
  /** Completion tokens over decoding seconds, across the trial's streamed replies. */
  decodeTokS: number | null;
  peekAttempts: number;
  answer: string;
}

/** Exchanges the lane answered (an error body is not a turn). */
const answered = (exchanges: readonly Exchange[]) => exchanges.filter((e) => e.status >= 200 && e.status < 300);

export function totalsOf(exchanges: readonly Exchange[]): TrajectoryTotals {
  const turns = answered(exchanges);
  const toolCalls = turns.flatMap((e) => e.tool_calls);
  const rated = turns.filter((e) => e.decode_tok_s !== null && e.decode_tok_s > 0);
  const decodeSeconds = rated.reduce((s, e) => s + (e.usage.completion_tokens - 1) / e.decode_tok_s!, 0);
  const decodeTokens = rated.reduce((s, e) => s + e.usage.completion_tokens - 1, 0);
  return {
    turns: turns.length,
    tokens: {
      prompt: turns.reduce((s, e) => s + e.usage.prompt_tokens, 0),
      completion: turns.reduce((s, e) => s + e.usage.completion_tokens, 0),
    },
    toolCalls,
    ttftS: turns[0]?.ttft_s ?? null,
    decodeTokS: decodeSeconds > 0 ? decodeTokens / decodeSeconds : null,
    peekAttempts: countPeeks(toolCalls),
    answer: turns.at(-1)?.content ?? '',
  };
}

const MAX_TRANSCRIPT_CHARS = 2 * 1024 ** 2;

export interface TrajectoryFile {
  harness: string;
  api: string;
  taskId: string;
  model: string;
  baseURL: string;
  status: string;
  error: string | null;
  wallS: number;
  exchanges: readonly Exchange[];
  /** The tail of what the CLI printed. */
  output: string;
  proxy: ProxyStats;
}

/** The last request's conversation plus the reply to it: the whole dialogue for a chat-style harness. */
function conversation(exchanges: readonly Exchange[]): Record<string, unknown>[] {
  const last = exchanges.at(-1);
  if (!last) return [];
  const reply = { role: 'assistant', content: last.content, ...(last.tool_calls.length > 0 && { tool_calls: last.tool_calls }) };
  return [...(last.messages as Record<string, unknown>[]), reply];
}

function turnOf(e: Exchange, i: number): TranscriptTurn & { tool_calls: ToolCallSeen[]; decode_tok_s: number | null; status: number } {
  return { turn: i + 1, ttft_s: e.ttft_s, wall_s: e.wall_s, usage: e.usage, finish_reason: e.finish_reason, tool_calls: e.tool_calls, decode_tok_s: e.decode_tok_s, status: e.status };
}

/** Writes the trajectory; never throws (returns why it could not). Messages go first when it is too large. */
export async function writeTrajectory(path: string, t: TrajectoryFile): Promise<string | null> {
  const totals = totalsOf(t.exchanges);
  const body = {
    prompt_id: t.taskId,
    harness: t.harness,
    api: t.api,
    model: t.model,
    base_url: t.baseURL,
    tools: [...new Set(t.exchanges.flatMap((e) => e.tools))],
    messages: conversation(t.exchanges),
    turns: t.exchanges.map(turnOf),
    totals: { ...totals, toolCalls: totals.toolCalls.length },
    status: t.status,
    error: t.error,
    wall_s: t.wallS,
    harness_output: t.output,
    proxy: t.proxy,
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
