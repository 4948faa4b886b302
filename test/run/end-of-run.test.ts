// What `brainbench run` says when a lane cannot start (issue 12: each failure printed once), and
// --resume taking only a run id (it becomes a folder name under results/runs/).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../helpers/cli.js';

const REASON = "llama-server not found (looked for '/nonexistent/bb-llama-server')";
const count = (text: string, part: string) => text.split(part).length - 1;

/** A run of one lane whose binary is missing: it fails to start. */
async function brokenRun(extra: string[]) {
  const home = tempDir('bb-end-');
  const lanesFile = join(home, 'lanes.yaml');
  writeFileSync(lanesFile, 'version: 1\nlanes:\n  - id: broken\n    kind: llamacpp\n    model: /nonexistent/m.gguf\n    bin: /nonexistent/bb-llama-server\n    port: 18999\n');
  const run = await spawnCli(['run', '--lane', 'broken', '-n', '1', '--lanes-file', lanesFile, '--results', join(home, 'results'), ...extra], {
    env: { BRAINBENCH_STATE_DIR: join(home, 'state') },
  });
  return { exitCode: run.exitCode, stdout: String(run.stdout), stderr: String(run.stderr) };
}

describe('a lane that does not start', () => {
  it('is reported once (the line reporter says it; the end of the run only says how to resume)', async () => {
    const run = await brokenRun([]);
    expect(run.exitCode).toBe(1);
    expect(count(run.stdout + run.stderr, REASON)).toBe(1);
    expect(run.stdout).toContain(`lane broken: error — lane broken cannot start: ${REASON}`);
    expect(run.stderr).toMatch(/^Resume with: brainbench run --resume \d{8}-\d{6}-[0-9a-f]{4} --results \S+$/);
  });

  it('with --json, stdout holds the events and stderr says it once in words', async () => {
    const run = await brokenRun(['--json']);
    expect(run.exitCode).toBe(1);
    expect(count(run.stderr, REASON)).toBe(1);
    expect(run.stderr).toContain(`lane broken did not start: lane broken cannot start: ${REASON}`);
    for (const line of run.stdout.trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});

describe('--resume RUN_ID', () => {
  it.each(['../../../tmp/x', '/etc', '20261122-221500-ab12/../..', '20261122-221500-AB12', 'latest', ''])('refuses %j up front, naming the flag, and makes nothing', async (id) => {
    const results = join(tempDir('bb-resume-id-'), 'results');
    const run = await spawnCli(['run', '--resume', id, '--results', results]);
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toContain(`--resume wants a run id like 20261122-221500-ab12 (the folder names in results/runs/), got '${id}'`);
    expect(existsSync(results)).toBe(false);
  });

  it('takes a well-formed id and says when there is no such run', async () => {
    const results = join(tempDir('bb-resume-id-'), 'results');
    const run = await spawnCli(['run', '--resume', '20261122-221500-ab12', '--results', results]);
    expect(run.exitCode).toBe(1);
    expect(String(run.stderr)).toContain(`no run at ${join(results, 'runs', '20261122-221500-ab12')}`);
  });
});
