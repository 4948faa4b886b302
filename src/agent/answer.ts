// The final answer is the assistant content without the model's `<think>` blocks (DESIGN §5).

export interface SplitAnswer {
  answer: string;
  /** Text that was inside the think blocks (used as reasoning when the server sent none). */
  thought: string;
}

export function splitThink(content: string): SplitAnswer {
  const thoughts: string[] = [];
  let answer = content.replace(/<think>([\s\S]*?)<\/think>/gi, (_all, inner: string) => {
    thoughts.push(inner.trim());
    return '';
  });
  // A think block the model never closed (it ran out of tokens while thinking): all of it is thought.
  const open = answer.search(/<think>/i);
  if (open !== -1 && answer.slice(0, open).trim() === '') {
    thoughts.push(answer.slice(open + '<think>'.length).trim());
    answer = '';
  }
  // Templates that pre-fill `<think>` leave only the closing tag in the content.
  const close = answer.search(/<\/think>/i);
  if (close !== -1) {
    thoughts.push(answer.slice(0, close).trim());
    answer = answer.slice(close + '</think>'.length);
  }
  return { answer: answer.trim(), thought: thoughts.filter(Boolean).join('\n\n') };
}

/** Rough token count for servers that send no usage: about four characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
