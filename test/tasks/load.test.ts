// Loading task suites: Harbor folders as they are; every error names the task, the file, the field and the line.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSuite } from '../../src/suite/load.js';
import { planForBwrap } from '../../src/tasks/dockerfile.js';
import { bwrapEnvironment } from '../../src/tasks/environment.js';
import { isTaskSuiteDir, loadTaskSuite, TaskError } from '../../src/tasks/load.js';
import { repoRoot, tempDir } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function suiteWith(files: Record<string, string>): string {
  const root = tempDir('bb-tasks-');
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const task = (name: string, toml = '[agent]\ntimeout_sec = 60\n'): Record<string, string> => ({
  [`${name}/instruction.md`]: 'Do it.\n',
  [`${name}/task.toml`]: toml,
  [`${name}/tests/test.sh`]: 'echo 1 > /logs/verifier/reward.txt\n',
});

function loadError(root: string): TaskError {
  try {
    loadTaskSuite(root);
  } catch (err) {
    expect(err).toBeInstanceOf(TaskError);
    return err as TaskError;
  }
  throw new Error('loaded');
}

describe('loadTaskSuite', () => {
  it('loads tasks-v1 with its timeouts, solutions and tests', () => {
    const suite = loadTaskSuite(join(repoRoot, 'fixtures/tasks-v1'));
    expect(suite.tasks.length).toBeGreaterThanOrEqual(8);
    for (const t of suite.tasks) {
      expect(t.solutionDir).not.toBeNull();
      expect(t.config.verifierTimeoutS).toBe(30);
    }
    expect(suite.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tells a task suite from a prompt suite by shape, and the prompt loader says so', async () => {
    expect(isTaskSuiteDir(join(repoRoot, 'fixtures/tasks-v1'))).toBe(true);
    expect(isTaskSuiteDir(join(repoRoot, 'fixtures/brain-v1'))).toBe(false);
    await expect(loadSuite(join(repoRoot, 'fixtures/tasks-v1'))).rejects.toThrow(/task suite/);
  });

  it('names the task and the missing file', () => {
    const root = suiteWith({ ...task('ok'), 'broken/instruction.md': 'x', 'broken/task.toml': '' });
    const err = loadError(root);
    expect(err.task).toBe('broken');
    expect(err.message).toMatch(/broken\/tests\/test\.sh.*task 'broken'.*missing tests\/test\.sh/);
  });

  it('gives a TOML syntax error its line', () => {
    const err = loadError(suiteWith(task('bad', '[agent]\ntimeout_sec = 60\n[verifier\n')));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/task\.toml:3:.*task 'bad': invalid TOML/);
  });

  it('names the field and its line for a wrong value', () => {
    const err = loadError(suiteWith(task('slow', 'version = "1.0"\n\n[verifier]\nenv = {}\ntimeout_sec = "soon"\n')));
    expect(err.field).toBe('verifier.timeout_sec');
    expect(err.line).toBe(5);
    expect(err.message).toMatch(/task\.toml:5: field 'verifier\.timeout_sec': task 'slow': expected a positive number/);
  });

  it('refuses a task name that would not be a safe path segment', () => {
    const err = loadError(suiteWith(task('-rf x')));
    expect(err.message).toMatch(/task folder name/);
  });
});

describe('the bubblewrap environment', () => {
  it('honours FROM, WORKDIR, COPY and ENV and skips the rest with the reason', () => {
    const plain = planForBwrap('FROM debian:bookworm\n# c\nWORKDIR /app\nENV MODE=test X="a b"\nCOPY src/ /app/src/\nCMD ["bash"]\n');
    expect(plain).toEqual({ ok: true, plan: { from: 'debian:bookworm', workdir: '/app', copies: [{ sources: ['src/'], dest: '/app/src', intoFolder: true }], env: { MODE: 'test', X: 'a b' } } });
    expect(planForBwrap('FROM debian\nRUN apt-get update && \\\n  apt-get install -y tmux\n')).toEqual({ ok: false, reason: 'needs docker: RUN apt-get update && apt-get install -y tmux' });
    expect(planForBwrap('FROM debian\nWORKDIR /app\nCOPY x.conf /etc/x.conf\n')).toMatchObject({ ok: false, reason: expect.stringMatching(/COPY to \/etc\/x\.conf, outside the workspace \/app/) });
    expect(planForBwrap('FROM a AS b\nFROM debian\n')).toMatchObject({ ok: false, reason: expect.stringMatching(/multi-stage/) });
  });

  it('reports a task with a RUN line as skipped, naming the line', () => {
    const root = suiteWith({ ...task('needs-apt'), 'needs-apt/environment/Dockerfile': 'FROM ubuntu:24.04\nRUN apt-get install -y jq\n' });
    const [t] = loadTaskSuite(root).tasks;
    expect(bwrapEnvironment([]).skipReason(t!)).toBe('needs docker: RUN apt-get install -y jq');
  });

  it('skips a task whose host tool is missing', () => {
    const root = suiteWith(task('needs-tool', '[environment]\nhost_tools = ["no-such-compiler-xyz"]\n'));
    const [t] = loadTaskSuite(root).tasks;
    expect(bwrapEnvironment([]).skipReason(t!)).toMatch(/needs no-such-compiler-xyz, which is not installed here/);
  });
});
