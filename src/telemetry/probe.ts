// The throughput probe (DESIGN §7): after the suite, on the warm lane, the same prompt with
// temperature 0. The headline is completion_tokens / wall at max_tokens, which is what the
// published numbers measure; the server's own decode rate rides along where reported.
//
// It is a serial phase of every run (issue 20 item 7), so by default it streams and stops once the
// decode rate is stable (StableRate: its last second within PROBE_TOLERANCE of the whole, after at
// least PROBE_FLOOR_S, at most PROBE_CEILING_S), and extrapolates the headline to max_tokens from the
// time to the first token and that rate; the result says so (stopped_early: stable or ceiling). `untilStable: false`
// keeps the fixed probe: `requests` whole replies, no streaming, the medians.
import OpenAI from 'openai';
import { laneFetch } from '../agent/laneFetch.js';
import { percentile } from '../stats.js';
import type { ProbeResult } from '../types.js';
import { clampDelayMs } from '../timers.js';

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
  /** Stream and stop once the rate is stable (default), or make every request in full. */
  untilStable?: boolean;
  /** ms; tests pass a fake clock. */
  clock?: () => number;
}

/** llama.cpp adds its own timings to a completion. */
type WithTimings = { timings?: { predicted_per_second?: unknown } };

const median = (values: number[]) => percentile(values, 50);

/** Never stop before this much decoding: a rate over a few hundred ms is noise. */
export const PROBE_FLOOR_S = 2;
/** Stop here whatever the rate does (a slow lane). */
export const PROBE_CEILING_S = 20;
/** The recent rate agrees with the whole within this fraction: stable. */
export const PROBE_TOLERANCE = 0.05;
const CHECK_MS = 500;
const RECENT_MS = 1000;
/** About what the probe after a prompt suite takes on a lane whose rate is steady: the ETAs add it. */
export const PROBE_ETA_S = PROBE_FLOOR_S + 1;

function clientOf(opts: ProbeOptions): OpenAI {
  return new OpenAI({
    baseURL: opts.baseURL,
    // Local servers usually take no key, but the client insists on one.
    apiKey: opts.apiKey ?? 'brainbench',
    maxRetries: 0,
    timeout: clampDelayMs(opts.timeoutMs ?? 300_000),
    fetch: laneFetch,
  });
}

export async function probeThroughput(opts: ProbeOptions): Promise<ProbeResult> {
  const clock = opts.clock ?? (() => performance.now());
  const started = clock();
  const result = opts.untilStable === false ? await fixedProbe(opts) : await stableProbe(opts);
  return { ...result, duration_s: (clock() - started) / 1000 };
}

/** `requests` whole replies without streaming; the medians. */
async function fixedProbe(opts: ProbeOptions): Promise<ProbeResult> {
  const requests = opts.requests ?? 3;
  const client = clientOf(opts);
  const clock = opts.clock ?? (() => performance.now());
  const rates: number[] = [];
  const decodeRates: number[] = [];
  for (let i = 0; i < requests; i++) {
    try {
      const started = clock();
      const completion = await client.chat.completions.create({
        model: opts.model,
        messages: [{ role: 'user', content: PROBE_PROMPT }],
        max_tokens: opts.maxTokens ?? 256,
        temperature: 0,
        stream: false,
      });
      const wallS = (clock() - started) / 1000;
      const tokens = completion.usage?.completion_tokens;
      if (typeof tokens !== 'number') throw new Error('the server reported no usage.completion_tokens');
      rates.push(tokens / wallS);
      const decode = (completion as WithTimings).timings?.predicted_per_second;
      if (typeof decode === 'number' && Number.isFinite(decode)) decodeRates.push(decode);
    } catch (err) {
      return probeError(i, requests, err);
    }
  }
  return { requests, tokens_per_sec: median(rates), decode_tokens_per_sec: median(decodeRates) };
}

function probeError(i: number, requests: number, err: unknown): ProbeResult {
  return { requests: i, tokens_per_sec: null, decode_tokens_per_sec: null, error: `probe request ${i + 1}/${requests}: ${(err as Error).message}` };
}

/**
 * The decode rate of one stream, checked every CHECK_MS: stable once the rate over the last
 * RECENT_MS agrees with the rate since the first token within PROBE_TOLERANCE at two checks in a
 * row, with PROBE_FLOOR_S of decoding behind. (A drifting rate never agrees: its recent rate runs
 * ahead of or behind the whole.)
 */
export class StableRate {
  private first: Sample | null = null;
  private last: Sample = { t: 0, n: 0 };
  /** Samples back to just before RECENT_MS ago. */
  private recent: Sample[] = [];
  private nextCheck = 0;
  private agreeing = 0;

