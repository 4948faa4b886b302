// Issue 22, DESIGN §15: a llamacpp lane's memory estimate is every shard of a split GGUF plus the KV
// cache at its context, read from the GGUF header, shown as arithmetic.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argValue, ggufShards, kvCacheOf, readGgufMetadata, shardSizes } from '../../src/lanes/gguf.js';
import type { LaneSpec } from '../../src/lanes/manifest.js';
import { admit, LLAMA_BUFFERS_GB, memoryNeed } from '../../src/lanes/memory.js';
import { preflight } from '../../src/lanes/kinds/index.js';
import { fakeServer, QWEN3_MOE_META, tempDir, writeGguf } from './helpers.js';

const spec = (model: string, extra: Partial<LaneSpec> = {}) => ({ id: 'big', kind: 'llamacpp', model, args: [], env: {}, ...extra }) as unknown as LaneSpec;

describe('split GGUFs', () => {
  it('names every shard from the first', () => {
    expect(ggufShards('/m/gpt-oss-120b-mxfp4-00001-of-00003.gguf')).toEqual([
      '/m/gpt-oss-120b-mxfp4-00001-of-00003.gguf',
      '/m/gpt-oss-120b-mxfp4-00002-of-00003.gguf',
      '/m/gpt-oss-120b-mxfp4-00003-of-00003.gguf',
    ]);
    expect(ggufShards('/m/Qwen3-30B-A3B-Q4_K_M.gguf')).toEqual(['/m/Qwen3-30B-A3B-Q4_K_M.gguf']);
  });

  it('sizes the model by all its shards, and says which are missing', async () => {
    const dir = tempDir();
    const first = writeGguf(join(dir, 'm-00001-of-00003.gguf'), QWEN3_MOE_META, 1_000_000);
    writeFileSync(join(dir, 'm-00002-of-00003.gguf'), Buffer.alloc(2_000_000));
    const partial = await shardSizes(first);
    expect(partial.files).toBe(3);
    expect(partial.missing).toEqual([join(dir, 'm-00003-of-00003.gguf')]);
    writeFileSync(join(dir, 'm-00003-of-00003.gguf'), Buffer.alloc(3_000_000));
    const whole = await shardSizes(first);
    expect(whole.missing).toEqual([]);
    expect(whole.gb).toBeGreaterThan(0.006); // all three, not the first alone (~0.001)
  });
});

describe('the KV cache from the header', () => {
  it('reads the header past a vocabulary and counts 2 × layers × KV heads × dim × ctx × bytes', async () => {
    const meta = await readGgufMetadata(writeGguf(join(tempDir(), 'q.gguf'), QWEN3_MOE_META));
    expect(meta?.get('qwen3moe.block_count')).toBe(48);
    expect(meta?.get('tokenizer.ggml.tokens')).toBeNull(); // walked over, not kept
    const kv = kvCacheOf(meta!, 64000)!;
    expect(kv.gb).toBeCloseTo((2 * 48 * 4 * 128 * 64000 * 2) / 1e9, 9); // 6.29 GB at f16
    expect(kv.text).toBe('2 × 48 layers × 4 KV heads × 128 dim × 64000 ctx × 2 B (f16)');
    expect(kvCacheOf(meta!, 64000, 'q8_0')!.gb).toBeCloseTo((2 * 48 * 4 * 128 * 64000 * (34 / 32)) / 1e9, 9);
  });

  it('sums per-layer KV head counts, and falls back to embedding / heads for the head size', async () => {
    const meta = await readGgufMetadata(
      writeGguf(join(tempDir(), 'v.gguf'), { 'general.architecture': 'llama', 'llama.block_count': 3, 'llama.embedding_length': 4096, 'llama.attention.head_count': 32, 'llama.attention.head_count_kv': [8, 0, 8] }),
    );
    expect(kvCacheOf(meta!, 1000)!.gb).toBeCloseTo((16 * 1000 * (128 * 2 + 128 * 2)) / 1e9, 12);
  });

  it('is null for a file that is no GGUF, or lacks the fields', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.gguf'), 'not a gguf');
    expect(await readGgufMetadata(join(dir, 'x.gguf'))).toBeNull();
    const meta = await readGgufMetadata(writeGguf(join(dir, 'y.gguf'), { 'general.architecture': 'llama' }));
    expect(kvCacheOf(meta!, 1000)).toBeNull();
  });

  it("reads -c, -ctk and -ctv from a lane's args, either spelling", () => {
    expect(argValue(['-ngl', '99', '-ctk', 'q8_0', '--cache-type-v=q4_0'], ['-ctk', '--cache-type-k'])).toBe('q8_0');
    expect(argValue(['--cache-type-v=q4_0'], ['-ctv', '--cache-type-v'])).toBe('q4_0');
    expect(argValue(['--jinja'], ['-c', '--ctx-size'])).toBeUndefined();
  });
});

