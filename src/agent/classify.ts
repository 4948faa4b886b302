// What a failed request means for the attempt: the model's fault (format_error, runaway) or
// the lane's (lane_error: excluded from the model's rates and retried by the runner).
import { APIConnectionError, APIError } from 'openai';
import type { AttemptRun } from '../types.js';

export interface Classified {
  status: Exclude<AttemptRun['status'], 'completed'>;
  error: string;
}

/** llama-server's tool-call parser rejecting the model's output (HTTP 500 or in-stream). */
const TOOL_FORMAT_REJECTED = /does not match the expected .*format/i;
/** The conversation outgrew the context window (llama.cpp, vLLM wording). */
const CONTEXT_EXHAUSTED = /exceeds the available context|maximum context length|context length|context size/i;

/** The first errno-style code along an error's cause chain (ECONNREFUSED, ECONNRESET, ...). */
function causeCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function short(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function classifyError(err: unknown): Classified {
  const message = err instanceof Error ? err.message : String(err);
  if (TOOL_FORMAT_REJECTED.test(message)) {
    return { status: 'format_error', error: `server rejected the model's tool call: ${short(message)}` };
  }
  if (err instanceof APIConnectionError) {
    return { status: 'lane_error', error: `connection failed: ${causeCode(err) ?? short(message)}` };
  }
  if (err instanceof APIError) {
    if (err.status === 400 && CONTEXT_EXHAUSTED.test(message)) {
      return { status: 'runaway', error: `context exhausted: ${short(message)}` };
    }
    // The client prefixes the status ("503 Loading model"); the status is said once.
    const detail = err.status ? message.replace(new RegExp(`^${err.status} `), '') : message;
    return { status: 'lane_error', error: `${err.status ? `HTTP ${err.status}` : 'error in stream'}: ${short(detail)}` };
  }
  if (err instanceof SyntaxError) return { status: 'lane_error', error: `invalid response from the lane: ${short(message)}` };
  // undici reports a socket cut mid-body as TypeError('terminated') with the errno in its cause.
  const code = causeCode(err);
  return { status: 'lane_error', error: `stream failed: ${short(message)}${code ? ` (${code})` : ''}` };
}
