import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { AttachController } from '../../src/cockpit/attach-controller.js';
import { EventBus } from '../../src/events.js';
import type { RunStatus } from '../../src/run/status-file.js';
import type { AttemptRecord, LaneScorecard } from '../../src/types.js';
import { cliArgs, repoRoot, spawnCli, tempDir } from '../helpers/cli.js';

// Overnight queues: detached runs that outlive their terminal, kills, resumes and `status`.

function twoLaneManifest(dir: string, tokPerSec: number, extra = ''): string {
  const file = join(dir, 'lanes.yaml');
  writeFileSync(
    file,
    `version: 1
lanes:
  - id: fake-a
    kind: demo
    brain: strong
    tok_per_sec: ${tokPerSec}
  - id: fake-b
    kind: demo
    brain: weak
    tok_per_sec: ${tokPerSec}
${extra}`,
  );
  return file;
}

const runIdIn = (results: string) => readdirSync(join(results, 'runs'))[0]!;
const statusOf = (results: string): RunStatus | null => {
  const path = join(results, 'runs', runIdIn(results), 'status.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RunStatus) : null;
};
const journal = (results: string): AttemptRecord[] => {
  if (!existsSync(join(results, 'runs'))) return [];
  const path = join(results, 'runs', runIdIn(results), 'journal.jsonl');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AttemptRecord) : [];
};