  /** One more token at `t` (ms); true once the rate is stable. */
  add(t: number): boolean {
    this.last = { t, n: this.last.n + 1 };
    this.recent.push(this.last);
    while (this.recent.length > 2 && this.recent[1]!.t <= t - RECENT_MS) this.recent.shift();
    if (this.first === null) {
      this.first = this.last;
      this.nextCheck = t + CHECK_MS;
      return false;
    }
    if (t < this.nextCheck) return false;
    this.nextCheck = t + CHECK_MS;
    const from = this.recent[0]!;
    const recent = ((this.last.n - from.n) * 1000) / (t - from.t);
    const whole = this.rate()!;
    this.agreeing = Math.abs(recent - whole) <= PROBE_TOLERANCE * whole ? this.agreeing + 1 : 0;
    return this.agreeing >= 2 && t - this.first.t >= PROBE_FLOOR_S * 1000;
  }

  /** Tokens after the first over the time since it; null before a second token. */
  rate(): number | null {
    const first = this.first;
    return first === null || this.last.t <= first.t ? null : ((this.last.n - first.n) * 1000) / (this.last.t - first.t);
  }
}

interface Sample {
  t: number;
  /** Tokens so far. */
  n: number;
}

/** (max − min) / max: how far a set of rates is from agreeing. */
const spread = (rates: number[]) => (Math.max(...rates) - Math.min(...rates)) / Math.max(...rates);

type Streamed =
  /** Stopped mid-reply: the time to the first token and the stable decode rate. */
  | { stopped: 'stable' | 'ceiling'; ttftS: number; decode: number }
  | { stopped: false; tokens: number; wallS: number; serverDecode: number | null };

/** One streamed reply, left as soon as its rate is stable or the probe's ceiling is reached. */
async function streamOnce(client: OpenAI, opts: ProbeOptions, clock: () => number, probeStart: number): Promise<Streamed> {
  const started = clock();
  const meter = new StableRate();
  let firstAt: number | null = null;
  let usage: number | null = null;
  let serverDecode: number | null = null;
  const stream = await client.chat.completions.create({
    model: opts.model,
    messages: [{ role: 'user', content: PROBE_PROMPT }],
    max_tokens: opts.maxTokens ?? 256,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    const t = clock();
    if (chunk.usage) usage = chunk.usage.completion_tokens;
    const decode = (chunk as WithTimings).timings?.predicted_per_second;
    if (typeof decode === 'number' && Number.isFinite(decode)) serverDecode = decode;
    const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string | null } | undefined;
    if (!delta?.content && !delta?.reasoning_content) continue;
    firstAt ??= t;
    const stopped = meter.add(t) ? 'stable' : (t - probeStart) / 1000 >= PROBE_CEILING_S ? 'ceiling' : null;
    const rate = meter.rate();
    // leaving the loop aborts the request
    if (stopped && rate !== null) return { stopped, ttftS: (firstAt - started) / 1000, decode: rate };
  }
  if (usage === null) throw new Error('the server reported no usage.completion_tokens');
  return { stopped: false, tokens: usage, wallS: (clock() - started) / 1000, serverDecode };
}

/**
 * Streams up to `requests` replies: stops mid-reply once the rate is stable (the headline is then
 * max_tokens over the time to the first token plus max_tokens at that rate, what the whole reply
 * would have measured), or after two whole replies that agree.
 */
async function stableProbe(opts: ProbeOptions): Promise<ProbeResult> {
  const requests = opts.requests ?? 3;
  const maxTokens = opts.maxTokens ?? 256;
  const clock = opts.clock ?? (() => performance.now());
  const client = clientOf(opts);
  const t0 = clock();
  const rates: number[] = [];
  const decodeRates: number[] = [];
  for (let i = 0; i < requests; i++) {
    let reply: Streamed;
    try {
      reply = await streamOnce(client, opts, clock, t0);
    } catch (err) {
      return probeError(i, requests, err);
    }
    if (reply.stopped) {
      return { requests: i + 1, tokens_per_sec: maxTokens / (reply.ttftS + maxTokens / reply.decode), decode_tokens_per_sec: reply.decode, stopped_early: reply.stopped };
    }
    rates.push(reply.tokens / reply.wallS);
    if (reply.serverDecode !== null) decodeRates.push(reply.serverDecode);
    const agreed = rates.length >= 2 && spread(rates) <= PROBE_TOLERANCE;
    if ((agreed || (clock() - t0) / 1000 >= PROBE_CEILING_S) && i + 1 < requests) {
      return { requests: i + 1, tokens_per_sec: median(rates), decode_tokens_per_sec: median(decodeRates), stopped_early: agreed ? 'stable' : 'ceiling' };
    }
  }
  return { requests, tokens_per_sec: median(rates), decode_tokens_per_sec: median(decodeRates) };
}
