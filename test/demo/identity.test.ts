// The demo brain is part of a demo lane's identity in results (issue 12, "Messages").
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoLaneId, withDemoVariants } from '../../src/demo/identity.js';
import type { LaneSpec, Manifest } from '../../src/lanes/manifest.js';
import { spawnCli, tempDir } from '../helpers/cli.js';

const lane = (id: string, extra: Partial<LaneSpec> = {}): LaneSpec =>
  ({ id, kind: 'demo', host: '127.0.0.1', port: 0, ready_timeout_s: 30, stop_timeout_s: 15, args: [], env: {}, ...extra }) as LaneSpec;
const manifest: Manifest = { file: 'lanes.yaml', secrets: [], lanes: [lane('demo'), lane('demo-weak', { brain: 'weak' }), { ...lane('q4'), kind: 'llamacpp' }] };

describe('demoLaneId', () => {
  it("keeps the lane's id when it plays its own brain, else names the brain", () => {
    expect(demoLaneId(manifest, 'demo', undefined)).toBe('demo');
    expect(demoLaneId(manifest, 'demo', 'strong')).toBe('demo');
    expect(demoLaneId(manifest, 'demo', 'weak')).toBe('demo+weak');
    expect(demoLaneId(manifest, 'demo-weak', 'weak')).toBe('demo-weak');
    expect(demoLaneId(manifest, 'demo-weak', 'strong')).toBe('demo-weak+strong');
    expect(demoLaneId(manifest, 'demo+weak', 'looper')).toBe('demo+looper');
    expect(demoLaneId(manifest, 'q4', 'weak')).toBe('q4'); // --brain means nothing to a real lane
  });

  it('withDemoVariants adds the variant lanes asked for, playing their brain, and nothing else', () => {
    const m = withDemoVariants(manifest, ['demo+weak', 'q4+weak', 'demo+nonsense', 'demo']);
    expect(m.lanes.map((l) => l.id)).toEqual(['demo', 'demo-weak', 'q4', 'demo+weak']);
    expect(m.lanes.at(-1)).toMatchObject({ kind: 'demo', brain: 'weak' });
  });
});

describe('brainbench run --brain on a demo lane', () => {
  it('--brain strong on lane demo-weak records demo-weak+strong, never demo-weak', async () => {
    const dir = tempDir('bb-demo-id-');
    const lanesFile = join(dir, 'lanes.yaml');
    writeFileSync(lanesFile, 'version: 1\nlanes:\n  - id: demo-weak\n    kind: demo\n    brain: weak\n');
    const suite = join(dir, 'one.jsonl');
    writeFileSync(suite, `${JSON.stringify({ id: 'h1', prompt: 'What is my cat called?', check: { kind: 'honesty' } })}\n`);
    const results = join(dir, 'results');
    const run = await spawnCli(
      ['run', '--lane', 'demo-weak', '--brain', 'strong', '-n', '1', '--tok-per-sec', '100000', '--suite', suite, '--lanes-file', lanesFile, '--results', results],
      { env: { BRAINBENCH_STATE_DIR: join(dir, 'state') } },
    );
    expect(run.exitCode).toBe(0);
    expect(existsSync(join(results, 'demo-weak.json'))).toBe(false);
    expect(readFileSync(join(results, 'summary.md'), 'utf8')).toContain('demo-weak+strong');
    expect(run.stdout).toContain('lane demo-weak+strong (simulated)');
  });
});
