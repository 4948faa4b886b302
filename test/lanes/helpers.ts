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
