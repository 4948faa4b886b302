// Folds one streamed chat-completions response into a turn: content, reasoning, tool calls
// (deltas accumulated by index: the first carries id and name, later ones append arguments),
// finish_reason and usage (from the final chunk, when the server sends it). What is kept is
// bounded: a lane that streams 10 MB must not fill memory, the journal or the transcript.
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';

/** Content and reasoning keep this many characters at the head and at the tail (where an answer ends). */
export const TURN_TEXT_KEEP_CHARS = 32 * 1024;
/** Tool-call arguments longer than this are not kept; the call is refused (write_file allows 1 MB). */
export const TOOL_ARGUMENTS_MAX_CHARS = 2 * 1024 * 1024;
/** All tool-call arguments of one turn together: past this, later calls keep only their start. */
export const TURN_ARGUMENTS_MAX_CHARS = 8 * 1024 * 1024;

export interface StreamedToolCall {
  id: string;
  name: string;
  arguments: string;
  /** Set when the arguments outgrew TOOL_ARGUMENTS_MAX_CHARS: `arguments` holds only their start. */
  oversized?: number;
}

/** Head and tail of a long text with the middle dropped; appends are amortised O(1). */
class BoundedText {
  private head = '';
  private tail = '';
  private dropped = 0;

  append(piece: string): void {
    if (this.head.length < TURN_TEXT_KEEP_CHARS) {
      const room = TURN_TEXT_KEEP_CHARS - this.head.length;
      this.head += piece.slice(0, room);
      piece = piece.slice(room);
    }
    if (piece === '') return;
    this.tail += piece;
    // Trim only once the tail is twice the cap, so a stream of tiny deltas is not quadratic.
    if (this.tail.length > 2 * TURN_TEXT_KEEP_CHARS) {
      this.dropped += this.tail.length - TURN_TEXT_KEEP_CHARS;
      this.tail = this.tail.slice(-TURN_TEXT_KEEP_CHARS);
    }
  }

  toString(): string {
    let { tail, dropped } = this;
    if (tail.length > TURN_TEXT_KEEP_CHARS) {
      dropped += tail.length - TURN_TEXT_KEEP_CHARS;
      tail = tail.slice(-TURN_TEXT_KEEP_CHARS);
    }
    return dropped > 0 ? `${this.head}\n[… ${dropped} characters omitted …]\n${tail}` : this.head + tail;
  }
}

export interface StreamedTurn {
  content: string;
  reasoning: string;
  toolCalls: StreamedToolCall[];
  /** null when the stream ended without one (a cut stream). */
  finishReason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  /** Content, reasoning and tool-call deltas received (≈ tokens for servers that send one per chunk). */
  deltas: number;
  /** What was wrong with the lane's numbers (a usage that is not a count): said, never stored as given. */
  warnings: string[];
}

/** The most tokens one request can plausibly count; a lane claiming more is not believed. */
export const MAX_TOKEN_COUNT = 1e9;

/**
 * A token count from a lane, or null: absent is null quietly; anything but a whole number in
 * 0..MAX_TOKEN_COUNT ("0lots", -5, 1e300, NaN) is null with a warning, so it is counted from the
 * stream instead and never reaches the journal as given.
 */
export function tokenCount(value: unknown, field: string, warnings: string[]): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_COUNT) return value;
  const shown = (typeof value === 'string' ? JSON.stringify(value) : String(value)).slice(0, 40);
  warnings.push(`the lane's ${field} ${shown} is not a token count; counted from the stream instead`);
  return null;
}

/** The chunk's usage if both counts are valid; otherwise null (estimated from the stream) with a warning. */
function checkedUsage(usage: unknown, warnings: string[]): StreamedTurn['usage'] {
  const u = usage as { prompt_tokens?: unknown; completion_tokens?: unknown };
  const prompt = tokenCount(u.prompt_tokens, 'usage.prompt_tokens', warnings);
  const completion = tokenCount(u.completion_tokens, 'usage.completion_tokens', warnings);
  return prompt === null || completion === null ? null : { prompt_tokens: prompt, completion_tokens: completion };
}

/** llama.cpp and vLLM stream the model's thinking as `reasoning_content` (some as `reasoning`). */
interface ReasoningDelta {
  reasoning_content?: string | null;
  reasoning?: string | null;
}

export async function collectTurn(
  chunks: AsyncIterable<ChatCompletionChunk>,
  onDelta: (turn: StreamedTurn) => void,
): Promise<StreamedTurn> {
  const turn: StreamedTurn = { content: '', reasoning: '', toolCalls: [], finishReason: null, usage: null, deltas: 0, warnings: [] };
  const content = new BoundedText();
  const reasoningText = new BoundedText();
  const byIndex = new Map<number, StreamedToolCall>();
  const kept = { chars: 0 };
  for await (const chunk of chunks) {
    if (chunk.usage) turn.usage = checkedUsage(chunk.usage, turn.warnings);
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta as (typeof choice.delta & ReasoningDelta) | undefined;
      let gotDelta = false;
      if (delta?.content) {
        content.append(delta.content);
        gotDelta = true;
      }
      const reasoning = delta?.reasoning_content ?? delta?.reasoning;
      if (reasoning) {
        reasoningText.append(reasoning);
        gotDelta = true;
      }
      for (const call of delta?.tool_calls ?? []) {
        let acc = byIndex.get(call.index);
        if (!acc) {
          acc = { id: call.id ?? '', name: '', arguments: '' };
          byIndex.set(call.index, acc);
        }
        if (call.id && !acc.id) acc.id = call.id;
        if (call.function?.name) acc.name += call.function.name;
        if (call.function?.arguments) appendArguments(acc, call.function.arguments, kept);
        gotDelta = true;
      }
      if (choice.finish_reason) turn.finishReason = choice.finish_reason;
      if (gotDelta) {
        turn.deltas++;
        onDelta(turn);
      }
    }
  }
  turn.content = content.toString();
  turn.reasoning = reasoningText.toString();
  turn.toolCalls = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  return turn;
}

function appendArguments(call: StreamedToolCall, piece: string, kept: { chars: number }): void {
  if (call.oversized !== undefined) {
    call.oversized += piece.length;
  } else if (call.arguments.length + piece.length > TOOL_ARGUMENTS_MAX_CHARS || kept.chars + piece.length > TURN_ARGUMENTS_MAX_CHARS) {
    call.oversized = call.arguments.length + piece.length;
    kept.chars -= call.arguments.length;
    call.arguments = call.arguments.slice(0, 200);
    kept.chars += call.arguments.length;
  } else {
    call.arguments += piece;
    kept.chars += piece.length;
  }
}
