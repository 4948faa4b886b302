// Which model a lane served (DESIGN §14 provenance, issue 21): a model file swapped under the same
// lane id must show in `compare` and the scorecard. A GGUF is identified by every shard's size and
// mtime plus a sha256 over its first and last MiB (cheap on a 60 GB file: no full read); a vLLM lane
// by its model id (its image digest is the engine's); others have nothing of their own to name.
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ModelIdentity } from '../types.js';
import { ggufShards } from './gguf.js';
import type { LaneSpec } from './manifest.js';

const SAMPLE_BYTES = 1024 * 1024;

async function sample(path: string, size: number, hash: ReturnType<typeof createHash>): Promise<void> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
    for (const at of size > SAMPLE_BYTES ? [0, size - SAMPLE_BYTES] : [0]) {
      const { bytesRead } = await file.read(buf, 0, buf.length, at);
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
}

/** Size, newest mtime and the sampled hash of every shard; null when a file cannot be read. */
async function ggufIdentity(model: string): Promise<ModelIdentity | null> {
  const hash = createHash('sha256');
  let bytes = 0;
  let mtimeMs = 0;
  const shards = ggufShards(model);
  try {
    for (const shard of shards) {
      const st = await stat(shard);
      hash.update(`${basename(shard)}\0${st.size}\0`);
      await sample(shard, st.size, hash);
      bytes += st.size;
      mtimeMs = Math.max(mtimeMs, st.mtimeMs);
    }
  } catch {
    return null;
  }
  const id = `${basename(shards[0]!)} · ${shards.length > 1 ? `${shards.length} files, ` : ''}${bytes} B · sha256(first+last MiB) ${hash.digest('hex').slice(0, 16)}`;
  return { id, bytes, files: shards.length, mtime: new Date(mtimeMs).toISOString() };
}

export async function modelIdentity(spec: LaneSpec): Promise<ModelIdentity | null> {
  if (spec.kind === 'llamacpp' && spec.model) return ggufIdentity(spec.model);
  if (spec.kind === 'vllm' && spec.model) return { id: `hf:${spec.model}` };
  return null;
}
