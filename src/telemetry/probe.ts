// The throughput probe (DESIGN §7): after the suite, on the warm lane, the same prompt a few times
// with temperature 0 and no streaming. The headline is median(completion_tokens / wall), which is
// what the published numbers measure; the server's own decode rate rides along where reported.
import OpenAI from 'openai';
import { laneFetch } from '../agent/laneFetch.js';
import { percentile } from '../stats.js';
import type { ProbeResult } from '../types.js';

/** Long enough an answer that max_tokens, not the model, ends most replies. */
export const PROBE_PROMPT =
  'Explain in detail, in plain prose without lists, how a hash table works: hashing, buckets, ' +
  'collisions, load factor and resizing. Write at least 400 words.';

export interface ProbeOptions {
  /** The lane's OpenAI-compatible base URL, ending in /v1. */
  baseURL: string;
  model: string;
  apiKey?: string;
  requests?: number;
  maxTokens?: number;
  /** Per request. */
  timeoutMs?: number;
}

/** llama.cpp adds its own timings to a completion. */
type WithTimings = { timings?: { predicted_per_second?: unknown } };

const median = (values: number[]) => percentile(values, 50);

export async function probeThroughput(opts: ProbeOptions): Promise<ProbeResult> {
  const requests = opts.requests ?? 3;
  const client = new OpenAI({
    baseURL: opts.baseURL,
    // Local servers usually take no key, but the client insists on one.
    apiKey: opts.apiKey ?? 'brainbench',
    maxRetries: 0,
    timeout: opts.timeoutMs ?? 300_000,
    fetch: laneFetch,
  });
  const rates: number[] = [];
  const decodeRates: number[] = [];
  for (let i = 0; i < requests; i++) {
    try {
      const started = performance.now();
      const completion = await client.chat.completions.create({
        model: opts.model,
        messages: [{ role: 'user', content: PROBE_PROMPT }],
        max_tokens: opts.maxTokens ?? 256,
        temperature: 0,
        stream: false,
      });
      const wallS = (performance.now() - started) / 1000;
      const tokens = completion.usage?.completion_tokens;
      if (typeof tokens !== 'number') throw new Error('the server reported no usage.completion_tokens');
      rates.push(tokens / wallS);
      const decode = (completion as WithTimings).timings?.predicted_per_second;
      if (typeof decode === 'number' && Number.isFinite(decode)) decodeRates.push(decode);
    } catch (err) {
      return { requests: i, tokens_per_sec: null, decode_tokens_per_sec: null, error: `probe request ${i + 1}/${requests}: ${(err as Error).message}` };
    }
  }
  return { requests, tokens_per_sec: median(rates), decode_tokens_per_sec: median(decodeRates) };
}