async function waitFor<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('overnight queue', () => {
  it('a detached queue survives SIGHUP to its parent and to itself, and finishes both lanes', async () => {
    const dir = tempDir('bb-night-');
    const results = join(dir, 'results');
    const lanes = twoLaneManifest(dir, 400);
    const env = { ...process.env, BRAINBENCH_STATE_DIR: join(dir, 'state') };
    // The "SSH session": a shell in its own process group that starts the detached run and lingers.
    const [node, args] = cliArgs(['run', '--lanes', 'fake-a,fake-b', '-n', '2', '--lanes-file', lanes, '--results', results, '--detach']);
    const quoted = [node, ...args].map((a) => `'${a}'`).join(' ');
    const session = execa('bash', ['-c', `${quoted}; sleep 60`], { cwd: repoRoot, env, detached: true, reject: false });
    const status = await waitFor('the runner to start', () => (existsSync(join(results, 'runs')) ? statusOf(results) : null));
    process.kill(-session.pid!, 'SIGHUP'); // the SSH session ends: its whole group gets SIGHUP
    process.kill(status.pid, 'SIGHUP'); // and even a stray SIGHUP to the runner itself is ignored
    await session;
    const final = await waitFor('the queue to finish', () => {
      const s = statusOf(results);
      return s && s.state !== 'running' ? s : null;
    });
    expect(final.state).toBe('done');
    expect(final.lanesDone).toEqual(['fake-a', 'fake-b']);
    const a = JSON.parse(readFileSync(join(results, 'fake-a.json'), 'utf8')) as LaneScorecard;
    const b = JSON.parse(readFileSync(join(results, 'fake-b.json'), 'utf8')) as LaneScorecard;
    expect(a.reproducibility.run_id).toBe(b.reproducibility.run_id);
    const summary = readFileSync(join(results, 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| 1 \| fake-a \(simulated\) \|/);
    expect(summary).toMatch(/\| 2 \| fake-b \(simulated\) \|/);
  }, 120_000);

  it('SIGKILL mid-queue, then --resume: every (lane, prompt, attempt) exactly once', async () => {
    const dir = tempDir('bb-kill-');
    const results = join(dir, 'results');
    const lanes = twoLaneManifest(dir, 300);
    const env = { BRAINBENCH_STATE_DIR: join(dir, 'state') };
    const args = ['run', '--lanes', 'fake-a,fake-b', '-n', '2', '--lanes-file', lanes, '--results', results];
    const child = spawnCli(args, { env });
    // kill once the second lane has begun, so one lane is finished and one is half done
    await waitFor('the second lane to start', () => journal(results).some((r) => r.lane === 'fake-b'));
    child.kill('SIGKILL');
    await child;
    const before = journal(results);
    expect(statusOf(results)!.state).toBe('running'); // what a killed run leaves behind

    const died = await spawnCli(['status', '--results', results], { env });
    expect(died.stdout).toContain('died');
    expect(died.stdout).toContain(`brainbench run --resume ${runIdIn(results)}`);

    const resumed = await spawnCli(['run', '--resume', runIdIn(results), '--results', results], { env });
    expect(resumed.exitCode, String(resumed.stderr)).toBe(0);
    expect(resumed.stdout).toContain('lane fake-a already finished');
    const after = journal(results);
    expect(after.slice(0, before.length)).toEqual(before);
    const keys = after.map((r) => `${r.lane}/${r.prompt_id}#${r.attempt}`);
    expect(new Set(keys).size).toBe(keys.length);
    const perLane = (lane: string) => after.filter((r) => r.lane === lane).length;
    expect(perLane('fake-a')).toBe(perLane('fake-b'));
    expect(perLane('fake-a')).toBeGreaterThanOrEqual(24);
  }, 120_000);

  it('an attached cockpit reorders a detached queue: the lane due next runs last', async () => {
    const dir = tempDir('bb-order-');
    const results = join(dir, 'results');
    const lanes = twoLaneManifest(dir, 200, '  - id: fake-c\n    kind: demo\n    brain: strong\n    tok_per_sec: 200\n');
    const env = { BRAINBENCH_STATE_DIR: join(dir, 'state') };
    const started = await spawnCli(['run', '--lanes', 'fake-a,fake-b,fake-c', '-n', '1', '--lanes-file', lanes, '--results', results, '--detach'], { env });
    expect(started.exitCode, String(started.stderr)).toBe(0);
    const first = await waitFor('the first lane', () => {
      const s = existsSync(join(results, 'runs')) ? statusOf(results) : null;
      return s?.lane === 'fake-a' ? s : null;
    });
    const runDir = join(results, 'runs', runIdIn(results));
    const order = await new AttachController(runDir, first.pid, results, new EventBus()).deferNextLane();
    expect(order).toEqual(['fake-a', 'fake-c', 'fake-b']);
    const final = await waitFor('the queue to finish', () => {
      const s = statusOf(results);
      return s && s.state !== 'running' ? s : null;
    });
    expect(final.state).toBe('done');
    expect(final.lanesDone).toEqual(['fake-a', 'fake-c', 'fake-b']);
    expect(final.queue).toEqual(['fake-a', 'fake-c', 'fake-b']);
  }, 120_000);

  it('status reports a running, a stopped, a done run and one whose lane could not start', async () => {
    const dir = tempDir('bb-status-');
    const env = { BRAINBENCH_STATE_DIR: join(dir, 'state') };
    const lanes = twoLaneManifest(
      dir,
      60,
      `  - id: broken
    kind: llamacpp
    bin: ${join(dir, 'no-such-llama-server')}
    model: m.gguf
    port: 18999
`,
    );

    const running = join(dir, 'running');
    const started = await spawnCli(['run', '--lane', 'fake-a', '-n', '2', '--lanes-file', lanes, '--results', running, '--detach'], { env });
    expect(started.stdout).toContain('brainbench status');
    await waitFor('a first attempt', () => journal(running).length > 0);
    const live = await spawnCli(['status', '--results', running], { env });
    expect(live.stdout).toMatch(/running \(pid \d+\)/);
    expect(live.stdout).toMatch(/attempt\s+\d+\/26/);
    expect(live.stdout).toContain('fake-a');
    process.kill(statusOf(running)!.pid, 'SIGTERM'); // stop it: it finishes the attempt in flight
    await waitFor('the run to stop', () => !alive(statusOf(running)!.pid) && statusOf(running)!.state !== 'running');
    const stopped = await spawnCli(['status', '--results', running], { env });
    expect(stopped.stdout).toContain('stopped');
    expect(stopped.stdout).toContain('brainbench run --resume');

    const finished = join(dir, 'finished');
    expect((await spawnCli(['run', '--lane', 'fake-b', '-n', '1', '--tok-per-sec', '100000', '--lanes-file', lanes, '--results', finished], { env })).exitCode).toBe(0);
    const done = await spawnCli(['status', '--results', finished], { env });
    expect(done.stdout).toMatch(/run \S+ {2}done/);
    expect(done.stdout).toMatch(/attempt\s+13\/13/);
    expect(done.stdout).not.toContain('--resume');

    const failed = join(dir, 'failed');
    const bad = await spawnCli(['run', '--lane', 'broken', '-n', '1', '--lanes-file', lanes, '--results', failed], { env });
    expect(bad.exitCode).toBe(1);
    const failedStatus = await spawnCli(['status', '--results', failed], { env });
    expect(failedStatus.stdout).toMatch(/run \S+ {2}stopped/); // a lane that could not start leaves work for --resume
    expect(failedStatus.stdout).toMatch(/last error\s+lane broken/);
  }, 120_000);
});
