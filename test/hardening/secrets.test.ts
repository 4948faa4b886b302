// Issue 8, item 5: a key that lanes.yaml takes from the environment (an openai lane's api_key:
// ${MY_KEY}) never appears in results, journals, transcripts, lane logs or the CLI's output.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLane, type FakeLane } from '../../src/demo/server.js';
import { spawnCli } from '../helpers/cli.js';
import { tempDir as makeTempDir } from './harness.js';

const SECRET = 'sk-brainbench-SECRET-7f3a9c';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => join(dir, rel))
    .filter((path) => statSync(path).isFile());
}

const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  made.push(dir);
  return dir;
}

describe('secrets from lanes.yaml stay out of everything brainbench writes or prints', () => {
  let fake: FakeLane;
  beforeAll(async () => {
    fake = await startFakeLane({ brain: 'crasher', tokPerSec: 0, faults: ['http500'] });
  });
  afterAll(async () => {
    await fake.close();
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('a literal api_key on the line of a lanes.yaml error is masked in the excerpt the CLI prints', async () => {
    const dir = tempDir('bb-secret-yaml-');
    const lanesFile = join(dir, 'lanes.yaml');
    writeFileSync(lanesFile, `version: 1\nlanes:\n  - id: remote\n    kind: openai\n    base_url: ${fake.url}/v1\n    api_key: ${SECRET}: oops\n`);
    const lanes = await spawnCli(['lanes', '--lanes-file', lanesFile], { env: { BRAINBENCH_STATE_DIR: join(dir, 'state') } });
    expect(lanes.exitCode).not.toBe(0);
    expect(lanes.stderr).toMatch(/lanes\.yaml:6:\d+: /);
    expect(lanes.stderr).toContain('  6 |     api_key: ***');
    expect(`${String(lanes.stdout)}${String(lanes.stderr)}`).not.toContain(SECRET);
  });

  it('an openai lane with api_key: ${MY_KEY}, through a run with lane errors', async () => {
    const dir = tempDir('bb-secret-');
    const lanesFile = join(dir, 'lanes.yaml');
    writeFileSync(lanesFile, `version: 1\nlanes:\n  - id: remote\n    kind: openai\n    base_url: ${fake.url}/v1\n    api_key: "\${MY_KEY}"\n    model: demo\n`);
    const results = join(dir, 'results');
    const env = { MY_KEY: SECRET, BRAINBENCH_STATE_DIR: tempDir('bb-state-') };
    const run = await spawnCli(['run', '--lane', 'remote', '-n', '1', '--lanes-file', lanesFile, '--results', results, '--json'], { env });
    const status = await spawnCli(['status', '--results', results], { env });
    const output = [run.stdout, run.stderr, status.stdout, status.stderr].join('\n');
    expect(run.exitCode).toBe(0);
    // the lane really got the key, and the run really wrote results, journal and transcripts
    expect(output).toContain('"type":"run.end"');
    const files = filesUnder(results);
    expect(files.some((f) => f.endsWith('journal.jsonl'))).toBe(true);
    expect(files.filter((f) => f.includes('transcripts')).length).toBeGreaterThan(5);
    expect(fake.stats().authorizations).toEqual([`Bearer ${SECRET}`]); // every request, attempts and probe
    expect(output).not.toContain(SECRET);
    for (const file of files) expect({ file, leaked: readFileSync(file, 'utf8').includes(SECRET) }).toEqual({ file, leaked: false });
  });
});
