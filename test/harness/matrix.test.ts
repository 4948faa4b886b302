// `brainbench run --lanes a,b --harness h1,h2,h3 --suite S`: the lanes × harnesses matrix from the
// CLI, with fake agent CLIs on PATH (test/shims) and a scripted lane; scorecards per (lane,
// harness) and the lane × harness table and peek audit in summary.md.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import type { TaskScorecard } from '../../src/tasks/types.js';
import { repoRoot, spawnCli } from '../helpers/cli.js';
import { startFakeLane, type FakeLane } from './fakeLane.js';

const bwrap = await sandboxAvailable();
if (!bwrap) console.log('skipping the harness matrix: bubblewrap cannot build a sandbox here');

let lane: FakeLane;
let root: string;
beforeAll(async () => {
  lane = await startFakeLane();
  root = mkdtempSync('/tmp/bb-matrix-'); // the sandbox's uid must reach the suite copy and workspaces
  chmodSync(root, 0o755);
});
afterAll(async () => {
  await lane.close();
  rmSync(root, { recursive: true, force: true });
});

function setUp(): { lanesFile: string; suite: string; results: string } {
  const suite = join(root, 'suite');
  const files: Record<string, string> = {
    'hello/instruction.md': 'Write hello to /app/out.txt.\n',
    'hello/task.toml': '[agent]\ntimeout_sec = 30\n[verifier]\ntimeout_sec = 30\n',
    'hello/tests/test.sh': '#!/bin/bash\nmkdir -p /logs/verifier\nif grep -qx hello /app/out.txt 2>/dev/null; then echo 1; else echo 0; fi > /logs/verifier/reward.txt\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(suite, rel, '..'), { recursive: true });
    writeFileSync(join(suite, rel), text);
  }
  const lanesFile = join(root, 'lanes.yaml');
  writeFileSync(lanesFile, `version: 1
lanes:
  - id: demo
    kind: demo
  - id: fake
    kind: openai
    base_url: ${lane.baseURL}
    model: fake-model
harnesses:
  - id: fake-peek
    command: fake-agent {prompt}
    env:
      BB_BASE_URL: "{base_url}"
      BB_MODEL: "{model}"
      BB_SHIM_MODE: peek
`);
  return { lanesFile, suite, results: join(root, 'results') };
}

describe.runIf(bwrap)('the lanes × harnesses matrix from the CLI', () => {
  it('fills a scorecard per (lane, harness) and the lane × harness table', async () => {
    const { lanesFile, suite, results } = setUp();
    const env = { PATH: `${join(repoRoot, 'test/shims')}:${process.env.PATH}` };
    const before = { ...lane.usage };
    const run = await spawnCli(['run', '--lanes', 'demo,fake', '--suite', suite, '--harness', 'builtin,pi,fake-peek', '--lanes-file', lanesFile, '--results', results], { env });
    expect(run.exitCode, String(run.stdout) + String(run.stderr)).toBe(0);
    const card = (key: string) => JSON.parse(readFileSync(join(results, 'tasks', `${key}.json`), 'utf8')) as TaskScorecard;

    // an opaque CLI's turns, tokens and tool calls, from the proxy alone
    const pi = card('fake+pi');
    expect([pi.pass_rate, pi.turns_total, pi.tool_calls_total]).toEqual([1, 2, 1]);
    expect(card('fake+builtin').pass_rate).toBe(1);
    const peek = card('fake+fake-peek');
    expect([peek.outcomes, peek.peek_attempts, peek.peek_trials]).toEqual([{ grader_fail: 1 }, 1, 1]);
    // the lane's own usage equals what the cards add up (builtin talks to it directly, the CLIs through the proxy)
    const fakeCards = ['fake+builtin', 'fake+pi', 'fake+fake-peek'].map(card);
    expect(fakeCards.reduce((s, c) => s + c.tokens_total!.completion, 0)).toBe(lane.usage.completion - before.completion);
    expect(card('demo+pi').outcomes).toEqual({ no_tool_calls: 1 }); // the demo lane knows no task: it never calls a tool

    const summary = readFileSync(join(results, 'summary.md'), 'utf8');
    expect(summary).toContain('| Lane | builtin | fake-peek | pi |');
    expect(summary).toMatch(/\| fake \| 100 % · [\d.]+ s · 0 peeks \| 0 % · [\d.]+ s · 1 peek \| 100 % · [\d.]+ s · 0 peeks \|/);
    expect(summary).toMatch(/\| demo \| 0 % · .* \|/);
    expect(summary).toContain('| fake-peek | 2 | 1 | 1 |');
  });

  it('an unknown harness is refused before anything runs, naming the known ones', async () => {
    const { lanesFile, suite, results } = setUp();
    const run = await spawnCli(['run', '--lane', 'demo', '--suite', suite, '--harness', 'builtin,pii', '--lanes-file', lanesFile, '--results', join(results, 'x')]);
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toContain("unknown harness 'pii' (harnesses: builtin, oracle, null, pi, qwen-code, opencode, aider, claude-code, codex, hermes, fake-peek)");
  });
});
