import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchLaneMetrics, LaneMetricsPoller, parseLaneMetrics } from '../../src/telemetry/lane-metrics.js';

// Copies of the real llama-server captures in shared/reference/llama-server.
const REFERENCE = new URL('./fixtures/llama-server', import.meta.url).pathname;
/** The reference captures start with the HTTP status and headers; the body follows the blank line. */
function capturedBody(file: string): string {
  const text = readFileSync(file, 'utf8');
  return text.slice(text.indexOf('\n\n') + 2);
}
const VLLM_TEXT = readFileSync(new URL('./fixtures/vllm_v1_metrics.txt', import.meta.url), 'utf8');

describe('parseLaneMetrics', () => {
  it('reads a busy llama-server', () => {
    expect(parseLaneMetrics(capturedBody(`${REFERENCE}/metrics_busy.txt`))).toEqual({
      gen_tokens_per_sec: 18.5808,
      requests_running: 2,
      requests_waiting: 0,
      kv_cache_usage: null,
    });
  });

  it('reads an idle llama-server', () => {
    expect(parseLaneMetrics(capturedBody(`${REFERENCE}/metrics_idle.txt`))).toEqual({
      gen_tokens_per_sec: 0,
      requests_running: 0,
      requests_waiting: 0,
      kv_cache_usage: null,
    });
  });

  it('survives the captured headers in front of the text', () => {
    expect(parseLaneMetrics(readFileSync(`${REFERENCE}/metrics_busy.txt`, 'utf8')).requests_running).toBe(2);
  });

  it('reads vLLM V1 gauges; its tokens/s needs two scrapes', () => {
    expect(parseLaneMetrics(VLLM_TEXT)).toEqual({
      gen_tokens_per_sec: null,
      requests_running: 3,
      requests_waiting: 1,
      kv_cache_usage: 0.1875,
    });
  });

  it('adds up running requests over engines and keeps the fullest KV cache', () => {
    const text = [
      'vllm:num_requests_running{engine="0"} 2.0',
      'vllm:num_requests_running{engine="1"} 5.0',
      'vllm:gpu_cache_usage_perc{engine="0"} 0.2',
      'vllm:gpu_cache_usage_perc{engine="1"} 0.7',
    ].join('\n');
    expect(parseLaneMetrics(text)).toMatchObject({ requests_running: 7, kv_cache_usage: 0.7, requests_waiting: null });
  });

  it('reads a last line that has no newline after it', () => {
    expect(parseLaneMetrics('llamacpp:requests_deferred 4').requests_waiting).toBe(4);
  });

  it('gives all-null for garbage, never throws', () => {
    const empty = { gen_tokens_per_sec: null, requests_running: null, requests_waiting: null, kv_cache_usage: null };
    for (const junk of ['', 'garbage here\n{{{', '<html>502 Bad Gateway</html>', 'llamacpp:requests_processing NaN', '\u0000\u0001']) {
      expect(parseLaneMetrics(junk)).toEqual(empty);
    }
  });
});

describe('scraping /metrics', () => {
  let server: Server | null = null;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(handler: (n: number) => { status: number; body: string }): Promise<string> {
    let n = 0;
    server = createServer((_req, res) => {
      const { status, body } = handler(n++);
      res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  }

  it('fetches and parses; null when the lane does not answer', async () => {
    const url = await serve(() => ({ status: 200, body: capturedBody(`${REFERENCE}/metrics_busy.txt`) }));
    expect((await fetchLaneMetrics(url))?.gen_tokens_per_sec).toBe(18.5808);
    expect(await fetchLaneMetrics('http://127.0.0.1:9/metrics', 500)).toBeNull();
  });

  it('is null on a non-200 answer', async () => {
    const url = await serve(() => ({ status: 503, body: 'Loading model' }));
    expect(await fetchLaneMetrics(url)).toBeNull();
  });

  it('derives vLLM tokens/s from the counter between scrapes', async () => {
    // Each scrape sees 100 more generated tokens.
    const url = await serve((n) => ({ status: 200, body: VLLM_TEXT.replace('} 2048.0', `} ${2048 + 100 * n}.0`) }));
    const poller = new LaneMetricsPoller(url);
    await poller.poll();
    expect(poller.latest()?.gen_tokens_per_sec).toBeNull();
    const before = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    await poller.poll();
    const elapsedS = (Date.now() - before) / 1000;
    const rate = poller.latest()!.gen_tokens_per_sec!;
    expect(rate).toBeGreaterThanOrEqual(100 / (elapsedS + 0.05));
    expect(rate).toBeLessThanOrEqual(100 / 0.19);
    expect(poller.latest()?.requests_running).toBe(3);
  });
});
