// Issue 13 with issue 11's rule: a builtin trial's run_shell finds nothing of lanes.yaml or the results
// folder wherever they are installed — /srv (outside every folder the sandbox binds) and under /usr
// (inside a bound system folder, where only the task runner's `hide` list covers them).
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeLane } from '../../src/demo/server.js';
import type { Solutions } from '../../src/demo/solutions.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { spawnCli } from '../helpers/cli.js';
import { tempDir, tmpTree } from '../helpers/tmp.js';

const bwrap = await sandboxAvailable();
if (!bwrap) console.log('skipping the hidden task-run paths test: bubblewrap cannot build a sandbox here');

const INSTRUCTION = 'Peek at the host.';

/** A one-task Harbor suite, and the demo script that answers its instruction by running `command`. */
function peekTask(command: string): { suite: string; solutions: Solutions } {
  const suite = tmpTree(
    {
      'peek/instruction.md': `${INSTRUCTION}\n`,
      'peek/task.toml': '[agent]\ntimeout_sec = 60\n[verifier]\ntimeout_sec = 30\n',
      'peek/environment/Dockerfile': 'FROM debian:bookworm-slim\nWORKDIR /app\n',
      'peek/tests/test.sh': '#!/bin/bash\nmkdir -p /logs/verifier\necho 0 > /logs/verifier/reward.txt\n',
    },
    'bb-hidden-task-',
  );
  chmodSync(suite, 0o755);
  const steps = [{ tool: 'run_shell', args: { command } }];
  return { suite, solutions: { suite: 'hidden', prompts: { peek: { match: INSTRUCTION, steps, answer: 'Nothing found.' } } } };
}

/** Every transcript the run wrote, concatenated. */
function transcripts(results: string): string {
  const runs = join(results, 'runs');
  return readdirSync(runs, { recursive: true, encoding: 'utf8' })
    .filter((rel) => rel.includes('transcripts') && rel.endsWith('.json'))
    .map((rel) => readFileSync(join(runs, rel), 'utf8'))
    .join('\n');
}

describe.runIf(bwrap)('a task run hides lanes.yaml and the results folder from the builtin agent', () => {
  it.each(['/srv', '/usr/local/share'])('installed under %s', async (parent) => {
    const canary = `canary-${randomBytes(6).toString('hex')}`;
    const home = tempDir(`bb-hidden-${process.pid}-`, parent);
    // readable by anyone: only the sandbox may stand between the model and these files
    chmodSync(home, 0o755);
    const results = join(home, 'results');
    mkdirSync(results, { mode: 0o755 });
    writeFileSync(join(results, 'summary.md'), `${canary} results\n`, { mode: 0o644 });
    const lanesFile = join(home, 'lanes.yaml');

    const { suite, solutions } = peekTask(`cat ${lanesFile}; cat ${join(results, 'summary.md')}; echo shell-ran-${canary.slice(-4)}`);
    const fake = await startFakeLane({ brain: 'strong', tokPerSec: 0, solutions });
    try {
      writeFileSync(lanesFile, `# ${canary} lanes\nversion: 1\nlanes:\n  - id: remote\n    kind: openai\n    base_url: ${fake.url}/v1\n    model: demo\n`, { mode: 0o644 });
      const run = await spawnCli(['run', '--lane', 'remote', '--suite', suite, '--harness', 'builtin', '--lanes-file', lanesFile, '--results', results], {
        env: { BRAINBENCH_STATE_DIR: tempDir('bb-hidden-state-') },
      });
      expect(run.exitCode, String(run.stdout) + String(run.stderr)).toBe(0);
      const seen = transcripts(results);
      expect(seen).toContain(`shell-ran-${canary.slice(-4)}`); // the command really ran in the trial's sandbox
      expect(seen).not.toContain(`${canary} lanes`);
      expect(seen).not.toContain(`${canary} results`);
    } finally {
      await fake.close();
    }
  }, 60_000);
});
