import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { client, lane, prompts, tools } from './helpers.js';

async function get(url: string) {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('fake lane endpoints', () => {
  it('answers /health 503 "Loading model" until loaded, then 200 {"status":"ok"}', async () => {
    const fake = await lane({ loadDelayMs: 300 });
    const loading = await get(`${fake.url}/health`);
    expect(loading.status).toBe(503);
    expect(loading.text).toBe('{"error":{"message":"Loading model","type":"unavailable_error","code":503}}');
    expect(loading.headers.get('server')).toBe('llama.cpp');
    expect(loading.headers.get('content-type')).toBe('application/json; charset=utf-8');
    // Every endpoint refuses while loading, as on a real llama-server.
    expect((await get(`${fake.url}/v1/models`)).status).toBe(503);
    await sleep(350);
    const ready = await get(`${fake.url}/health`);
    expect(ready.status).toBe(200);
    expect(ready.text).toBe('{"status":"ok"}');
  });

  it('lists the alias as the model id in the llama-server /v1/models shape', async () => {
    const fake = await lane({ alias: 'qwen-demo', ctx: 8192 });
    const body = JSON.parse((await get(`${fake.url}/v1/models`)).text);
    expect(body.object).toBe('list');
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ id: 'qwen-demo', aliases: ['qwen-demo'], object: 'model', owned_by: 'llamacpp' });
    expect(body.data[0].meta).toMatchObject({ n_ctx: 8192, n_ctx_train: expect.any(Number), n_params: expect.any(Number), size: expect.any(Number) });
    expect(body.models[0]).toMatchObject({ name: 'qwen-demo', model: 'qwen-demo', type: 'model' });
  });

  it('reports slots and context in /props and /slots', async () => {
    const fake = await lane({ slots: 3, ctx: 2048, alias: 'a', modelPath: '/models/a.gguf' });
    const props = JSON.parse((await get(`${fake.url}/props`)).text);
    expect(props.total_slots).toBe(3);
    expect(props.default_generation_settings.n_ctx).toBe(2048);
    expect(props).toMatchObject({ model_alias: 'a', model_path: '/models/a.gguf', build_info: 'b1-de3ff81' });
    expect(props.chat_template_caps.supports_tool_calls).toBe(true);
    const slots = JSON.parse((await get(`${fake.url}/slots`)).text);
    expect(slots).toEqual([0, 1, 2].map((id) => ({ id, n_ctx: 2048, speculative: false, is_processing: false })));
  });

  it('shows a busy slot in /slots while a request decodes', async () => {
    const fake = await lane({ tokPerSec: 50 });
    const pending = client(fake.url).chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: prompts.honesty }], tools });
    await sleep(150);
    const [slot] = JSON.parse((await get(`${fake.url}/slots`)).text);
    expect(slot).toMatchObject({ id: 0, is_processing: true, id_task: 0, next_token: [expect.objectContaining({ has_next_token: true })] });
    expect(slot.n_prompt_tokens).toBeGreaterThan(0);
    await pending;
  });

  it('serves Prometheus text whose counters count requests and tokens', async () => {
    const fake = await lane();
    const metric = (text: string, name: string) => Number(new RegExp(`^llamacpp:${name} (\\S+)$`, 'm').exec(text)?.[1]);
    const before = await get(`${fake.url}/metrics`);
    expect(before.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    expect(before.text).toContain('# HELP llamacpp:tokens_predicted_total Number of generation tokens processed\n# TYPE llamacpp:tokens_predicted_total counter\n');
    expect(metric(before.text, 'tokens_predicted_total')).toBe(0);

    const openai = client(fake.url);
    const first = await openai.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: prompts.honesty }], tools });
    const second = await openai.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: prompts.honesty }], tools });
    const after = (await get(`${fake.url}/metrics`)).text;
    expect(metric(after, 'tokens_predicted_total')).toBe(first.usage!.completion_tokens + second.usage!.completion_tokens);
    // The identical second prompt comes almost entirely from the slot's cache.
    expect(second.usage!.prompt_tokens_details!.cached_tokens).toBe(second.usage!.prompt_tokens - 1);
    expect(metric(after, 'prompt_tokens_cached_total')).toBe(second.usage!.prompt_tokens - 1);
    expect(metric(after, 'prompt_tokens_total')).toBe(first.usage!.prompt_tokens + 1);
    expect(metric(after, 'requests_processing')).toBe(0);
    expect(metric(after, 'n_decode_total')).toBeGreaterThan(0);
  });

  it('answers /metrics 501 when started without metrics, and unknown paths 404', async () => {
    const fake = await lane({ metrics: false });
    const metrics = await get(`${fake.url}/metrics`);
    expect(metrics.status).toBe(501);
    expect(JSON.parse(metrics.text).error.type).toBe('not_supported_error');
    const missing = await get(`${fake.url}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('{"error":{"code":404,"message":"File Not Found","type":"not_found_error"}}');
  });

  it('refuses a body that is not a chat request with 400', async () => {
    const fake = await lane();
    const res = await fetch(`${fake.url}/v1/chat/completions`, { method: 'POST', body: '{"messages": []}' });
    expect(res.status).toBe(400);
    expect(JSON.parse(await res.text()).error.type).toBe('invalid_request_error');
    expect(fake.stats().requests).toBe(0);
  });
});
