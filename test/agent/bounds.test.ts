// Hard deadlines and bounds within one attempt: file tools never block on a FIFO, the attempt
// timeout interrupts shell calls in flight, and a turn of thousands of calls still gives a record.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_TOOL_CALLS_PER_TURN, runAttempt, type AttemptOptions } from '../../src/agent/attempt.js';
import { createToolbox } from '../../src/agent/tools.js';
import { writeTranscript } from '../../src/agent/transcript.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import type { Prompt } from '../../src/types.js';
import { startScriptedLane, type CannedTurn, type ScriptedLane } from './scriptedLane.js';
import { tempDir } from '../helpers/tmp.js';

const shell = await sandboxAvailable();
if (!shell) console.log('skipping the slow run_shell turn: bubblewrap cannot build a sandbox here');

let base: string;
let work: string;
let lane: ScriptedLane | undefined;

const prompt: Prompt = {
  id: 'bounds',
  prompt: 'Read everything.',
  category: 'multi-step',
  core: true,
  vibe: false,
  expect_tool_any: ['read_file'],
  check: { kind: 'substring', any: ['done'] },
  source: { file: 'prompts.jsonl', line: 1 },
  extra: {},
};

beforeEach(() => {
  // Not under TMPDIR (private to root), and open to others: the sandbox's uid must reach the work folder.
  base = tempDir('bb-bounds-', '/tmp');
  chmodSync(base, 0o755);
  work = join(base, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'big.txt'), 'x'.repeat(64 * 1024));
});

afterEach(async () => {
  await lane?.close();
  lane = undefined;
});

async function attempt(script: CannedTurn[], overrides: Partial<AttemptOptions> = {}) {
  lane = await startScriptedLane(script);
  const transcriptPath = join(base, 'transcript.json');
  const run = await runAttempt({
    baseURL: lane.baseURL,
    model: 'bench-model',
    prompt,
    workDir: work,
    transcriptPath,
    sampling: {},
    turnBudget: 12,
    timeoutS: 20,
    shell: false,
    ...overrides,
  });
  return { run, transcript: () => JSON.parse(readFileSync(transcriptPath, 'utf8')) as { messages: { role: string; content: string }[] } };
}

describe('file tools and FIFOs', () => {
  it('read_file, write_file and grep refuse a FIFO at once instead of blocking', async () => {
    execFileSync('mkfifo', [join(work, 'pipe')]);
    const box = createToolbox(work, { shell: false });
    const results = await Promise.all([
      box.call('read_file', JSON.stringify({ path: 'pipe' })),
      box.call('write_file', JSON.stringify({ path: 'pipe', content: 'x' })),
      box.call('grep', JSON.stringify({ pattern: 'x', path: 'pipe' })),
      box.call('grep', JSON.stringify({ pattern: 'x{5}' })),
    ]);
    expect(results.map((r) => r.content)).toEqual([
      "ERROR: is not a regular file: 'pipe'",
      "ERROR: is not a regular file: 'pipe'",
      "ERROR: is not a regular file: 'pipe'",
      'big.txt:1:' + 'x'.repeat(300) + '…',
    ]);
  });
});

describe('a turn of many tool calls', () => {
  it('runs at most the per-turn cap, answers the rest with an error, and records the attempt', async () => {
    const reads = Array.from({ length: 3000 }, () => ({ name: 'read_file', arguments: JSON.stringify({ path: 'big.txt' }) }));
    const { run, transcript } = await attempt([
      { kind: 'turn', toolCalls: reads },
      { kind: 'turn', content: 'done' },
    ]);
    expect(run.status).toBe('completed');
    expect(run.answer).toBe('done');
    expect(run.tool_calls.filter((c) => c.ok)).toHaveLength(MAX_TOOL_CALLS_PER_TURN);
    expect(run.tool_calls.length).toBeLessThan(reads.length);
    const tools = transcript().messages.filter((m) => m.role === 'tool');
    expect(tools).toHaveLength(reads.length);
    expect(tools.at(-1)!.content).toBe(`ERROR: not run: at most ${MAX_TOOL_CALLS_PER_TURN} tool calls per turn`);
  });

  it.runIf(shell)('eight slow run_shell calls end with the attempt timeout, not after all of them', async () => {
    const sleepS = 5;
    const calls = Array.from({ length: 8 }, () => ({ name: 'run_shell', arguments: JSON.stringify({ command: `sleep ${sleepS}` }) }));
    const { run } = await attempt([{ kind: 'turn', toolCalls: calls }], { shell: true, timeoutS: 2 });
    expect(run.status).toBe('runaway');
    // The first call is cut by the deadline and none of the others starts.
    expect(run.tool_calls).toHaveLength(1);
    expect(run.tool_calls[0]!.result).toMatch(/^ERROR: (the attempt ended|command timed out)/);
    expect(run.wall_s).toBeLessThan(calls.length * sleepS);
  });
});

describe('the transcript writer', () => {
  it('never throws on what it cannot serialise: it keeps the rest and says it dropped the messages', async () => {
    const path = join(base, 'odd.json');
    const circular: Record<string, unknown> = { role: 'tool' };
    circular.self = circular;
    const input = { prompt_id: 'p', model: 'm', baseURL: 'http://u:pw@h/v1', sampling: {}, tools: [], turns: [], status: 'completed', error: null, wall_s: 1 };
    await expect(writeTranscript(path, { ...input, messages: [circular] })).resolves.toBeNull();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ messages: [], truncated: true, base_url: 'http://h/v1' });
    expect(await writeTranscript(join(work, 'big.txt', 'not-a-dir.json'), { ...input, messages: [] })).toMatch(/^cannot write the transcript .*not-a-dir\.json/);
  });
});
