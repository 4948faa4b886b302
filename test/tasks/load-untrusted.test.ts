// Task folders are untrusted input (DESIGN §12): a FIFO, device, socket or a link leaving the task
// folder is refused at load with the file and the reason, never opened; task.toml numbers are
// range-checked. Loads that could block run in a child process (see loadInChild).
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTaskSuite, TaskError } from '../../src/tasks/load.js';
import { loadInChild } from '../helpers/loadInChild.js';
import { tempDir } from '../helpers/tmp.js';

const CHILD_TEST_MS = 90_000;

function suiteWith(files: Record<string, string>): string {
  const root = tempDir('bb-tasks-');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const task = (toml = '[agent]\ntimeout_sec = 60\n'): Record<string, string> => ({
  'job/instruction.md': 'Do it.\n',
  'job/task.toml': toml,
  'job/tests/test.sh': 'echo 1 > /logs/verifier/reward.txt\n',
  'job/environment/Dockerfile': 'FROM debian\n',
});

/** A host file the model must never see: its content may appear in no error. */
function hostSecret(): string {
  const file = join(tempDir('bb-host-'), 'id_rsa');
  writeFileSync(file, 'HOST-SECRET-8c1f\n');
  return file;
}

async function refusal(root: string): Promise<string> {
  const result = await loadInChild('tasks', root);
  expect(result.timedOut, 'loading blocked').toBe(false);
  expect(result, result.output).toMatchObject({ loaded: false, name: 'TaskError' });
  expect(result.message).not.toMatch(/HOST-SECRET/);
  return result.message!;
}

describe('a hostile task folder is refused at load, naming the file', () => {
  it('a FIFO in tests/ is refused, never opened (loading returns)', async () => {
    const root = suiteWith(task());
    execFileSync('mkfifo', [join(root, 'job/tests/helper.py')]);
    expect(await refusal(root)).toMatch(/job\/tests\/helper\.py: task 'job': a FIFO; a task may hold only regular files/);
  }, CHILD_TEST_MS);

  it('instruction.md linking to a host file is refused, and its content never read', async () => {
    const root = suiteWith(task());
    const instruction = join(root, 'job/instruction.md');
    execFileSync('rm', [instruction]);
    symlinkSync(hostSecret(), instruction);
    expect(await refusal(root)).toMatch(/job\/instruction\.md: task 'job': a link pointing outside the task folder \(-> \/.*id_rsa\)/);
  }, CHILD_TEST_MS);

  it('tests/test.sh linking to a host file, and a relative link climbing out, are refused', async () => {
    const root = suiteWith(task());
    const testSh = join(root, 'job/tests/test.sh');
    execFileSync('rm', [testSh]);
    symlinkSync(hostSecret(), testSh);
    expect(await refusal(root)).toMatch(/job\/tests\/test\.sh: .*a link pointing outside the task folder/);
    const climbing = suiteWith(task());
    symlinkSync('../../../nowhere', join(climbing, 'job/environment/data'));
    expect(await refusal(climbing)).toMatch(/job\/environment\/data: .*outside the task folder \(-> \.\.\/\.\.\/\.\.\/nowhere\)/);
  }, CHILD_TEST_MS);

  it('a device (a link to /dev/zero) in environment/ or as instruction.md is refused', async () => {
    const root = suiteWith(task());
    symlinkSync('/dev/zero', join(root, 'job/environment/zero'));
    expect(await refusal(root)).toMatch(/job\/environment\/zero: .*outside the task folder \(-> \/dev\/zero\)/);
    const asInstruction = suiteWith(task());
    execFileSync('rm', [join(asInstruction, 'job/instruction.md')]);
    symlinkSync('/dev/zero', join(asInstruction, 'job/instruction.md'));
    expect(await refusal(asInstruction)).toMatch(/job\/instruction\.md: .*-> \/dev\/zero/);
  }, CHILD_TEST_MS);

  it('a FIFO anywhere below the task (hidden, deep in environment/) is refused', async () => {
    const root = suiteWith({ ...task(), 'job/environment/src/pkg/__init__.py': '' });
    execFileSync('mkfifo', [join(root, 'job/environment/src/pkg/.cache')]);
    expect(await refusal(root)).toMatch(/job\/environment\/src\/pkg\/\.cache: task 'job': a FIFO/);
  }, CHILD_TEST_MS);

  it('links that stay inside the task folder are fine', () => {
    const root = suiteWith({ ...task(), 'job/docs/brief.md': 'Brief.\n' });
    execFileSync('rm', [join(root, 'job/instruction.md')]);
    symlinkSync('docs/brief.md', join(root, 'job/instruction.md'));
    symlinkSync('../docs', join(root, 'job/environment/docs'));
    expect(loadTaskSuite(root).tasks[0]!.instruction).toBe('Brief.\n');
  });
});

function tomlError(toml: string): TaskError {
  try {
    loadTaskSuite(suiteWith(task(toml)));
  } catch (err) {
    expect(err).toBeInstanceOf(TaskError);
    return err as TaskError;
  }
  throw new Error('loaded');
}

describe('task.toml numbers are range-checked like the flags', () => {
  it('timeout_sec = 1e7 is refused with file, field, line and the bound (it would overflow Node timers)', () => {
    const err = tomlError('[agent]\ntimeout_sec = 60\n\n[verifier]\ntimeout_sec = 1e7\n');
    expect([err.field, err.line]).toEqual(['verifier.timeout_sec', 5]);
    expect(err.message).toMatch(/task\.toml:5: field 'verifier\.timeout_sec': task 'job': expected a positive number of seconds, at most 86400 \(24 h, as --timeout\), got 10000000/);
  });

  it('refuses inf, nan, 0 and negative timeouts, accepts the bound itself', () => {
    for (const bad of ['inf', 'nan', '0', '-5', '86401']) {
      expect(tomlError(`[agent]\ntimeout_sec = ${bad}\n`).field).toBe('agent.timeout_sec');
    }
    expect(loadTaskSuite(suiteWith(task('[agent]\ntimeout_sec = 86400\n'))).tasks[0]!.config.agentTimeoutS).toBe(86400);
  });

  it('a turn budget is a whole number from 1 to the --turn-budget bound', () => {
    const err = tomlError('[agent]\nturn_budget = 1000000\n');
    expect(err.message).toMatch(/task\.toml:2: field 'agent\.turn_budget': .*from 1 to 1000 \(as --turn-budget\), got 1000000/);
    expect(tomlError('[agent]\nturn_budget = 2.5\n').field).toBe('agent.turn_budget');
    expect(loadTaskSuite(suiteWith(task('[agent]\nturn_budget = 1000\n'))).tasks[0]!.config.turnBudget).toBe(1000);
  });
});
