import { describe, expect, it } from 'vitest';
import { client, lane, prompts, tools } from './helpers.js';

/** Streams one request and records when its first and last tokens arrived (ms since `t0`). */
async function timedStream(url: string, t0: number) {
  const stream = await client(url).chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: prompts.honesty }],
    tools,
    stream: true,
  });
  let first = -1;
  for await (const chunk of stream) {
    if (first < 0 && chunk.choices[0]?.delta.content) first = Date.now() - t0;
  }
  return { first, last: Date.now() - t0 };
}

describe('slots', () => {
  it('decodes two requests at once with slots=2 and queues the third', async () => {
    const fake = await lane({ slots: 2, tokPerSec: 50 });
    const t0 = Date.now();
    const runs = await Promise.all([timedStream(fake.url, t0), timedStream(fake.url, t0), timedStream(fake.url, t0)]);
    const [a, b, c] = runs.sort((x, y) => x.first - y.first) as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
    // The first two overlap: the second starts long before the first ends.
    expect(b.first).toBeLessThan(a.last - 100);
    // The third starts only once a slot is free.
    expect(c.first).toBeGreaterThanOrEqual(Math.min(a.last, b.last) - 20);
    expect(fake.stats()).toMatchObject({ requests: 3, inFlight: 0, maxInFlight: 3 });
  });

  it('reports the queued request as deferred in /metrics', async () => {
    const fake = await lane({ slots: 1, tokPerSec: 50 });
    const openai = client(fake.url);
    const ask = () => openai.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: prompts.honesty }], tools });
    const pending = [ask(), ask()];
    await new Promise((resolve) => setTimeout(resolve, 150));
    const metrics = await (await fetch(`${fake.url}/metrics`)).text();
    expect(metrics).toMatch(/^llamacpp:requests_processing 1$/m);
    expect(metrics).toMatch(/^llamacpp:requests_deferred 1$/m);
    expect(fake.stats()).toMatchObject({ inFlight: 2, streaming: 0 });
    await Promise.all(pending);
  });

  it('keeps the per-slot rate for each of two concurrent requests', async () => {
    const fake = await lane({ slots: 2, tokPerSec: 40 });
    const openai = client(fake.url);
    const ask = () => openai.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: prompts.honesty }], tools });
    const results = await Promise.all([ask(), ask()]);
    for (const result of results) {
      const rate = (result as unknown as { timings: { predicted_per_second: number } }).timings.predicted_per_second;
      expect(rate).toBeGreaterThan(32);
      expect(rate).toBeLessThan(41);
    }
  });
});
