// Which serving engine, in which version, answers a ready lane (DESIGN §15, provenance): what each
// kind reports about itself. Every probe is bounded; an engine that says nothing is version null.
import { brainbenchVersion } from '../paths.js';
import type { EngineInfo } from '../types.js';
import { dockerQuiet } from './docker.js';
import type { LaneSpec } from './manifest.js';
import { httpGet } from './net.js';
import type { LaneRecord } from './state.js';
import { laneUrl } from './kinds/urls.js';

export type { EngineInfo };

const ASK_MS = 2000;

/** `field` of the JSON `path` answers, when it is a non-empty string. */
async function stringField(record: LaneRecord, path: string, field: string): Promise<string | null> {
  const answer = await httpGet(laneUrl(record, path), { timeoutMs: ASK_MS });
  const value = answer?.status === 200 ? (answer.body as Record<string, unknown> | null)?.[field] : undefined;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

async function imageId(spec: LaneSpec): Promise<string | null> {
  try {
    const inspected = await dockerQuiet(spec.id, ['image', 'inspect', '--format', '{{.Id}}', spec.image!]);
    return inspected.ok ? inspected.stdout.trim() || null : null;
  } catch {
    return null; // docker itself is missing: the lane could not have started
  }
}

export async function engineInfo(spec: LaneSpec, record: LaneRecord): Promise<EngineInfo> {
  switch (spec.kind) {
    case 'llamacpp':
      return { name: 'llama.cpp', version: await stringField(record, '/props', 'build_info') };
    case 'vllm':
      return { name: 'vllm', version: await stringField(record, '/version', 'version'), image: spec.image!, image_id: await imageId(spec) };
    case 'nim':
      return { name: 'nim', version: await stringField(record, '/v1/version', 'release'), image: spec.image!, image_id: await imageId(spec) };
    case 'openai':
      return { name: 'openai-compatible', version: null };
    case 'demo':
      return { name: 'brainbench demo', version: brainbenchVersion };
  }
}

/** One short label for tables: `llama.cpp b0-82bb485`, `vllm 0.10.1`, `nim (sha256:5b1f0c8e9d7a)`. */
export function engineLabel(engine: EngineInfo): string {
  const detail = engine.version ?? (engine.image_id ? `(${engine.image_id.slice(0, 19)})` : null);
  return detail ? `${engine.name} ${detail}` : engine.name;
}
