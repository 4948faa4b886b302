// Issue 24: a mistyped --brain, or --brain on a run with no demo lane, is a usage error (exit 2)
// said up front, with the brains there are, and leaves no run folder behind.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { checkBrainLanes } from '../../src/run/session.js';
import { tempDir } from '../helpers/tmp.js';

const LANES_YAML = 'version: 1\nlanes:\n  - id: remote\n    kind: openai\n    base_url: http://127.0.0.1:9/v1\n    model: m\n  - id: demo\n    kind: demo\n';

function lanesFile(): string {
  const file = join(tempDir('bb-brainflag-lanes-'), 'lanes.yaml');
  writeFileSync(file, LANES_YAML);
  return file;
}

/** Runs the CLI in this process; what it printed to stderr, its exit code and the run folders it left. */
async function run(args: string[]): Promise<{ code: number; said: string; runs: string[] }> {
  const results = tempDir('bb-brainflag-results-');
  const said: string[] = [];
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void said.push(a.join(' ')));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (said.push(String(chunk)), true));
  const code = await main(['run', ...args, '--lanes-file', lanesFile(), '--results', results]);
  err.mockRestore();
  write.mockRestore();
  const runsDir = join(results, 'runs');
  return { code, said: said.join('\n'), runs: existsSync(runsDir) ? readdirSync(runsDir) : [] };
}

beforeAll(() => {
  process.env.BRAINBENCH_STATE_DIR = tempDir('bb-state-');
});
afterEach(() => vi.restoreAllMocks());

describe('--brain', () => {
  it('a brain that does not exist is refused with exit 2, the brains named, no run folder made', async () => {
    const { code, said, runs } = await run(['--lane', 'demo', '--brain', 'smart', '--detach']);
    expect(code).toBe(2);
    expect(said).toContain("--brain: no brain 'smart'; the brains: strong, weak, confabulator, looper, broken-json, reasoning-only, crasher");
    expect(said).not.toContain('--resume');
    expect(runs).toEqual([]);
  });

  it('a near miss says what was meant', async () => {
    const { code, said, runs } = await run(['--lane', 'demo', '--brain', 'stong']);
    expect(code).toBe(2);
    expect(said).toContain("no brain 'stong' (did you mean 'strong'?)");
    expect(runs).toEqual([]);
  });

  it('on a run with no demo lane it is refused with exit 2, naming the lane and the demo lane there is', async () => {
    const { code, said, runs } = await run(['--lane', 'remote', '--brain', 'weak']);
    expect(code).toBe(2);
    expect(said).toContain("--brain is for the demo lane; lane 'remote' runs its own model (a demo lane here: demo)");
    expect(runs).toEqual([]);
  });

  it('on a queue with a demo lane it plays there and says which lanes it leaves alone', async () => {
    const manifest = await loadManifest(lanesFile(), process.env, { missingEnv: 'defer' });
    expect(checkBrainLanes(manifest, ['remote', 'demo'], 'weak')).toBe('--brain weak plays on the demo lane only; remote runs its own model');
    expect(checkBrainLanes(manifest, ['demo'], 'weak')).toBeNull();
    expect(checkBrainLanes(manifest, ['remote'], undefined)).toBeNull();
  });
});
