import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src/run/status-file.js';
import { cliArgs, repoRoot, spawnCli, tempDir as makeTempDir } from '../helpers/cli.js';

// End to end: `brainbench --demo` in a real terminal (tmux at 80×24 and 120×40), driven by keystrokes.
const session = `bb-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);

function killSession(): void {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // not running
  }
}

/** A new terminal (80×24 unless told) running a plain shell. */
function freshTerminal(columns = 80, rows = 24): void {
  killSession();
  tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), '-c', repoRoot, 'bash --norc --noprofile');
}

const dirs: string[] = [];
/** A temp folder removed after the tests. */
function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  dirs.push(dir);
  return dir;
}

async function waitUntil(what: string, test: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitForScreen(what: string, test: (s: string) => boolean, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = screen();
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; screen was:\n${last}`);
}

/** The cockpit's screen as one text: lines trimmed and joined, so wrapped text reads as written. */
const unwrapped = (screenText: string) => screenText.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');

describe('the cockpit in tmux', () => {
  afterAll(() => {
    killSession();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const [columns, rows] of [[80, 24], [120, 40]] as const) {
    it(`at ${columns}×${rows}: e shows the last error in full, and no run id is ever cut off`, async () => {
      const dir = tempDir('bb-tmux-err-');
      const results = join(dir, 'results');
      const lanes = join(dir, 'lanes.yaml');
      const bin = join(dir, 'nowhere', 'bin', 'llama-server');
      const model = join(dir, 'nowhere', 'models', 'missing-model.gguf');
      writeFileSync(lanes, `version: 1\nlanes:\n  - id: demo\n    kind: demo\n    tok_per_sec: 60\n  - id: llama-missing\n    kind: llamacpp\n    model: ${model}\n    bin: ${bin}\n    port: 18555\n`);
      const [node, args] = cliArgs(['--demo', '-n', '2', '--lanes-file', lanes, '--results', results]);
      const command = [node, ...args].map((a) => `'${a}'`).join(' ');
      freshTerminal(columns, rows);
      keys(`BRAINBENCH_STATE_DIR='${join(dir, 'state')}' BRAINBENCH_CONFIG_DIR='${join(dir, 'config')}' ${command}; echo "exited with $?"`, 'Enter');
      // a ✓ in the matrix row, not the legend's '✓ pass' (there from the first frame, before the run starts)
      await waitForScreen('a finished attempt', (s) => /p1_read_grounding\s+✓/.test(s));

      // x stops the run: the header says stopped, the warning names the run id to resume
      keys('x');
      const stopped = await waitForScreen('the stopped run', (s) => /run \d\d:\d\d:\d\d stopped/.test(s) && s.includes('e: full error'));
      const runId = readdirSync(join(results, 'runs'))[0]!;
      const prefix = runId.slice(0, 15);
      // wherever the run id shows, it shows whole (cut lines end at a space, not inside a word)
      expect(stopped.split(prefix).length).toBe(stopped.split(runId).length);
      for (const line of stopped.split('\n')) expect(line.length).toBeLessThanOrEqual(columns);
      keys('e');
      const resume = await waitForScreen('the full warning', (s) => s.includes('Last error in full'));
      expect(unwrapped(resume)).toContain(`brainbench run --resume ${runId}`);
      keys('Escape');
      await waitForScreen('the matrix again', (s) => s.includes('─ events'));

      // a lane whose binary is missing: the error names the path to fix, in full
      keys('1');
      await waitForScreen('the swap error', (s) => s.includes('swap to llama-missing'));
      keys('e');
      const error = unwrapped(await waitForScreen('the full error', (s) => s.includes('Last error in full')));
      // a path longer than a line is broken across lines: compare without the breaks
      const solid = (text: string) => text.replace(/\s+/g, '');
      expect(solid(error)).toContain(solid(`looked for '${bin}'`));
      expect(solid(error)).toContain(solid(`model file '${model}' not found`));
      expect(error).toContain('lanes.yaml');
      keys('Escape');
      keys('q');
      await waitForScreen('the shell prompt', (s) => s.includes('exited with 0'), 20_000);
    }, 120_000);
  }

  it('fills the matrix, shows gauges, swaps lanes, opens a detail and exits cleanly', async () => {
    const dir = tempDir('bb-tmux-');
    const lanes = join(dir, 'lanes.yaml');
    writeFileSync(lanes, 'version: 1\nlanes:\n  - id: demo\n    kind: demo\n    tok_per_sec: 60\n  - id: demo-weak\n    kind: demo\n    brain: weak\n    tok_per_sec: 60\n');
    const [node, args] = cliArgs(['--demo', '-n', '3', '--lanes-file', lanes, '--results', join(dir, 'results')]);
    const command = [node, ...args].map((a) => `'${a}'`).join(' ');
    const env = `BRAINBENCH_STATE_DIR='${join(dir, 'state')}' BRAINBENCH_CONFIG_DIR='${join(dir, 'config')}'`;
    freshTerminal();
    keys(`${env} ${command}; echo "exited with $?"`, 'Enter');

    // the matrix fills in by itself
    const filled = await waitForScreen('two finished rows', (s) => (s.match(/✓ +✓ +✓ +3\/3/g) ?? []).length >= 2);
    expect(filled).toContain('brainbench');
    expect(filled).toMatch(/lane ● demo/);
    expect(filled).toMatch(/p1_read_ground\S*\s+✓\s+✓\s+✓\s+3\/3\s+100%/);
    expect(filled).toMatch(/MEM\s+\S+ [\d.]+\/\d+ GB/); // unified memory gauge
    expect(filled).toContain('no GPU'); // no nvidia-smi here
    expect(filled).toContain('q quit');
    for (const line of filled.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

    // Enter on a finished cell opens the attempt; Esc goes back
    keys('Home');
    keys('Up');
    for (let i = 0; i < 15; i++) keys('Up');
    keys('Left', 'Left');
    keys('Enter');
    const detail = await waitForScreen('the attempt detail', (s) => s.includes('Attempt detail'));
    expect(detail).toMatch(/p1_read_grounding · attempt 1 · ✓ pass/);
    expect(detail).toContain('read_file');
    keys('Escape');
    await waitForScreen('the matrix again', (s) => s.includes('pass agree'));

    // a digit during the run asks first; m moves the run to the other lane (the demo lane is d)
    keys('1');
    await waitForScreen('the swap confirm', (s) => s.includes('[esc] cancel'));
    keys('m');
    const swapped = await waitForScreen('the weak lane resident', (s) => /lane ● demo-weak/.test(s) && /✓|✗/.test(s.split('\n').slice(2, 6).join('')));
    expect(swapped).toMatch(/\[1\] demo-weak ●/);
    expect(swapped).toMatch(/\[d\] demo ○/);

    // q quits, leaves the alternate screen and gives the shell back
    keys('q');
    const after = await waitForScreen('the shell prompt', (s) => s.includes('exited with 0'), 20_000);
    expect(after).not.toContain('pass agree');
    expect(tmux('display-message', '-p', '-t', session, '#{alternate_on}').trim()).toBe('0');
  }, 120_000);

  it('--demo --brain weak swaps to and records the demo lane under its variant id, demo+weak', async () => {
    const dir = tempDir('bb-tmux-brain-');
    const results = join(dir, 'results');
    const lanes = join(dir, 'lanes.yaml');
    writeFileSync(lanes, 'version: 1\nlanes:\n  - id: demo\n    kind: demo\n    tok_per_sec: 400\n');
    const [node, args] = cliArgs(['--demo', '--brain', 'weak', '-n', '1', '--lanes-file', lanes, '--results', results]);
    const command = [node, ...args].map((a) => `'${a}'`).join(' ');
    freshTerminal();
    keys(`BRAINBENCH_STATE_DIR='${join(dir, 'state')}' BRAINBENCH_CONFIG_DIR='${join(dir, 'config')}' ${command}; echo "exited with $?"`, 'Enter');
    const done = await waitForScreen('the run done', (s) => /run \d\d:\d\d:\d\d done/.test(s), 90_000);
    expect(done).toMatch(/lane ● demo\+weak \(simulated\)/);
    expect(done).toMatch(/\[d\] demo\+weak ●/);
    expect(done).toMatch(/p2_multistep_chain\s+✗/); // the weak brain skips the second step
    await waitUntil('the scorecard', () => existsSync(join(results, 'demo+weak.json')));
    expect(existsSync(join(results, 'demo.json'))).toBe(false);
    expect(readFileSync(join(results, 'summary.md'), 'utf8')).toContain('demo+weak');
    keys('q');
    await waitForScreen('the shell prompt', (s) => s.includes('exited with 0'), 20_000);
  }, 120_000);

  it('attaches to a detached run, shows the journal counts, pauses it, and quitting leaves it going', async () => {
    const dir = tempDir('bb-attach-');
    const results = join(dir, 'results');
    const lanes = join(dir, 'lanes.yaml');
    writeFileSync(lanes, 'version: 1\nlanes:\n  - id: night\n    kind: demo\n    tok_per_sec: 40\n');
    const env = { BRAINBENCH_STATE_DIR: join(dir, 'state'), BRAINBENCH_CONFIG_DIR: join(dir, 'config') };
    const started = await spawnCli(['run', '--lane', 'night', '-n', '2', '--lanes-file', lanes, '--results', results, '--detach'], { env });
    expect(started.exitCode, String(started.stderr)).toBe(0);
    const runDir = () => join(results, 'runs', readdirSync(join(results, 'runs'))[0]!);
    const status = () => JSON.parse(readFileSync(join(runDir(), 'status.json'), 'utf8')) as RunStatus;
    const journalCount = () => (existsSync(join(runDir(), 'journal.jsonl')) ? readFileSync(join(runDir(), 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).length : 0);

    await waitUntil('the detached runner to start', () => existsSync(join(results, 'runs')) && existsSync(join(runDir(), 'status.json')));
    const [node, args] = cliArgs(['--lanes-file', lanes, '--results', results]);
    const command = [node, ...args].map((a) => `'${a}'`).join(' ');
    const envs = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ');
    freshTerminal();
    keys(`${envs} ${command}; echo "exited with $?"`, 'Enter');
    await waitForScreen('the attached run', (s) => s.includes('attached to run') || /attempt \d+\/26/.test(s));
    await waitUntil('a few attempts', () => journalCount() >= 3);

    // pause from the cockpit: the run's process gets the signal and stops starting attempts
    keys('p');
    await waitUntil('the run paused', () => status().state === 'paused');
    await new Promise((r) => setTimeout(r, 2500)); // the attempt in flight finishes
    const count = journalCount();
    const frame = await waitForScreen('the frame to match the journal', (s) => s.includes(`attempt ${count}/26`), 10_000);
    expect(frame).toMatch(/lane ● night/);
    expect(frame.match(/✓/g)?.length ?? 0).toBeGreaterThanOrEqual(count);

    keys('q');
    await waitForScreen('the shell prompt', (s) => s.includes('exited with 0'), 20_000);
    const pid = status().pid;
    expect(() => process.kill(pid, 0)).not.toThrow(); // the detached run is still there
    process.kill(pid, 'SIGUSR2'); // resume it: it goes on from where it was
    await waitUntil('the run to go on', () => journalCount() > count && status().state === 'running', 30_000);
    process.kill(pid, 'SIGTERM');
    await waitUntil('the run to stop', () => status().state === 'stopped', 30_000);
  }, 150_000);
});
