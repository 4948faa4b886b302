// Folds one streamed chat-completions response into a turn: content, reasoning, tool calls
// (deltas accumulated by index: the first carries id and name, later ones append arguments),
// finish_reason and usage (from the final chunk, when the server sends it).
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';

export interface StreamedToolCall {
  id: string;
  name: string;
  arguments: string;
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
  const turn: StreamedTurn = { content: '', reasoning: '', toolCalls: [], finishReason: null, usage: null, deltas: 0 };
  const byIndex = new Map<number, StreamedToolCall>();
  for await (const chunk of chunks) {
    if (chunk.usage) {
      turn.usage = { prompt_tokens: chunk.usage.prompt_tokens, completion_tokens: chunk.usage.completion_tokens };
    }
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta as (typeof choice.delta & ReasoningDelta) | undefined;
      let gotDelta = false;
      if (delta?.content) {
        turn.content += delta.content;
        gotDelta = true;
      }
      const reasoning = delta?.reasoning_content ?? delta?.reasoning;
      if (reasoning) {
        turn.reasoning += reasoning;
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
        if (call.function?.arguments) acc.arguments += call.function.arguments;
        gotDelta = true;
      }
      if (choice.finish_reason) turn.finishReason = choice.finish_reason;
      if (gotDelta) {
        turn.deltas++;
        onDelta(turn);
      }
    }
  }
  turn.toolCalls = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  return turn;
}
