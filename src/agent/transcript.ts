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
}

export interface TranscriptInput {
  prompt_id: string;
  model: string;
  baseURL: string;
  sampling: Sampling;
  tools: string[];
  messages: Record<string, unknown>[];
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

export async function writeTranscript(path: string, input: TranscriptInput): Promise<void> {
  const { baseURL, ...rest } = input;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify({ ...rest, base_url: redactUrl(baseURL) }, null, 2)}\n`);
  } catch (err) {
    // fs errors do not name the file; a full or read-only results disk must say where.
    throw new Error(`cannot write the transcript ${path}: ${(err as Error).message}`, { cause: err });
  }
}
