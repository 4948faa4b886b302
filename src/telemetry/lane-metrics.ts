// The lane's own Prometheus /metrics (DESIGN §7, optional): generation tokens/s, queue depth and
// KV-cache use, for llama.cpp (`llamacpp:*`) and vLLM (`vllm:*`). A missing metric is null; no
// input makes these functions throw.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { LaneMetrics } from '../types.js';
import { clampDelayMs } from '../timers.js';

/** Family name → every finite sample value (one per label set, e.g. per vLLM engine). */
type MetricValues = Map<string, number[]>;

function metricValues(text: string): MetricValues {
  const values: MetricValues = new Map();
  let families: parsePrometheusTextFormat.PrometheusFamily[];
  try {
    // The parser drops a last line that has no newline after it.
    families = parsePrometheusTextFormat(text.endsWith('\n') ? text : `${text}\n`);
  } catch {
    return values;
  }
  for (const family of families) {
    const numbers = family.metrics.map((m) => Number(m.value ?? NaN)).filter(Number.isFinite);
    if (numbers.length > 0) values.set(family.name, numbers);
  }
  return values;
}

type Combine = (numbers: number[]) => number;
const sum: Combine = (numbers) => numbers.reduce((a, b) => a + b, 0);
const max: Combine = (numbers) => Math.max(...numbers);

/** The first of `names` present, its label sets combined; null when none is present. */
function pick(values: MetricValues, names: string[], combine: Combine): number | null {
  for (const name of names) {
    const numbers = values.get(name);
    if (numbers) return combine(numbers);
  }
  return null;
}

function laneMetricsFrom(values: MetricValues): LaneMetrics {
  return {
    // llama.cpp: throughput since the previous scrape; vLLM V0 had a gauge, V1 only a counter.
    gen_tokens_per_sec: pick(values, ['llamacpp:predicted_tokens_seconds', 'vllm:avg_generation_throughput_toks_per_s'], sum),
    requests_running: pick(values, ['llamacpp:requests_processing', 'vllm:num_requests_running'], sum),
    requests_waiting: pick(values, ['llamacpp:requests_deferred', 'vllm:num_requests_waiting'], sum),
    // All three are fractions 0..1 despite vLLM's "perc" names.
    kv_cache_usage: pick(values, ['llamacpp:kv_cache_usage_ratio', 'vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'], max),
  };
}

export function parseLaneMetrics(prometheusText: string): LaneMetrics {
  return laneMetricsFrom(metricValues(prometheusText));
}

async function fetchMetricsText(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(clampDelayMs(timeoutMs)) });
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

/** One scrape of a lane's /metrics; null when it does not answer (or not with 200). */
export async function fetchLaneMetrics(url: string, timeoutMs = 1000): Promise<LaneMetrics | null> {
  const text = await fetchMetricsText(url, timeoutMs);
  return text === null ? null : parseLaneMetrics(text);
}

/**
 * Scrapes a lane's /metrics once per poll() (never two scrapes in flight) and keeps the latest
 * result. Where the server has no tokens/s gauge (vLLM V1), the rate comes from the deltas of
 * `vllm:generation_tokens_total` between scrapes.
 */
export class LaneMetricsPoller {
  private inFlight = false;
  private current: LaneMetrics | null = null;
  private previousCounter: { tokens: number; at: number } | null = null;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 1000,
  ) {}

  latest(): LaneMetrics | null {
    return this.current;
  }

  /** Starts a scrape unless one is still running; resolves when this poll's scrape is done. */
  async poll(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      const text = await fetchMetricsText(this.url, this.timeoutMs);
      this.current = text === null ? null : this.withCounterRate(metricValues(text), Date.now());
    } finally {
      this.inFlight = false;
    }
  }

  private withCounterRate(values: MetricValues, now: number): LaneMetrics {
    const metrics = laneMetricsFrom(values);
    const tokens = pick(values, ['vllm:generation_tokens_total'], sum);
    if (tokens === null) return metrics;
    const previous = this.previousCounter;
    this.previousCounter = { tokens, at: now };
    // A counter that went down means the server restarted: no rate from that pair.
    if (metrics.gen_tokens_per_sec === null && previous && now > previous.at && tokens >= previous.tokens) {
      metrics.gen_tokens_per_sec = (tokens - previous.tokens) / ((now - previous.at) / 1000);
    }
    return metrics;
  }
}
