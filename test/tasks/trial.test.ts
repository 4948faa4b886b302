// Trials end to end: real bubblewrap for the host path, the docker shim for the Docker path.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { bwrapEnvironment, dockerEnvironment, imageTag } from '../../src/tasks/environment.js';
import { harnessNamed } from '../../src/harness/registry.js';
import type { Harness, HarnessResult } from '../../src/harness/types.js';
import { loadTaskSuite } from '../../src/tasks/load.js';
import { runTrial, type TrialSpec } from '../../src/tasks/trial.js';
import type { TaskScorecard } from '../../src/tasks/types.js';
import { repoRoot, spawnCli } from '../helpers/cli.js';

const bwrap = await sandboxAvailable();
if (!bwrap) console.log('skipping bubblewrap task trials: bubblewrap cannot build a sandbox here');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  // in /tmp, as the sandbox tests do: the sandbox's own uid must reach the workspace (tests' TMPDIR is private)
  const d = mkdtempSync('/tmp/bb-trial-');
  chmodSync(d, 0o755);
  dirs.push(d);
  return d;
}

function suiteWith(files: Record<string, string>): string {
  const root = temp();
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const exited = (extra: Partial<HarnessResult> = {}): HarnessResult => ({
  status: 'exited', detail: 'done', toolCalls: null, toolsCalled: [], turns: 0, tokens: { prompt: 0, completion: 0 }, ttftS: null, answer: '', escapeAttempts: 0, ...extra,
});

/** A harness that runs one shell script in the trial's environment, as an agent's run_shell would. */
function scriptHarness(script: string): Harness {
  return {
    name: 'null',
    needsLane: false,
    async run(ctx) {
      const exit = await ctx.env.exec(['sh', '-c', script], { binds: [], timeoutMs: ctx.timeoutS * 1000 });
      return exit.timedOut ? { ...exited(), status: 'timeout', detail: 'timed out' } : exited({ answer: exit.output });
    },
  };
}

function spec(suiteDir: string, harness: Harness, environment = bwrapEnvironment([suiteDir])): TrialSpec {
  const [task] = loadTaskSuite(suiteDir).tasks;
  return { task: task!, harness, environment, scratch: join(temp(), 'trial'), transcriptPath: join(temp(), 't.json'), hide: [suiteDir], sampling: {} };
}

const plainTask = (testSh: string, toml = '[agent]\ntimeout_sec = 30\n[verifier]\ntimeout_sec = 30\n') => ({
  'job/instruction.md': 'Write hello to /app/out.txt.\n',
  'job/task.toml': toml,
  'job/environment/Dockerfile': 'FROM debian:bookworm-slim\nWORKDIR /app\nCOPY seed.txt /app/\nENV GREETING=hello\n',
  'job/environment/seed.txt': 'seed\n',
  'job/tests/test.sh': testSh,
  'job/solution/solve.sh': 'echo "$GREETING" > /app/out.txt\n',
});
const HELLO_TEST = '#!/bin/bash\nmkdir -p /logs/verifier\nif grep -qx hello /app/out.txt 2>/dev/null; then echo 1; else echo 0; fi > /logs/verifier/reward.txt\n';

describe.runIf(bwrap)('task trials in bubblewrap', () => {
  it('brainbench run: oracle scores every tasks-v1 task 1.0, null every task 0', async () => {
    const results = temp();
    const cards: TaskScorecard[] = [];
    for (const harness of ['oracle', 'null']) {
      const run = await spawnCli(['run', '--lane', 'demo', '--suite', 'fixtures/tasks-v1', '--harness', harness, '--results', results]);
      expect(run.exitCode, String(run.stdout) + String(run.stderr)).toBe(0);
      cards.push(JSON.parse(readFileSync(join(results, 'tasks', `demo+${harness}.json`), 'utf8')) as TaskScorecard);
    }
    const [oracle, nul] = cards;
    const ran = oracle!.tasks.filter((t) => t.skipped === undefined);
    expect(ran.length).toBeGreaterThanOrEqual(8);
    for (const t of ran) expect([t.task_id, t.mean_reward, t.outcomes]).toEqual([t.task_id, 1, { pass: 1 }]);
    for (const t of nul!.tasks.filter((s) => s.skipped === undefined)) expect([t.task_id, t.mean_reward, t.outcomes]).toEqual([t.task_id, 0, { grader_fail: 1 }]);
    expect(readFileSync(join(results, 'summary.md'), 'utf8')).toMatch(/## Task suites[\s\S]*\| demo \| oracle \| tasks-v1 \| bwrap \| 100 %/);
  }, 60_000);

  it('runs a Harbor task written elsewhere unmodified (COPY, WORKDIR, ENV)', async () => {
    const dir = suiteWith(plainTask(HELLO_TEST));
    expect(await runTrial(spec(dir, harnessNamed('oracle')))).toMatchObject({ outcome: 'pass', reward: 1 });
  });

  it('hides tests, solution and the reward file from the agent; its own reward.txt counts for nothing', async () => {
    const dir = suiteWith(plainTask(HELLO_TEST));
    const hunt = [
      'find / -name test.sh -o -name solve.sh -o -name reward.txt 2>/dev/null | grep -v "^/proc" | sed "s/^/FOUND /"',
      'ls /tests /solution /logs 2>&1 | sed "s/^/LS /"',
      `cat ${dir}/job/tests/test.sh 2>&1 | sed "s/^/CAT /"`,
      'mkdir -p /logs/verifier 2>/dev/null; echo 1 > /logs/verifier/reward.txt 2>/dev/null; echo 1 > /app/reward.txt',
    ].join('; ');
    const result = await runTrial(spec(dir, scriptHarness(hunt)));
    const seen = result.agent!.answer;
    expect(seen).not.toMatch(/FOUND/);
    expect(seen).toMatch(/LS ls: cannot access '\/tests'/);
    expect(seen).toMatch(/CAT cat: .*No such file or directory/);
    expect(result).toMatchObject({ outcome: 'grader_fail', reward: 0 });
  });

  it('a grader that hangs is killed at [verifier] timeout_sec: grader_error', async () => {
    const dir = suiteWith(plainTask('sleep 30\n', '[verifier]\ntimeout_sec = 1\n'));
    const result = await runTrial(spec(dir, harnessNamed('oracle')));
    expect(result).toMatchObject({ outcome: 'grader_error', reward: null });
    expect(result.why).toMatch(/past its 1 s/);
  });

  it('a grader that writes no reward or garbage is a grader_error', async () => {
    const none = await runTrial(spec(suiteWith(plainTask('exit 0\n')), harnessNamed('oracle')));
    expect(none).toMatchObject({ outcome: 'grader_error', why: expect.stringMatching(/wrote no/) });
    const garbage = await runTrial(spec(suiteWith(plainTask('echo lots > /logs/verifier/reward.txt\n')), harnessNamed('oracle')));
    expect(garbage).toMatchObject({ outcome: 'grader_error', why: expect.stringMatching(/not a number/) });
  });

  it('an agent past [agent] timeout_sec is a timeout, still graded for its partial reward', async () => {
    const dir = suiteWith(plainTask(HELLO_TEST, '[agent]\ntimeout_sec = 1\n'));
    const result = await runTrial(spec(dir, scriptHarness('sleep 30')));
    expect(result).toMatchObject({ outcome: 'timeout', reward: 0 });
  });
});

describe('the docker environment (shim)', () => {
  it('builds the image once per content hash and runs with --network none and the workspace bind-mounted', async () => {
    const log = join(temp(), 'docker.log');
    const env = { PATH: `${join(repoRoot, 'test/shims')}:${process.env.PATH}`, DOCKER_SHIM_LOG: log, DOCKER_SHIM_NO_IMAGES: '' };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const dir = suiteWith(plainTask(HELLO_TEST));
      const s = spec(dir, harnessNamed('oracle'), dockerEnvironment());
      process.env.DOCKER_SHIM_NO_IMAGES = imageTag(s.task);
      const result = await runTrial(s);
      const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
      const tag = imageTag(s.task);
      expect(tag).toMatch(/^brainbench-task-job:[0-9a-f]{12}$/);
      expect(calls.filter((c) => c[0] === 'build')).toEqual([['build', '-t', tag, join(dir, 'job/environment')]]);
      const runs = calls.filter((c) => c[0] === 'run');
      expect(runs.length).toBe(3); // seed the workspace, solve.sh, test.sh
      for (const c of runs) {
        expect(c.slice(c.indexOf('--network'), c.indexOf('--network') + 2)).toEqual(['--network', 'none']);
        expect(c.some((a) => /\/workspace:\/(app|bb-seed)$/.test(a))).toBe(true);
      }
      // the grader: bash by absolute path, a private HOME, a PATH with no workspace entry
      expect(runs[2]!.slice(-2)).toEqual(['/bin/bash', '/tests/test.sh']);
      expect(runs[2]).toContain('-w');
      expect(runs[2]).toContain('HOME=/bb-verifier-home');
      expect(runs[2]!.find((a) => a.startsWith('PATH='))).toBe('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
      // the shim runs nothing, so no reward appears: a named grader_error, not a crash
      expect(result.outcome).toBe('grader_error');
      expect(existsSync(s.scratch)).toBe(false);
    } finally {
      process.env = saved;
    }
  });
});
