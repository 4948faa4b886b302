// External agent CLIs in the sandbox, end to end: fake CLIs from test/shims (named like the real
// ones) driven through the recording proxy against a scripted lane. Real bubblewrap.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadyLane } from '../../src/lanes/manager.js';
import { externalHarness } from '../../src/harness/external.js';
import { harnessCatalog } from '../../src/harness/presets.js';
import { DEFAULT_PROXY_LIMITS } from '../../src/harness/proxy.js';
import type { HarnessSpec } from '../../src/harness/spec.js';
import type { HarnessContext } from '../../src/harness/types.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { bwrapEnvironment } from '../../src/tasks/environment.js';
import { loadTaskSuite } from '../../src/tasks/load.js';
import { runTrial, type TrialResult } from '../../src/tasks/trial.js';
import { repoRoot } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { startFakeLane, type FakeLane } from './fakeLane.js';

const bwrap = await sandboxAvailable();
if (!bwrap) console.log('skipping external harness trials: bubblewrap cannot build a sandbox here');

const shims = join(repoRoot, 'test/shims');
const env = { ...process.env, PATH: `${shims}:${process.env.PATH}` };
function temp(): string {
  const d = tempDir('bb-harness-', '/tmp'); // the sandbox's uid must reach it (tests' TMPDIR is private)
  chmodSync(d, 0o755);
  return d;
}

let lane: FakeLane;
beforeAll(async () => {
  lane = await startFakeLane();
});
afterAll(() => lane.close());

const ready = (): ReadyLane => ({ id: 'fake', kind: 'openai', baseURL: lane.baseURL, model: 'fake-model', command: '', simulated: false, slots: null, metricsUrl: null, apiKey: 'lane-secret' });

const HELLO_TEST = '#!/bin/bash\nmkdir -p /logs/verifier\nif grep -qx hello /app/out.txt 2>/dev/null; then echo 1; else echo 0; fi > /logs/verifier/reward.txt\n';

