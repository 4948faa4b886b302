// --adaptive (issue 7): a prompt gets no more attempts once its majority verdict at N cannot
// change, is marked decided early, and its rates cover the attempts that ran; a prompt whose
// majority is still open runs on; with parallel slots, undecided prompts go first.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runOnFakeLane, runSuiteAt } from '../../bench/lib/fakeRun.js';
import { main } from '../../src/cli.js';
import { isDecided } from '../../src/run/schedule.js';
import { wilson95 } from '../../src/stats.js';
import { loadSuite } from '../../src/suite/load.js';
import type { AttemptRecord, EngineEvent, LaneScorecard } from '../../src/types.js';
import { startScriptedLane, type ScriptedLane } from '../agent/scriptedLane.js';
import { tempDir } from '../helpers/cli.js';

beforeAll(() => {
  process.env.BRAINBENCH_STATE_DIR = tempDir('bb-state-');
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

async function adaptiveCliRun(brain: string): Promise<{ card: LaneScorecard; journal: AttemptRecord[]; summary: string }> {
  const results = tempDir(`bb-adaptive-${brain}-`);
  const code = await main(['run', '--lane', 'demo', '--brain', brain, '-n', '5', '--adaptive', '--tok-per-sec', '100000', '--stop-after', '--results', results]);
  expect(code).toBe(0);
  const card = JSON.parse(readFileSync(join(results, `${brain === 'strong' ? 'demo' : `demo+${brain}`}.json`), 'utf8')) as LaneScorecard;
  const text = readFileSync(join(results, 'runs', card.reproducibility.run_id, 'journal.jsonl'), 'utf8');
  return { card, journal: text.trim().split('\n').map((l) => JSON.parse(l) as AttemptRecord), summary: readFileSync(join(results, 'summary.md'), 'utf8') };
}

describe('--adaptive at N=5 on deterministic brains', () => {
  it('strong: every prompt stops after 3 passes, decided early, rates over the 3 attempts', async () => {
    const { card, journal, summary } = await adaptiveCliRun('strong');
    expect(card.reproducibility).toMatchObject({ n: 5, adaptive: true });
    const ran = card.prompts.filter((p) => p.skipped === undefined);
    expect(ran.length).toBeGreaterThanOrEqual(11);
    for (const p of ran) {
      expect(p, p.prompt_id).toMatchObject({ runs: 3, pass_count: 3, pass_rate: 1, decided_early: true });
      expect(p.wilson95).toEqual(wilson95(3, 3));
      const attempts = journal.filter((r) => r.prompt_id === p.prompt_id).map((r) => r.attempt);
      expect(attempts.sort()).toEqual([1, 2, 3]);
    }
    expect(summary).toContain('adaptive stopping on');
    expect(summary).toContain('100 % (3/3) [44, 100] *');
  });

  it('weak: prompts it always fails stop after 3 failures', async () => {
    const { card } = await adaptiveCliRun('weak');
    const failed = card.prompts.filter((p) => p.pass_rate === 0);
    expect(failed.length).toBeGreaterThan(0);
    for (const p of failed) expect(p, p.prompt_id).toMatchObject({ runs: 3, pass_count: 0, decided_early: true });
    expect(card.prompts.every((p) => p.skipped !== undefined || p.runs === 3)).toBe(true);
  });
});

describe('--adaptive never stops a prompt whose majority is open', () => {
  // One prompt that needs no tool and passes when the answer says "yes"; a scripted lane gives
  // the answers in order, one request per attempt (sequential, so attempt k gets answer k).
  let suitePath: string;
  const lanes: ScriptedLane[] = [];
  beforeAll(() => {
    suitePath = join(tempDir('bb-coin-'), 'coin.jsonl');
    const prompt = { id: 'coin', category: 'coin', prompt: 'Is it heads? Answer yes or no.', expect_tool_any: [], check: { kind: 'substring', any: ['yes'] } };
    writeFileSync(suitePath, `${JSON.stringify(prompt)}\n`);
  });
  afterAll(async () => {
    for (const lane of lanes) await lane.close();
  });

  async function coinRun(answers: string[]) {
    const lane = await startScriptedLane(answers.map((content) => ({ kind: 'turn', content })));
    lanes.push(lane);
    const run = await runSuiteAt(lane.baseURL, { laneId: 'coin-lane', suite: await loadSuite(suitePath), n: 5, parallel: 1, adaptive: true });
    return { run, requests: lane.requests.length, coin: run.card.prompts[0]! };
  }

  it('pass, fail, pass, fail: still open after 4, so the 5th attempt runs', async () => {
    const { requests, coin } = await coinRun(['yes', 'no', 'yes', 'no', 'yes']);
    expect(requests).toBe(5);
    expect(coin).toMatchObject({ runs: 5, pass_count: 3, pass_rate: 0.6 });
    expect(coin.decided_early).toBeUndefined();
  });

  it('fail, pass, pass, pass: decided at the 4th attempt, the 5th never runs', async () => {
    const { run, requests, coin } = await coinRun(['no', 'yes', 'yes', 'yes', 'yes']);
    expect(requests).toBe(4);
    expect(coin).toMatchObject({ runs: 4, pass_count: 3, pass_rate: 0.75, decided_early: true });
    expect(coin.wilson95).toEqual(wilson95(3, 4));
    expect(run.journal.map((r) => r.outcome)).toEqual(['wrong_answer', 'pass', 'pass', 'pass']);
  });

  it('without --adaptive, every attempt runs even when decided', async () => {
    const lane = await startScriptedLane([{ kind: 'turn', content: 'yes' }]);
    lanes.push(lane);
    const run = await runSuiteAt(lane.baseURL, { laneId: 'coin-lane', suite: await loadSuite(suitePath), n: 5, parallel: 1 });
    expect(lane.requests).toHaveLength(5);
    expect(run.card.prompts[0]).toMatchObject({ runs: 5, pass_count: 5 });
    expect(run.card.prompts[0]!.decided_early).toBeUndefined();
  });
});

describe('--parallel 4 --adaptive', () => {
  it('starts no attempt of a decided prompt, and starts a deciding-only attempt only when no open prompt needs one', async () => {
    const run = await runOnFakeLane({ brain: 'weak', n: 5, parallel: 4, adaptive: true, tokPerSec: 400 });
    const n = 5;
    const majority = 3;
    const tally = new Map<string, { passes: number; graded: number; inFlight: number; started: number }>();
    const of = (id: string) => tally.get(id) ?? tally.set(id, { passes: 0, graded: 0, inFlight: 0, started: 0 }).get(id)!;
    for (const p of run.card.prompts) if (p.skipped === undefined) of(p.prompt_id);
    const checkStart = (e: Extract<EngineEvent, { type: 'attempt.start' }>) => {
      const t = of(e.promptId);
      expect(isDecided(t, n), `${e.promptId}#${e.attempt} started after its verdict was decided`).toBe(false);
      if (t.graded + t.inFlight >= majority) {
        // an attempt that in-flight ones may make needless: fine only when no open prompt waits
        const waiting = [...tally].filter(([id, o]) => id !== e.promptId && o.started < n && !isDecided(o, n) && o.graded + o.inFlight < majority);
        expect(waiting.map(([id]) => id), `${e.promptId}#${e.attempt} went before open prompts`).toEqual([]);
      }
      t.inFlight++;
      t.started++;
    };
    for (const e of run.events) {
      if (e.type === 'attempt.start') checkStart(e);
      if (e.type === 'attempt.end') {
        const t = of(e.record.prompt_id);
        t.inFlight--;
        if (e.record.outcome !== 'lane_error') t.graded++;
        if (e.record.outcome === 'pass') t.passes++;
      }
    }
    for (const [id, t] of tally) {
      expect(isDecided(t, n), id).toBe(true);
      expect(t.graded, id).toBeGreaterThanOrEqual(3);
    }
    // the slots stayed busy: 4 attempts in flight, and far fewer attempts than 5 per prompt
    expect(run.laneStats.maxInFlight).toBe(4);
    expect(run.journal.length).toBeLessThan(tally.size * 4);
    // decided early = stopped before N; an attempt started on an idle slot may take a prompt to N
    for (const p of run.card.prompts.filter((s) => s.skipped === undefined)) expect(p.decided_early ?? false, p.prompt_id).toBe(p.runs < n);
    expect(run.card.prompts.filter((p) => p.decided_early).length).toBeGreaterThan(tally.size / 2);
  });
});
