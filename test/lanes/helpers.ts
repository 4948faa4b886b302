import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

export { freePort } from '../helpers/ports.js';
export { tempDir };

export const fakeServer = join(repoRoot, 'test/bin/fake-llama-server');
/** A stand-in GGUF file: the fake server plays the brain its name says (`-m …/strong.gguf`). */
export const fakeModel = join(repoRoot, 'test/bin/models/strong.gguf');
export const shimDir = join(repoRoot, 'test/shims');

/** Writes `text` as lanes.yaml in `dir` (a fresh temp dir by default) and returns its path. */
export function writeManifest(text: string, dir = tempDir('bb-lanes-')): string {
  const file = join(dir, 'lanes.yaml');
  writeFileSync(file, text);
  return file;
}

/** The real llama-server and tiny model of ../shared/llama-server (DESIGN §11); `missing`: what is not there. */
const LLAMA = join(repoRoot, '../shared/llama-server');
export const realLlama = { bin: join(LLAMA, 'bin/llama-server'), model: join(LLAMA, 'model/tiny-qwen2-random.gguf') };
export const realLlamaMissing = [realLlama.bin, realLlama.model].find((p) => !existsSync(p)) ?? null;

/** lanes.yaml with the real server as llamacpp lane `id` on `port` (-t 1: two threads collapse decode on a busy 2-core box). */
export function writeRealLlamaManifest(id: string, port: number): string {
  return writeManifest(
    `version: 1\nlanes:\n  - id: ${id}\n    kind: llamacpp\n    bin: ${realLlama.bin}\n    model: ${realLlama.model}\n    port: ${port}\n    ctx: 16384\n` +
      `    ready_timeout_s: 120\n    stop_timeout_s: 15\n    args: [-t, "1", -np, "2", --jinja]\n`,
  );
}

/** Processes whose command line is the real llama-server on `port` (there must be none once stopped). */
export function realLlamaServersOn(port: number): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      return argv[0] === realLlama.bin && argv.includes(String(port)) ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

/** A GGUF v3 header value: a number is u32 (or f32 when `float`), a string, or an array of u32/strings. */
export type GgufValue = number | string | number[] | string[] | { float: number } | { u64: number };

function ggufString(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(body.length));
  return Buffer.concat([len, body]);
}

function ggufValue(value: GgufValue): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  if (typeof value === 'string') return Buffer.concat([u32(8), ggufString(value)]);
  if (typeof value === 'number') return Buffer.concat([u32(4), u32(value)]);
  if ('float' in value) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value.float);
    return Buffer.concat([u32(6), b]);
  }
  if ('u64' in value) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value.u64));
    return Buffer.concat([u32(10), b]);
  }
  const count = Buffer.alloc(8);
  count.writeBigUInt64LE(BigInt(value.length));
  const strings = value.some((v) => typeof v === 'string');
  const items = value.map((v) => (typeof v === 'string' ? ggufString(v) : u32(v)));
  return Buffer.concat([u32(9), u32(strings ? 8 : 4), count, ...items]);
}

/** Writes a GGUF v3 file with `meta` as its header and `padBytes` of zeros standing in for the tensors. */
export function writeGguf(path: string, meta: Record<string, GgufValue>, padBytes = 0): string {
  const head = Buffer.alloc(24);
  head.write('GGUF', 0, 'latin1');
  head.writeUInt32LE(3, 4);
  head.writeBigUInt64LE(0n, 8);
  head.writeBigUInt64LE(BigInt(Object.keys(meta).length), 16);
  const kvs = Object.entries(meta).flatMap(([key, value]) => [ggufString(key), ggufValue(value)]);
  writeFileSync(path, Buffer.concat([head, ...kvs, Buffer.alloc(padBytes)]));
  return path;
}

/** A Qwen3-30B-A3B-shaped header: 48 layers, 32 heads, 4 KV heads of 128, and a vocabulary to walk past. */
export const QWEN3_MOE_META: Record<string, GgufValue> = {
  'general.architecture': 'qwen3moe',
  'general.name': 'Qwen3-30B-A3B',
  'tokenizer.ggml.tokens': Array.from({ length: 3000 }, (_, i) => `tok${i}`),
  'qwen3moe.block_count': 48,
  'qwen3moe.context_length': 40960,
  'qwen3moe.embedding_length': 2048,
  'qwen3moe.attention.head_count': 32,
  'qwen3moe.attention.head_count_kv': 4,
  'qwen3moe.attention.key_length': 128,
  'qwen3moe.attention.value_length': 128,
  'qwen3moe.rope.freq_base': { float: 1e6 },
  'split.tensors.count': { u64: 579 },
};
