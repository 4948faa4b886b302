// What a llamacpp lane's model takes in memory (DESIGN §15, admission): every shard of a split GGUF
// (`…-00001-of-00003.gguf`), and the KV cache at the lane's context from the GGUF header (layers,
// KV heads, head size) and the lane's KV cache type (-ctk/-ctv).
import { open, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** llama.cpp's split naming (gguf-split): <prefix>-00001-of-00003.gguf. */
const SPLIT = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

/** Every file of the model: the shards of a split GGUF, else the file itself. */
export function ggufShards(model: string): string[] {
  const match = SPLIT.exec(basename(model));
  if (!match) return [model];
  const count = Number(match[3]);
  const name = (i: number) => join(dirname(model), `${match[1]}-${String(i).padStart(5, '0')}-of-${match[3]}.gguf`);
  return Array.from({ length: count }, (_, i) => name(i + 1));
}

export interface ShardSizes {
  /** Sum of the shards found, decimal GB. */
  gb: number;
  files: number;
  /** Shards the name promises that are not there. */
  missing: string[];
}

export async function shardSizes(model: string): Promise<ShardSizes> {
  let bytes = 0;
  const missing: string[] = [];
  const shards = ggufShards(model);
  for (const shard of shards) {
    const size = await stat(shard).then((s) => s.size, () => null);
    if (size === null) missing.push(shard);
    else bytes += size;
  }
  return { gb: bytes / 1e9, files: shards.length, missing };
}

// ---- the header -------------------------------------------------------------------------------

/** A header's tokenizer arrays run to a few MB; a file that goes on past this is not read further. */
const HEADER_LIMIT = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;
/** GGUF value types (gguf.h), with the byte size of the fixed-size ones. */
const FIXED: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;

/** Reads a file front to back through a growing window (the header is read once, in order). */
class Cursor {
  private buf = Buffer.alloc(0);
  private pos = 0;
  private consumed = 0;
  constructor(private readonly fh: Awaited<ReturnType<typeof open>>) {}

  private async need(n: number): Promise<void> {
    while (this.buf.length - this.pos < n) {
      if (this.consumed + this.buf.length >= HEADER_LIMIT) throw new Error('GGUF header too large');
      const chunk = Buffer.alloc(Math.max(CHUNK, n));
      const { bytesRead } = await this.fh.read(chunk, 0, chunk.length, this.consumed + this.buf.length);
      if (bytesRead === 0) throw new Error('GGUF header truncated');
      this.consumed += this.pos;
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk.subarray(0, bytesRead)]);
      this.pos = 0;
    }
  }

  async u32(): Promise<number> {
    await this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  async u64(): Promise<number> {
    await this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('GGUF length out of range');
    return Number(v);
  }

  async bytes(n: number): Promise<Buffer> {
    await this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  async string(): Promise<string> {
    return (await this.bytes(await this.u64())).toString('utf8');
  }

  /** A scalar of a fixed-size type, as a number (integers and floats alike). */
  async scalar(type: number): Promise<number> {
    const b = await this.bytes(FIXED[type]!);
    switch (type) {
      case 0: case 7: return b.readUInt8(0);
      case 1: return b.readInt8(0);
      case 2: return b.readUInt16LE(0);
      case 3: return b.readInt16LE(0);
      case 4: return b.readUInt32LE(0);
      case 5: return b.readInt32LE(0);
      case 6: return b.readFloatLE(0);
      case 10: return Number(b.readBigUInt64LE(0));
      case 11: return Number(b.readBigInt64LE(0));
      default: return b.readDoubleLE(0);
    }
  }
}

type Value = number | string | number[] | null;

async function readValue(c: Cursor, type: number): Promise<Value> {
  if (type === STRING) return c.string();
  if (type in FIXED) return c.scalar(type);
  if (type !== ARRAY) throw new Error(`GGUF value type ${type} unknown`);
  const itemType = await c.u32();
  const count = await c.u64();
  if (itemType in FIXED && count <= 4096) {
    const items: number[] = [];
    for (let i = 0; i < count; i++) items.push(await c.scalar(itemType));
    return items;
  }
  // a tokenizer's vocabulary or merges: walked over, not kept
  for (let i = 0; i < count; i++) await readValue(c, itemType);
  return null;
}

/** The header's metadata (numbers, strings, small numeric arrays); null when the file is no GGUF v2/v3. */
export async function readGgufMetadata(path: string): Promise<Map<string, Value> | null> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, 'r');
    const c = new Cursor(fh);
    if ((await c.bytes(4)).toString('latin1') !== 'GGUF') return null;
    const version = await c.u32();
    if (version < 2) return null;
    await c.u64(); // tensor count
    const count = await c.u64();
    const meta = new Map<string, Value>();
    for (let i = 0; i < count; i++) {
      const key = await c.string();
      meta.set(key, await readValue(c, await c.u32()));
    }
    return meta;
  } catch {
    return null;
  } finally {
    await fh?.close();
  }
}

