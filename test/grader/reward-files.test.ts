// Issue 19 item 2: whatever test.sh (or a forged interpreter) leaves as the reward, brainbench
// reads it without following a link, without blocking and with a byte cap; a violation is a
// GraderError naming the rule, and no host file's text reaches the result.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { spawnCli } from '../helpers/cli.js';
import { grade, notPass, sandboxTemp, trialOf } from './hostile.js';

const bwrap = await sandboxAvailable();
const SECRET = 'TOPSECRET-4f1c9e-host-only';

async function gradeWith(script: string) {
  const trial = await trialOf({ testSh: `#!/bin/bash\ncd /logs/verifier\n${script}\n` });
  return grade(trial);
}

describe.runIf(bwrap)('reward files the sandbox left', () => {
  const cases: [string, string, RegExp][] = [
    ['reward.txt as a FIFO', 'mkfifo reward.txt', /reward\.txt is a FIFO/],
    ['reward.json as a FIFO', 'mkfifo reward.json', /reward\.json is a FIFO/],
    ['reward.txt as a link to /dev/zero', 'ln -s /dev/zero reward.txt', /reward\.txt is a symbolic link/],
    ['reward.txt as a link to /dev/stdin', 'ln -s /proc/self/fd/0 reward.txt', /reward\.txt is a symbolic link/],
    ['reward.txt as a folder', 'mkdir reward.txt', /reward\.txt is a directory/],
    ['a huge reward.txt', 'head -c 300000 /dev/zero | tr "\\0" 1 > reward.txt', /reward\.txt larger than 65536 bytes/],
    ['reward.txt with several hard links', 'echo 1 > a && ln a reward.txt', /reward\.txt has several hard links/],
    // as root the sandbox's uid cannot touch /logs (no reward then); as one uid it can, and the link is refused
    [
      'the verifier folder swapped for a link',
      'cd /logs && mkdir v2 && echo 1 > v2/reward.txt && mv verifier old && ln -s /logs/v2 verifier',
      /folder verifier is a symbolic link|wrote no \/logs\/verifier\/reward\.txt/,
    ],
  ];
  for (const [name, script, rule] of cases) {
    it(`${name}: a grader_error naming the rule, never a hang`, async () => {
      const graded = await gradeWith(script);
      expect(notPass(graded)).toMatch(/^GraderError: /);
      expect(notPass(graded)).toMatch(rule);
    });
  }

  it('reward.txt as a link to a host secret: refused, and the secret appears nowhere', async () => {
    const secret = join(sandboxTemp(), 'secret.txt');
    writeFileSync(secret, `${SECRET}\n`, { mode: 0o644 });
    const graded = await gradeWith(`ln -s ${secret} reward.txt; ln -s ${secret} reward.json`);
    expect(notPass(graded)).toMatch(/^GraderError: reward\.txt is a symbolic link/);
    expect(JSON.stringify(graded)).not.toContain(SECRET);
    expect(graded.ok ? '' : String(graded.error.output)).not.toContain(SECRET);
  });

  it('a FIFO test.sh keeps open still ends with the grader (no reader, no writer, no hang)', async () => {
    const graded = await gradeWith('mkfifo reward.txt; (sleep 1 > reward.txt &) ; exit 0');
    expect(notPass(graded)).toMatch(/reward\.txt is a FIFO/);
  });

  it('a plain reward still reads', async () => {
    expect(notPass(await gradeWith('echo 0.5 > reward.txt'))).toBe('reward 0.5');
    expect(notPass(await gradeWith('echo \'{"reward": 1}\' > reward.json'))).toBe('reward 1');
  });
});


describe.runIf(bwrap)('brainbench run with hostile reward files', () => {
  it('finishes, records grader_error for each, and writes no host secret anywhere', async () => {
    const secret = join(sandboxTemp(), 'secret.txt');
    writeFileSync(secret, `${SECRET}\n`, { mode: 0o644 });
    const suite = sandboxTemp('bb-grader-suite-');
    const task = (name: string, script: string) => ({
      [`${name}/instruction.md`]: 'Do nothing.\n',
      [`${name}/task.toml`]: '[verifier]\ntimeout_sec = 60\n',
      [`${name}/tests/test.sh`]: `#!/bin/bash\ncd /logs/verifier\n${script}\n`,
    });
    const files = { ...task('fifo', 'mkfifo reward.txt'), ...task('zero', 'ln -s /dev/zero reward.json'), ...task('secret', `ln -s ${secret} reward.txt`) };
    for (const [rel, text] of Object.entries(files)) {
      const abs = join(suite, rel);
      mkdirSync(join(abs, '..'), { recursive: true });
      writeFileSync(abs, text);
    }
    const results = sandboxTemp('bb-grader-results-');
    const run = await spawnCli(['run', '--lane', 'demo', '--suite', suite, '--harness', 'null', '--results', results]);
    expect(run.exitCode, String(run.stdout) + String(run.stderr)).toBe(0);
    expect(String(run.stdout) + String(run.stderr)).not.toContain(SECRET);
    const card = JSON.parse(readFileSync(join(results, 'tasks', 'demo+null.json'), 'utf8')) as { tasks: { task_id: string; outcomes: Record<string, number> }[] };
    expect(card.tasks.map((t) => [t.task_id, t.outcomes]).sort()).toEqual([['fifo', { grader_error: 1 }], ['secret', { grader_error: 1 }], ['zero', { grader_error: 1 }]]);
    for (const entry of readdirSync(results, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) expect(readFileSync(join(entry.parentPath, entry.name), 'utf8'), entry.name).not.toContain(SECRET);
    }
  });
});
