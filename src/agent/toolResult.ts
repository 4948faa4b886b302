/** What one tool call gives back to the model; failed results always start with `ERROR: `. */
export interface ToolResult {
  ok: boolean;
  content: string;
  /** The call tried to leave the scratch folder (counted as an escape attempt). */
  escape: boolean;
  /** The call itself was malformed (unknown tool, arguments not JSON, schema mismatch). */
  malformed?: boolean;
}

export function success(content: string): ToolResult {
  return { ok: true, content, escape: false };
}

export function failure(message: string, escape = false): ToolResult {
  return { ok: false, content: `ERROR: ${message}`, escape };
}

export function malformedCall(message: string): ToolResult {
  return { ...failure(message), malformed: true };
}

/** Cut `text` to at most `maxChars`, saying so (and how long it was) when it did. */
export function capText(text: string, maxChars: number, unit = 'characters'): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n[truncated: showing the first ${maxChars} of ${text.length} ${unit}]`;
}
