// The per-attempt transcript file: the whole conversation, per-turn timings, how it ended.
// API keys are never in it; credentials in the base URL are removed.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Sampling } from '../types.js';

export interface TranscriptTurn {
  turn: number;
  ttft_s: number | null;
  wall_s: number;
  usage: { prompt_tokens: number; completion_tokens: number; estimated: boolean };
  finish_reason: string | null;
  /** What was wrong with the lane's numbers for this turn (see turnStream's tokenCount). */
  warnings?: string[];
}

export interface TranscriptInput {
  prompt_id: string;
  model: string;
  baseURL: string;
  sampling: Sampling;
  tools: string[];
  messages: Record<string, unknown>[];
  /** Set when messages past the size cap were cut to a note. */
  truncated?: boolean;
  turns: TranscriptTurn[];
  status: string;
  error: string | null;
  wall_s: number;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** The file's text; if it is still too large to serialise, the messages are dropped and it says so. */
function serialise(input: TranscriptInput): string {
  const { baseURL, ...rest } = input;
  const body = { ...rest, base_url: redactUrl(baseURL) };
  try {
    return `${JSON.stringify(body, null, 2)}\n`;
  } catch (err) {
    const note = `messages omitted: ${(err as Error).message}`;
    return `${JSON.stringify({ ...body, messages: [], truncated: true, transcript_error: note }, null, 2)}\n`;
  }
}

/**
 * Writes the transcript; never throws. Returns null, or why it could not be written (fs errors
 * do not name the file: a full or read-only results disk must say where).
 */
export async function writeTranscript(path: string, input: TranscriptInput): Promise<string | null> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, serialise(input));
    return null;
  } catch (err) {
    return `cannot write the transcript ${path}: ${(err as Error).message}`;
  }
}
