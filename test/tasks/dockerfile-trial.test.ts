// End to end in bubblewrap: a task whose Dockerfile puts a venv on PATH the way real Dockerfiles
// write it (`ENV PATH="/app/.venv/bin:$PATH"`) runs its oracle to a pass. With `$PATH` kept
// literally, `env` found no bash: "env: 'bash': No such file or directory".
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessNamed } from '../../src/harness/registry.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { bwrapEnvironment } from '../../src/tasks/environment.js';
import { loadTaskSuite } from '../../src/tasks/load.js';
import { runTrial } from '../../src/tasks/trial.js';
import { tempDir } from '../helpers/tmp.js';

const bwrap = await sandboxAvailable();
if (!bwrap) console.log('skipping the bubblewrap ENV trial: bubblewrap cannot build a sandbox here');

/** In /tmp, readable by the sandbox's own uid (the tests' TMPDIR is private), as trial.test.ts does. */
function sharedTemp(): string {
  const dir = tempDir('bb-envtrial-', '/tmp');
  chmodSync(dir, 0o755);
  return dir;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text, { mode: 0o755 });
  }
}

describe.runIf(bwrap)('Dockerfile ENV in a bubblewrap trial', () => {
  it('ENV PATH="/app/.venv/bin:$PATH": the oracle finds bash and the venv tool, and passes', async () => {
    const suite = sharedTemp();
    writeTree(suite, {
      'venv-task/instruction.md': 'Write hello to /app/out.txt.\n',
      'venv-task/task.toml': '[agent]\ntimeout_sec = 60\n[verifier]\ntimeout_sec = 60\n',
      'venv-task/environment/Dockerfile': 'FROM python:3.12-slim\nWORKDIR /app\nCOPY .venv /app/.venv\nENV PATH="/app/.venv/bin:$PATH"\n',
      'venv-task/environment/.venv/bin/greet': '#!/bin/sh\necho hello\n',
      'venv-task/solution/solve.sh': 'greet > /app/out.txt\n',
      'venv-task/tests/test.sh': 'mkdir -p /logs/verifier\nif grep -qx hello /app/out.txt; then echo 1; else echo 0; fi > /logs/verifier/reward.txt\n',
    });
    const [task] = loadTaskSuite(suite).tasks;
    const work = sharedTemp();
    const result = await runTrial({
      task: task!,
      harness: harnessNamed('oracle'),
      environment: bwrapEnvironment([suite]),
      scratch: join(work, 'trial'),
      transcriptPath: join(work, 't.json'),
      hide: [suite],
      sampling: {},
    });
    expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'pass', reward: 1 });
  }, 120_000);
});
