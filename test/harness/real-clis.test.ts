// The presets against the real agent CLIs (issue 23): each CLI, installed from the npm registry at
// the pinned versions of .ci/install-harness-clis.sh, runs through brainbench on a one-task suite in
// the sandbox, against a scripted lane that calls the CLI's *own* shell tool. Expected: pass, the
// proxy recorded the turns and the lane's tokens, and no process of the CLI is left.
// Runs when BRAINBENCH_HARNESS_CLIS names the install prefix (its node_modules/.bin holds the CLIs).
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { externalHarness } from '../../src/harness/external.js';
import { harnessCatalog } from '../../src/harness/presets.js';
import type { ReadyLane } from '../../src/lanes/manager.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { bwrapEnvironment } from '../../src/tasks/environment.js';
import { loadTaskSuite } from '../../src/tasks/load.js';
import { runTrial } from '../../src/tasks/trial.js';
import { tempDir } from '../helpers/tmp.js';
import { startCliLane, type CliLane, type ShellCall } from './cliLane.js';

const prefix = process.env.BRAINBENCH_HARNESS_CLIS;
const bin = prefix && join(prefix, 'node_modules', '.bin');
const bwrap = await sandboxAvailable();
const why = !prefix
  ? 'BRAINBENCH_HARNESS_CLIS is not set (run .ci/install-harness-clis.sh and set it to the prefix it prints)'
  : !existsSync(bin!)
    ? `BRAINBENCH_HARNESS_CLIS=${prefix} has no node_modules/.bin (run .ci/install-harness-clis.sh)`
    : !bwrap
      ? 'bubblewrap cannot build a sandbox here'
      : null;
if (why) console.log(`skipping the real agent CLI trials: ${why}`);

/** Goes through /tmp on purpose: opencode without --auto rejects any access outside the workspace. */
const COMMAND = "printf 'hello\\n' > /tmp/bb-hello && cp /tmp/bb-hello /app/out.txt";

interface Case {
  id: string;
  program: string;
  shell: ShellCall;
}

const CASES: Case[] = [
  { id: 'pi', program: 'pi', shell: { tool: 'bash', arguments: { command: COMMAND } } },
  { id: 'qwen-code', program: 'qwen', shell: { tool: 'run_shell_command', arguments: { command: COMMAND, description: 'write hello' } } },
  { id: 'opencode', program: 'opencode', shell: { tool: 'bash', arguments: { command: COMMAND, description: 'write hello' } } },
  { id: 'claude-code', program: 'claude', shell: { tool: 'Bash', arguments: { command: COMMAND, description: 'write hello' } } },
  // codex speaks only the Responses API (/v1/responses), read by the proxy since issue 23 item 2
  { id: 'codex', program: 'codex', shell: { tool: 'exec_command', arguments: { cmd: COMMAND } } },
];

const HELLO_TEST = '#!/bin/bash\nmkdir -p /logs/verifier\nif grep -qx hello /app/out.txt 2>/dev/null; then echo 1; else echo 0; fi > /logs/verifier/reward.txt\n';

/** A folder the sandbox's uid can reach (tests' TMPDIR is private to this user). */
function shared(): string {
  const dir = tempDir('bb-real-cli-', '/tmp');
  chmodSync(dir, 0o755);
  return dir;
}

function suite(): string {
  const root = shared();
  const files: Record<string, string> = {
    'hello/instruction.md': 'Write the line hello to /app/out.txt using the shell.\n',
    'hello/task.toml': '[agent]\ntimeout_sec = 120\n[verifier]\ntimeout_sec = 30\n',
    'hello/tests/test.sh': HELLO_TEST,
    'hello/solution/solve.sh': 'echo hello > /app/out.txt\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** Processes whose command line names the CLI install (none may outlive its trial). */
function leftovers(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(prefix!) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

let lane: CliLane | undefined;
afterEach(async () => {
  await lane?.close();
  lane = undefined;
});

async function trialOf(c: Case) {
  lane = await startCliLane(c.shell);
  const ready: ReadyLane = { id: 'scripted', kind: 'openai', baseURL: lane.baseURL, model: 'bench-model', command: '', simulated: false, slots: null, metricsUrl: null, apiKey: 'lane-secret' };
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const dir = suite();
  const root = shared();
  const [task] = loadTaskSuite(dir).tasks;
  const result = await runTrial({
    task: task!, harness: externalHarness(harnessCatalog().get(c.id)!, env), environment: bwrapEnvironment([dir]), scratch: join(root, 'trial'),
    transcriptPath: join(root, 't.json'), hide: [dir, root], sampling: {}, lane: ready,
  });
  return { result, transcript: readFileSync(join(root, 't.json'), 'utf8') };
}

describe.skipIf(why !== null)('the presets on the real agent CLIs (scripted lane, real sandbox)', () => {
  for (const c of CASES) {
    it(`${c.id}: calls its own shell tool (${c.shell.tool}), passes; turns and tokens recorded; nothing left running`, async () => {
      const { result, transcript } = await trialOf(c);
      const seen = lane!.log;
      expect(result.outcome, `${result.why}\nlane saw: ${JSON.stringify(seen)}`).toBe('pass');
      expect(seen.some((r) => r.shellOffered && !r.answered), 'the CLI offered its shell tool').toBe(true);
      expect(result.agent!.toolsCalled).toContain(c.shell.tool);
      // the tool call and the answer, nothing else: side requests (titles, memory extraction) are off
      expect(seen.map((r) => r.answered), JSON.stringify(seen)).toEqual([false, true]);
      expect(result.agent!.turns).toBe(2);
      // every token the lane reported reached the proxy's count
      expect(result.agent!.tokens, `lane saw: ${JSON.stringify(seen)}`).toEqual({ prompt: lane!.usage.prompt, completion: lane!.usage.completion });
      expect(transcript).not.toContain('lane-secret');
      expect(leftovers()).toEqual([]);
    }, 240_000);
  }
});