function suite(): string {
  const root = temp();
  const files: Record<string, string> = {
    'job/instruction.md': 'Write hello to /app/out.txt.\n',
    'job/task.toml': '[agent]\ntimeout_sec = 20\n[verifier]\ntimeout_sec = 30\n',
    'job/tests/test.sh': HELLO_TEST,
    'job/solution/solve.sh': 'echo hello > /app/out.txt\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

function fakeSpec(mode: string, program = 'fake-agent'): HarnessSpec {
  return { id: `fake-${mode}`, command: [program, '{prompt}'], api: 'openai', env: { BB_BASE_URL: '{base_url}', BB_MODEL: '{model}', BB_SHIM_MODE: mode }, files: {}, source: 'test' };
}

async function trial(spec: HarnessSpec, opts: { timeoutS?: number; onProgress?: HarnessContext['onProgress']; path?: string } = {}): Promise<TrialResult & { transcript: string; workspace: string }> {
  const dir = suite();
  const root = temp();
  const transcript = join(root, 't.json');
  const [task] = loadTaskSuite(dir).tasks;
  // keep the workspace: the grader already ran when runTrial returns, so copy what the test reads
  const result = await runTrial({
    task: task!, harness: externalHarness(spec, opts.path ? { ...env, PATH: `${opts.path}:${env.PATH}` } : env), environment: bwrapEnvironment([dir]), scratch: join(root, 'trial'), transcriptPath: transcript,
    hide: [dir, root], sampling: {}, lane: ready(), ...(opts.timeoutS !== undefined && { timeoutS: opts.timeoutS }), ...(opts.onProgress && { onProgress: opts.onProgress }),
  });
  return { ...result, transcript, workspace: join(root, 'trial', 'workspace') };
}

describe.runIf(bwrap)('an external CLI through the recording proxy', () => {
  it('the pi preset: reads ~/.pi/agent/models.json, solves with a tool call; the proxy records turns, tokens and tool calls', async () => {
    const before = { ...lane.usage };
    const progress: { completionTokens: number }[] = [];
    const r = await trial(harnessCatalog().get('pi')!, { onProgress: (p) => progress.push(p) });
    expect(r.outcome, r.why).toBe('pass');
    expect(r.agent!.toolCalls).toBe(1);
    expect(r.agent!.toolsCalled).toEqual(['write_file']);
    expect(r.agent!.turns).toBe(2);
    // what the proxy counted is what the lane itself reported
    expect(r.agent!.tokens).toEqual({ prompt: lane.usage.prompt - before.prompt, completion: lane.usage.completion - before.completion });
    const t = JSON.parse(readFileSync(r.transcript, 'utf8'));
    expect(t.turns.map((x: { tool_calls: unknown[] }) => x.tool_calls.length)).toEqual([1, 0]);
    // the CLI's streamed first turn fed the engine's decode-rate meter, ending on its own count
    expect(progress.at(-1)?.completionTokens).toBe(t.turns[0].usage.completion_tokens);
    expect(t).not.toHaveProperty('exchange_log_error');
    expect(t.messages.at(-1)).toMatchObject({ role: 'assistant', content: expect.stringContaining('Done') });
    expect(JSON.stringify(t)).not.toContain('lane-secret');
  });

  it('a CLI that never calls a tool is no_tool_calls, with its turn and tokens recorded', async () => {
    const r = await trial(fakeSpec('silent'));
    expect(r.outcome).toBe('no_tool_calls');
    expect(r.agent!.turns).toBe(1);
    expect(r.agent!.tokens.completion).toBeGreaterThan(0);
  });

  it('a CLI that crashes at start is harness_error; a missing binary is harness_error with what to install', async () => {
    const crash = await trial(fakeSpec('crash'));
    expect([crash.outcome, crash.why]).toEqual(['harness_error', expect.stringContaining('crashed before working (exit 3)')]);
    const missing = await trial({ ...fakeSpec('solve', 'no-such-agent-cli'), install: 'npm install -g no-such-agent-cli' });
    expect([missing.outcome, missing.why]).toEqual(['harness_error', expect.stringContaining('npm install -g no-such-agent-cli')]);
  });

  it('a CLI that solves the task talking only on paths the proxy does not read is harness_error naming them, never no_tool_calls', async () => {
    // it asks GET /v1/models and POST /v1/xyz (a dialect nobody reads), then does the work itself
    const bin = temp();
    const source = [
      '#!/usr/bin/env node',
      'const base = process.env.BB_BASE_URL;',
      "const post = () => fetch(`${base}/xyz`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });",
      "(async () => { await fetch(`${base}/models`); await post(); await post(); require('node:fs').writeFileSync('/app/out.txt', 'hello\\n'); })();",
    ].join('\n');
    writeFileSync(join(bin, 'unread-agent'), source, { mode: 0o755 });
    const spec: HarnessSpec = { id: 'unread', command: ['unread-agent', '{prompt}'], api: 'openai', env: { BB_BASE_URL: '{base_url}' }, files: {}, source: 'test' };
    const r = await trial(spec, { path: bin });
    // it exited 0 (the why says no exit code); a harness_error is not graded
    expect([r.outcome, r.reward], r.why).toEqual(['harness_error', null]);
    expect(r.why).toBe('unread: the CLI talked to the lane (3 requests: 1 to GET /v1/models, 2 to POST /v1/xyz) but no turn could be read');
    const t = JSON.parse(readFileSync(r.transcript, 'utf8'));
    expect([t.proxy.unrecorded, t.proxy.unrecordedPaths]).toEqual([3, { 'GET /v1/models': 1, 'POST /v1/xyz': 2 }]);
    expect(t.turns).toEqual([]);
  });

  it('a CLI that hangs is a timeout, killed at its deadline', async () => {
    const r = await trial(fakeSpec('hang'), { timeoutS: 2 });
    expect(r.outcome).toBe('timeout');
  });

  it('a peeking CLI finds nothing of the tests, solution, brainbench or the network; its peeks are counted', async () => {
    const r = await trial(fakeSpec('peek'));
    expect(r.agent!.peekAttempts).toBe(1);
    const t = JSON.parse(readFileSync(r.transcript, 'utf8'));
    expect(t.totals.peekAttempts).toBe(1);
    const report = JSON.parse(/peek-report (.*)/.exec(t.harness_output)![1]!);
    expect(report.found).toEqual([]);
    expect(report.net).toBe('no network');
    expect(report.cwd).toBe('/app');
    expect(report.listing['/']).not.toEqual(expect.arrayContaining(['tests']));
    expect(report.listing['/']).toEqual(expect.arrayContaining(['app', 'usr', 'home']));
    expect(report.listing['/home/agent']).toEqual([]); // a private HOME: only what the preset writes
    // its grade is what it did: it wrote nothing, so it fails; reading the tests gave it nothing
    expect(r.outcome).toBe('grader_fail');
  });

  it('a flooding CLI is bounded by the proxy and still finishes its trial', async () => {
    const r = await trial(fakeSpec('flood'));
    expect(r.outcome, r.why).toBe('pass');
    const t = JSON.parse(readFileSync(r.transcript, 'utf8'));
    // every flood request was answered or refused, and never more than the bound went to the lane at once
    // (whether any was refused depends on how many the sandbox's forwarder had open together)
    expect(t.proxy.requests + t.proxy.refused).toBeGreaterThanOrEqual(60);
    expect(t.proxy.peakInFlight).toBeGreaterThan(0);
    expect(t.proxy.peakInFlight).toBeLessThanOrEqual(DEFAULT_PROXY_LIMITS.inFlight);
  });
});
