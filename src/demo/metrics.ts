// The counters behind GET /metrics, rendered as the Prometheus text llama-server writes
// (llamacpp:* names, HELP and TYPE lines, same order).

interface MetricLine {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  value: number;
}

export interface FinishedCompletion {
  promptTokens: number;
  cacheTokens: number;
  promptMs: number;
  predictedTokens: number;
  predictedMs: number;
}

export class LaneCounters {
  promptTokens = 0;
  cachedTokens = 0;
  promptSeconds = 0;
  predictedTokens = 0;
  predictedSeconds = 0;
  decodeCalls = 0;
  busySlotsPerDecodeSum = 0;
  maxSequence = 0;
  // Throughput gauges cover the time since the previous /metrics read, as in llama-server.
  private bucket = { promptTokens: 0, promptMs: 0, predictedTokens: 0, predictedMs: 0 };

  /** One llama_decode() call while `busySlots` slots were decoding. */
  decoded(busySlots: number): void {
    this.decodeCalls++;
    this.busySlotsPerDecodeSum += busySlots;
  }

  finished(completion: FinishedCompletion): void {
    this.promptTokens += completion.promptTokens;
    this.cachedTokens += completion.cacheTokens;
    this.promptSeconds += completion.promptMs / 1000;
    this.predictedTokens += completion.predictedTokens;
    this.predictedSeconds += completion.predictedMs / 1000;
    this.maxSequence = Math.max(this.maxSequence, completion.promptTokens + completion.cacheTokens + completion.predictedTokens);
    this.bucket.promptTokens += completion.promptTokens;
    this.bucket.promptMs += completion.promptMs;
    this.bucket.predictedTokens += completion.predictedTokens;
    this.bucket.predictedMs += completion.predictedMs;
  }

  render(processing: number, deferred: number): string {
    const rate = (tokens: number, ms: number) => (ms > 0 ? (1000 * tokens) / ms : 0);
    const lines: MetricLine[] = [
      counter('prompt_tokens_total', 'Number of prompt tokens processed, excluding cached tokens', this.promptTokens),
      counter('prompt_tokens_cached_total', 'Number of prompt tokens reused from the cache', this.cachedTokens),
      counter('prompt_seconds_total', 'Total time spent processing prompts', this.promptSeconds),
      counter('tokens_predicted_total', 'Number of generation tokens processed', this.predictedTokens),
      counter('tokens_predicted_seconds_total', 'Total time spent generating tokens', this.predictedSeconds),
      counter('n_decode_total', 'Total number of llama_decode() calls, excluding speculative decoding and multimodal decoding', this.decodeCalls),
      counter('n_tokens_max', 'Largest observed sequence length (prompt + generation)', this.maxSequence),
      counter('spec_decode_num_draft_tokens_total', 'Speculative: Total draft tokens generated', 0),
      counter('spec_decode_num_accepted_tokens_total', 'Speculative: Total draft tokens accepted by the target model', 0),
      counter('spec_decode_num_drafts_total', 'Speculative: Total speculative decoding verification steps', 0),
      gauge('prompt_tokens_seconds', 'Average prompt throughput in tokens/s', rate(this.bucket.promptTokens, this.bucket.promptMs)),
      gauge('predicted_tokens_seconds', 'Average generation throughput in tokens/s', rate(this.bucket.predictedTokens, this.bucket.predictedMs)),
      gauge('requests_processing', 'Number of requests processing', processing),
      gauge('requests_deferred', 'Number of requests deferred', deferred),
      gauge(
        'n_busy_slots_per_decode',
        'Average number of busy slots per llama_decode() call',
        this.decodeCalls > 0 ? this.busySlotsPerDecodeSum / this.decodeCalls : 0,
      ),
    ];
    this.bucket = { promptTokens: 0, promptMs: 0, predictedTokens: 0, predictedMs: 0 };
    return lines
      .map((line) => `# HELP llamacpp:${line.name} ${line.help}\n# TYPE llamacpp:${line.name} ${line.type}\nllamacpp:${line.name} ${formatValue(line.value)}\n`)
      .join('');
  }
}

function counter(name: string, help: string, value: number): MetricLine {
  return { name, help, type: 'counter', value };
}

function gauge(name: string, help: string, value: number): MetricLine {
  return { name, help, type: 'gauge', value };
}

/** Integers as integers, other values with up to six significant digits (like 3.59418). */
function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