// ---- the KV cache -----------------------------------------------------------------------------

/** Bytes per element of llama.cpp's KV cache types (ggml block sizes: q8_0 is 34 bytes per 32). */
const KV_TYPE_BYTES: Record<string, number> = {
  f32: 4, f16: 2, bf16: 2, q8_0: 34 / 32, q5_1: 24 / 32, q5_0: 22 / 32, q4_1: 20 / 32, q4_0: 18 / 32, iq4_nl: 18 / 32,
};
/** llama-server's -c when a lane sets none (its documented default). */
export const LLAMA_DEFAULT_CTX = 4096;

/** The value of `flags` in a lane's args (`-ctk q8_0` or `--cache-type-k=q8_0`); the last one wins. */
export function argValue(args: string[], flags: string[]): string | undefined {
  let value: string | undefined;
  args.forEach((arg, i) => {
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    if (flags.includes(flag)) value = inline ?? args[i + 1];
  });
  return value;
}

export interface KvCache {
  gb: number;
  /** The arithmetic, e.g. "2 × 48 layers × 4 KV heads × 128 dim × 64000 ctx × 2 B (f16)". */
  text: string;
}

const num = (meta: Map<string, Value>, key: string): number | null => {
  const v = meta.get(key);
  return typeof v === 'number' ? v : null;
};

/** Sum over layers of the KV heads (head_count_kv is a number, or one per layer). */
function kvHeadsTotal(meta: Map<string, Value>, arch: string, layers: number): { total: number; text: string } | null {
  const raw = meta.get(`${arch}.attention.head_count_kv`) ?? meta.get(`${arch}.attention.head_count`);
  if (typeof raw === 'number') return { total: raw * layers, text: `${layers} layers × ${raw} KV heads` };
  if (Array.isArray(raw) && raw.length > 0) {
    const total = raw.reduce((a, b) => a + b, 0);
    return { total, text: `${total} KV heads over ${raw.length} layers` };
  }
  return null;
}

/**
 * The KV cache at `ctx` tokens: K and V for every layer's KV heads, at the cache type's width.
 * An upper bound: sliding-window and recurrent layers take less. Null when the header lacks a field.
 */
export function kvCacheOf(meta: Map<string, Value>, ctx: number, typeK = 'f16', typeV = typeK): KvCache | null {
  const arch = meta.get('general.architecture');
  if (typeof arch !== 'string') return null;
  const layers = num(meta, `${arch}.block_count`);
  const heads = num(meta, `${arch}.attention.head_count`);
  const embedding = num(meta, `${arch}.embedding_length`);
  if (!layers) return null;
  const kv = kvHeadsTotal(meta, arch, layers);
  const fallback = heads && embedding ? embedding / heads : null;
  const keyDim = num(meta, `${arch}.attention.key_length`) ?? fallback;
  const valueDim = num(meta, `${arch}.attention.value_length`) ?? fallback;
  const [bk, bv] = [KV_TYPE_BYTES[typeK.toLowerCase()], KV_TYPE_BYTES[typeV.toLowerCase()]];
  if (!kv || !keyDim || !valueDim || bk === undefined || bv === undefined) return null;
  const bytes = kv.total * ctx * (keyDim * bk + valueDim * bv);
  const dims = keyDim === valueDim && bk === bv ? `2 × ${kv.text} × ${keyDim} dim × ${ctx} ctx × ${+bk.toFixed(3)} B (${typeK})` : `${kv.text} × ${ctx} ctx × (${keyDim} × ${+bk.toFixed(3)} B ${typeK} + ${valueDim} × ${+bv.toFixed(3)} B ${typeV})`;
  return { gb: bytes / 1e9, text: dims };
}
