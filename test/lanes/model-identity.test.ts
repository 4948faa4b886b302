// Which model a lane served (issue 21, provenance): a GGUF swapped under the same lane id changes the
// identity; a split model counts every shard; a vLLM lane is named by its model id.
import { appendFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LaneSpec } from '../../src/lanes/manifest.js';
import { modelIdentity } from '../../src/lanes/modelIdentity.js';
import { fakeModel, tempDir } from './helpers.js';

const spec = (over: Partial<LaneSpec>) => ({ id: 'x', kind: 'llamacpp', host: '127.0.0.1', port: 1, ...over }) as LaneSpec;

describe('model identity', () => {
  it('names a GGUF by file, size and a sampled hash that changes when the file does', async () => {
    const dir = tempDir('bb-model-id-');
    const model = join(dir, 'm.gguf');
    copyFileSync(fakeModel, model);
    const first = await modelIdentity(spec({ model }));
    expect(first?.id).toMatch(/^m\.gguf · \d+ B · sha256\(first\+last MiB\) [0-9a-f]{16}$/);
    expect(await modelIdentity(spec({ model }))).toEqual(first); // the same file, the same identity
    appendFileSync(model, 'x');
    const changed = await modelIdentity(spec({ model }));
    expect(changed?.id).not.toBe(first?.id);
    expect(changed?.bytes).toBe(first!.bytes! + 1);
  });

  it('counts every shard of a split GGUF, and says nothing for a missing one', async () => {
    const dir = tempDir('bb-model-id-');
    for (const i of [1, 2]) writeFileSync(join(dir, `big-0000${i}-of-00002.gguf`), `shard ${i}`);
    const identity = await modelIdentity(spec({ model: join(dir, 'big-00001-of-00002.gguf') }));
    expect(identity).toMatchObject({ files: 2, bytes: 14 });
    expect(identity?.id).toContain('2 files');
    expect(await modelIdentity(spec({ model: join(dir, 'gone-00001-of-00002.gguf') }))).toBeNull();
  });

  it('names a vLLM lane by its model id, and has nothing to say for a demo lane', async () => {
    expect(await modelIdentity(spec({ kind: 'vllm', model: 'Qwen/Qwen3-30B-A3B-FP8' }))).toEqual({ id: 'hf:Qwen/Qwen3-30B-A3B-FP8' });
    expect(await modelIdentity(spec({ kind: 'demo' }))).toBeNull();
  });
});