describe('a llamacpp lane\'s need', () => {
  it('is all shards + the KV cache at ctx + buffers, as a line of arithmetic, and refuses what does not fit', async () => {
    const dir = tempDir();
    const first = writeGguf(join(dir, 'm-00001-of-00002.gguf'), QWEN3_MOE_META, 4_000_000);
    writeFileSync(join(dir, 'm-00002-of-00002.gguf'), Buffer.alloc(5_000_000));
    const weights = (await shardSizes(first)).gb;
    const need = (await memoryNeed(spec(first, { ctx: 64000, args: ['-ctk', 'q8_0', '-ctv', 'q8_0'] }), join(dir, 'results'), 128))!;
    const kv = (2 * 48 * 4 * 128 * 64000 * (34 / 32)) / 1e9;
    expect(need.gb).toBeCloseTo(weights + kv + LLAMA_BUFFERS_GB, 9);
    expect(need.basis).toBe(`model (2 of 2 shards) 0.0 GB + KV cache 3.3 GB (2 × 48 layers × 4 KV heads × 128 dim × 64000 ctx × 1.063 B (q8_0)) + ${LLAMA_BUFFERS_GB} GB buffers`);
    const memory = { used_gb: 124, total_gb: 128, cache_gb: 1 };
    const admission = admit(spec(first), need, memory, 0, []);
    expect(admission.ok).toBe(false);
    expect(admission.message).toContain('4.0 GB free (MemTotal 128.0 GB, 124.0 GB in use, page cache counted as free)');
  });

  it('without a readable header: the file size × 1.25 (the documented fallback)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain.gguf'), Buffer.alloc(4_000_000));
    const need = (await memoryNeed(spec(join(dir, 'plain.gguf')), join(dir, 'results'), 128))!;
    expect(need.gb).toBeCloseTo(0.004 * 1.25, 9);
    expect(need.basis).toBe('model file 0.0 GB × 1.25');
  });
});

describe('a vLLM lane against free memory excluding the page cache', () => {
  const vllm = (extra: Partial<LaneSpec> = {}) => ({ id: 'v', kind: 'vllm', image: 'i', model: 'm', gpu_memory_utilization: 0.75, args: [], env: {}, ...extra }) as unknown as LaneSpec;
  // 128 GB, 20 GB in use, 60 GB of page cache: MemAvailable would say 108 free, vLLM sees 48
  const memory = { used_gb: 20, total_gb: 128, cache_gb: 60, free_gb: 48 };

  it('refuses what MemAvailable would admit, with the numbers and the fix', async () => {
    const need = (await memoryNeed(vllm(), tempDir(), 128))!;
    const admission = admit(vllm(), need, memory, 0, []);
    expect(admission.ok).toBe(false);
    expect(admission.message).toBe(
      "lane v needs ~96.0 GB (gpu_memory_utilization 0.75 × 128.0 GB), 48.0 GB free excluding the page cache, as vLLM checks it (MemFree 48.0 GB, page cache 60.0 GB, MemTotal 128.0 GB) — drop the page cache (60.0 GB: sudo sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches', or drop_caches: true on the lane as root) or lower gpu_memory_utilization",
    );
    // what the resident lane gives back on its stop comes back as free memory
    expect(admit(vllm(), need, memory, 50, ['small']).ok).toBe(true);
  });

  it('a lane that drops the cache first is weighed with the cache counted as free', async () => {
    const need = (await memoryNeed(vllm({ drop_caches: true }), tempDir(), 128))!;
    expect(admit(vllm({ drop_caches: true }), need, memory, 0, []).ok).toBe(true);
  });
});

describe('preflight of a split GGUF', () => {
  it('refuses a lane whose split model lacks a shard, naming it', async () => {
    const dir = tempDir();
    const first = writeGguf(join(dir, 'm-00001-of-00002.gguf'), QWEN3_MOE_META);
    const lane = spec(first, { bin: fakeServer });
    expect(await preflight(lane)).toEqual([`model '${first}' is split and 1 shard(s) are missing: ${join(dir, 'm-00002-of-00002.gguf')}`]);
    writeFileSync(join(dir, 'm-00002-of-00002.gguf'), '');
    expect(await preflight(lane)).toEqual([]);
  });
});
