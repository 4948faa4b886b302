// --parallel K (issue 7): up to K attempts in flight against the lane, each with its own timings,
// the same verdicts as a sequential run, and K defaulting to the lane's slot count (/props).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { eventsFromJsonLines, maxAttemptsInFlight } from '../../bench/lib/events.js';
import { loadBrainV1, runOnFakeLane, type FakeRun } from '../../bench/lib/fakeRun.js';
import { main } from '../../src/cli.js';
import type { BrainName } from '../../src/demo/brains.js';
import type { AttemptRecord, LaneScorecard, Suite } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';

let stdout: MockInstance<typeof process.stdout.write>;

beforeAll(() => {
  process.env.BRAINBENCH_STATE_DIR = tempDir('bb-state-');
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

const slotOf = (r: AttemptRecord) => `${r.prompt_id}#${r.attempt}`;
const bySlot = (run: FakeRun) => new Map(run.result.records.map((r) => [slotOf(r), r]));

describe('--parallel default', () => {
  it("takes the demo lane's slot count from /props: 4 slots → 4 in flight, recorded in the scorecard", async () => {
    const dir = tempDir('bb-par-');
    const lanesFile = join(dir, 'lanes.yaml');
    writeFileSync(lanesFile, 'version: 1\nlanes:\n  - id: demo4\n    kind: demo\n    brain: strong\n    slots: 4\n');
    stdout.mockClear();
    const code = await main(['run', '--lanes-file', lanesFile, '--lane', 'demo4', '-n', '2', '--tok-per-sec', '100000', '--json', '--stop-after', '--results', dir]);
    expect(code).toBe(0);
    const events = eventsFromJsonLines(stdout.mock.calls.map((call) => call[0]));
    const start = events.find((e) => e.type === 'run.start');
    expect(start?.type === 'run.start' && start.parallel).toBe(4);
    const inFlight = maxAttemptsInFlight(events);
    expect(inFlight).toBeLessThanOrEqual(4);
    expect(inFlight).toBeGreaterThanOrEqual(3);
    const card = JSON.parse(readFileSync(join(dir, 'demo4.json'), 'utf8')) as LaneScorecard;
    expect(card.reproducibility.parallel).toBe(4);
    expect(card.core_pass).toBe(card.core_n);
  });
});

describe('--parallel 4 against a fake lane with 4 slots', () => {
  let suite: Suite;
  let sequential: FakeRun;
  let parallel: FakeRun;

  beforeAll(async () => {
    // six prompts, 200 tok/s per slot: attempts of 0.1–0.5 s, long enough to overlap and to time
    const full = await loadBrainV1();
    suite = { ...full, prompts: full.prompts.slice(0, 6) };
    sequential = await runOnFakeLane({ brain: 'strong', suite, n: 2, parallel: 1, slots: 4, tokPerSec: 200 });
    parallel = await runOnFakeLane({ brain: 'strong', suite, n: 2, parallel: 4, slots: 4, tokPerSec: 200 });
  }, 60_000);

  it('never has more than 4 requests at the lane, and at least 3 at some point', () => {
    expect(sequential.laneStats.maxInFlight).toBe(1);
    expect(parallel.laneStats.maxInFlight).toBeLessThanOrEqual(4);
    expect(parallel.laneStats.maxInFlight).toBeGreaterThanOrEqual(3);
    expect(maxAttemptsInFlight(parallel.events)).toBe(4);
    expect(parallel.wallS).toBeLessThan(sequential.wallS / 2);
  });

  it("gives each attempt its own wall time, TTFT and tokens, not the batch's", () => {
    const alone = bySlot(sequential);
    const records = parallel.result.records;
    expect(records).toHaveLength(12);
    // The fake lane keeps each slot's prompt cache, as llama-server does: the first request on a
    // cold slot prefills the shared system prompt and tools (~0.3 s here). Sequentially one attempt
    // pays that, in parallel four do, so TTFT may differ by the prefill; the time after the first
    // token is the attempt's own decoding and tool turns, the same however many run beside it.
    const prefillS = 0.45;
    for (const r of records) {
      const solo = alone.get(slotOf(r))!;
      expect(r.tokens, slotOf(r)).toEqual(solo.tokens);
      expect(r.ttft_s).not.toBeNull();
    }
    // A busy machine stalls single attempts now and then, in either run; each prompt is judged by
    // the quicker of its two attempts (same tokens, same work) so one stall cannot decide it.
    const after = (x: AttemptRecord) => x.wall_s - x.ttft_s!;
    const quickest = (run: FakeRun, id: string, time: (x: AttemptRecord) => number) =>
      Math.min(...run.result.records.filter((x) => x.prompt_id === id).map(time));
    for (const { id } of suite.prompts) {
      const ttft = (x: AttemptRecord) => x.ttft_s!;
      expect(Math.abs(quickest(parallel, id, ttft) - quickest(sequential, id, ttft)), id).toBeLessThan(prefillS);
      const ratio = quickest(parallel, id, after) / quickest(sequential, id, after);
      expect(ratio, id).toBeGreaterThan(0.6);
      expect(ratio, id).toBeLessThan(1.6);
    }
    // the attempts overlapped: their walls add up to far more than the run's own wall time
    const summed = records.reduce((sum, r) => sum + r.wall_s, 0);
    expect(summed).toBeGreaterThan(2.5 * parallel.wallS);
  });
});

describe('parallel results equal sequential results for deterministic brains', () => {
  const brains: BrainName[] = ['strong', 'weak', 'broken-json'];
  it.each(brains)('%s', async (brain) => {
    const suite = await loadBrainV1();
    const seq = await runOnFakeLane({ brain, suite, n: 2, parallel: 1, slots: 4, tokPerSec: 0 });
    const par = await runOnFakeLane({ brain, suite, n: 2, parallel: 4, slots: 4, tokPerSec: 0 });
    const verdict = (r: AttemptRecord) => ({
      outcome: r.outcome,
      check_passed: r.check_passed,
      why: r.why,
      tools_called: r.tools_called,
      answer: r.answer,
      tokens: r.tokens,
    });
    const seqSlots = bySlot(seq);
    expect(par.result.records.length).toBe(seq.result.records.length);
    for (const r of par.result.records) expect(verdict(r), slotOf(r)).toEqual(verdict(seqSlots.get(slotOf(r))!));
    const rates = (card: LaneScorecard) => card.prompts.map((p) => [p.prompt_id, p.pass_rate, p.agreement]);
    expect(rates(par.card)).toEqual(rates(seq.card));
    expect(par.card.reproducibility.parallel).toBe(4);
  });
});
