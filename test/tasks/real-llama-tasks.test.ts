// Issue 13, acceptance: a real lane (../shared/llama-server, started by brainbench as a llamacpp lane)
// runs tasks-v1 with the builtin harness. The model's weights are random, so no task is solved, but
// every trial must end in a model or grader bucket — never harness_error, never lane_error, never a
// crash — and once the lane is stopped no llama-server is left.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import { portOpen } from '../../src/lanes/net.js';
import type { TrialOutcome, TrialRecord } from '../../src/tasks/types.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { spawnCli } from '../helpers/cli.js';
import { freePort, realLlamaMissing, realLlamaServersOn, tempDir, writeRealLlamaManifest } from '../lanes/helpers.js';

const bwrap = await sandboxAvailable();
const skip = realLlamaMissing ? `${realLlamaMissing} is not there (see DESIGN §11)` : bwrap ? null : 'bubblewrap cannot build a sandbox here';
if (skip) console.log(`real llama-server task-suite test skipped: ${skip}`);

const LANE = 'real-tiny';
/** What a working harness on a healthy lane may end in; harness_error and lane_error are not among them. */
const MODEL_BUCKETS: TrialOutcome[] = ['pass', 'grader_fail', 'timeout', 'no_tool_calls'];

describe('a real llama-server lane on a task suite', () => {
  it.skipIf(skip !== null)('runs tasks-v1 with the builtin harness: every trial in a model bucket, nothing left running', async () => {
    const port = await freePort();
    const lanesFile = writeRealLlamaManifest(LANE, port);
    const stateDir = tempDir('bb-real-tasks-state-');
    const results = tempDir('bb-real-tasks-');
    const env = { BRAINBENCH_STATE_DIR: stateDir };
    const args = ['run', '--lanes-file', lanesFile, '--lane', LANE, '--suite', 'tasks-v1', '--harness', 'builtin', '-n', '1', '--turn-budget', '3', '--timeout', '20', '--stop-after', '--results', results];
    const run = await spawnCli(args, { env });
    try {
      expect(run.exitCode, String(run.stdout) + String(run.stderr)).toBe(0);
      const runs = join(results, 'runs');
      const journal = readFileSync(join(runs, readdirSync(runs)[0]!, 'journal.jsonl'), 'utf8');
      const trials = journal.split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrialRecord).filter((r) => r.kind === 'trial');
      const counts = trials.reduce<Record<string, number>>((c, r) => ({ ...c, [r.outcome]: (c[r.outcome] ?? 0) + 1 }), {});
      console.log(`real lane on tasks-v1 (builtin, N=1): ${JSON.stringify(counts)}`);
      expect(trials.length).toBeGreaterThanOrEqual(8); // c-function is skipped where gcc is missing
      for (const r of trials) expect(MODEL_BUCKETS, `${r.prompt_id}: ${r.why}`).toContain(r.outcome);
      // --stop-after: the run itself stopped the lane
      expect(realLlamaServersOn(port)).toEqual([]);
    } finally {
      // a failed run may leave the lane up: stop it as `brainbench lanes stop` would
      await new LaneManager({ manifest: await loadManifest(lanesFile), logDir: join(stateDir, 'logs'), stateDir }).stop(LANE);
    }
    expect(realLlamaServersOn(port)).toEqual([]);
    expect(await portOpen('127.0.0.1', port)).toBe(false);
  }, 300_000);
});
