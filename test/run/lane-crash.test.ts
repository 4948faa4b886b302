// A lane that dies mid-run (issue 3): the fake llama-server as a real child process, SIGKILLed
// while the suite runs. The attempt in flight is a lane_error, the lane is restarted, the slot is
// retried, and the run completes with every slot filled.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { eventsFromJsonLines } from '../../bench/lib/events.js';
import { main } from '../../src/cli.js';
import { LaneManager } from '../../src/lanes/manager.js';
import { loadManifest } from '../../src/lanes/manifest.js';
import type { AttemptRecord, LaneScorecard } from '../../src/types.js';
import { fakeModel, fakeServer, freePort, tempDir, writeManifest } from '../lanes/helpers.js';

const LANE = 'crashy';
let stateDir: string;
let lanesFile: string;
let stdout: MockInstance<typeof process.stdout.write>;

/** A manager of our own over the same state dir: it sees the run's lane like `brainbench lanes` does. */
async function observer(): Promise<LaneManager> {
  return new LaneManager({ manifest: await loadManifest(lanesFile), logDir: tempDir('bb-observer-'), stateDir });
}

function journalOf(results: string): AttemptRecord[] {
  const runs = join(results, 'runs');
  if (!existsSync(runs)) return [];
  const [runId] = readdirSync(runs);
  const path = join(runs, runId ?? '', 'journal.jsonl');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AttemptRecord) : [];
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  stateDir = tempDir('bb-state-');
  process.env.BRAINBENCH_STATE_DIR = stateDir;
  const port = await freePort();
  // 150 tok/s: an attempt takes 0.1–0.6 s, so the kill lands while the suite runs
  lanesFile = writeManifest(
    `version: 1\nlanes:\n  - id: ${LANE}\n    kind: llamacpp\n    model: ${fakeModel}\n    bin: ${fakeServer}\n    port: ${port}\n    ctx: 4096\n    ready_timeout_s: 30\n    args: [--tok-per-sec, "150"]\n`,
  );
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterAll(async () => {
  await (await observer()).stopAll();
});

describe('lane killed mid-run', () => {
  it('one lane_error, the lane restarted, the run completes with every slot filled', async () => {
    const results = tempDir('bb-crash-');
    const run = main(['run', '--lanes-file', lanesFile, '--lane', LANE, '-n', '1', '--json', '--stop-after', '--results', results]);

    await waitFor('two journaled attempts', () => (journalOf(results).length >= 2 ? true : undefined));
    const [status] = await (await observer()).status();
    expect(status).toMatchObject({ id: LANE, state: 'ready' });
    const killedPid = status!.pid!;
    process.kill(killedPid, 'SIGKILL');
    const journaledBeforeKill = journalOf(results).length;

    expect(await run).toBe(0);
    const journal = journalOf(results);
    const laneErrors = journal.filter((r) => r.outcome === 'lane_error');
    expect(laneErrors).toHaveLength(1);
    const lost = laneErrors[0]!;
    expect(journal.indexOf(lost)).toBeGreaterThanOrEqual(journaledBeforeKill);
    // the slot it left is filled by a retry on the restarted lane
    const retry = journal.find((r) => r.retry && r.prompt_id === lost.prompt_id && r.attempt === lost.attempt);
    expect(retry?.outcome).toBe('pass');

    const events = eventsFromJsonLines(stdout.mock.calls.map((call) => call[0]));
    const states = events.flatMap((e) => (e.type === 'lane.state' && e.lane === LANE ? [e.state] : []));
    const crashedAt = states.indexOf('crashed');
    expect(crashedAt).toBeGreaterThan(0);
    expect(states.slice(crashedAt)).toContain('ready');
    expect(states.filter((s) => s === 'crashed')).toHaveLength(1);
    expect(events.some((e) => e.type === 'run.paused')).toBe(false);

    const card = JSON.parse(readFileSync(join(results, `${LANE}.json`), 'utf8')) as LaneScorecard;
    const ran = card.prompts.filter((p) => p.skipped === undefined);
    expect(ran.length).toBeGreaterThanOrEqual(11);
    for (const p of ran) expect(p, p.prompt_id).toMatchObject({ runs: 1, pass_count: 1 });
    expect(card.tokens_per_sec).toBeGreaterThan(0);
  }, 90_000);
});
