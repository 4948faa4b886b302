// One suite run against an in-process fake lane (the demo lane's server), straight through the
// runner: no lane manager, no throughput probe, no telemetry. Shared by the bench scripts and the
// run tests that need the fake lane's own counters (stats().maxInFlight).
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFakeLane, type BrainName, type FakeLaneStats } from '../../src/demo/server.js';
import type { Solutions } from '../../src/demo/solutions.js';
import { EventBus } from '../../src/events.js';
import { brainbenchVersion, builtinSuitesDir } from '../../src/paths.js';
import { Journal } from '../../src/run/journal.js';
import { runSuite, type SuiteRunResult } from '../../src/run/runner.js';
import { laneScorecard } from '../../src/verdict/scorecard.js';
import { capabilities } from '../../src/run/session.js';
import { loadSuite } from '../../src/suite/load.js';
import { isAttempt, type AttemptRecord, type EngineEvent, type LaneScorecard, type Suite } from '../../src/types.js';

export interface SuiteRunSettings {
  n: number;
  parallel: number;
  adaptive?: boolean;
  /** Default: the built-in brain-v1. */
  suite?: Suite;
  /** Lane id in records and the scorecard. */
  laneId: string;
}

export interface FakeRunOptions extends Omit<SuiteRunSettings, 'laneId'> {
  brain: BrainName;
  /** Decoding slots of the fake lane (/props total_slots). Default: `parallel`. */
  slots?: number;
  /** Simulated decode rate per slot; 0 = no delay. */
  tokPerSec: number;
  solutions?: Solutions;
  /** Default: the brain's name. */
  laneId?: string;
}

export interface SuiteRunOutput {
  /** Every journaled record, in journal order (lane_error retries included). */
  journal: AttemptRecord[];
  result: SuiteRunResult;
  events: EngineEvent[];
  /** Seconds from the runner's start to its last attempt's end. */
  wallS: number;
  card: LaneScorecard;
}

export interface FakeRun extends SuiteRunOutput {
  laneStats: FakeLaneStats;
}

export function loadBrainV1(): Promise<Suite> {
  return loadSuite(join(builtinSuitesDir, 'brain-v1'));
}

/** Runs a suite through the runner against any OpenAI-compatible server at `baseURL` (…/v1). */
export async function runSuiteAt(baseURL: string, opts: SuiteRunSettings): Promise<SuiteRunOutput> {
  const suite = opts.suite ?? (await loadBrainV1());
  const adaptive = opts.adaptive ?? false;
  const command = `suite run against ${baseURL}`;
  const runDir = await mkdtemp(join(tmpdir(), 'bb-fakerun-'));
  const journal = new Journal(join(runDir, 'journal.jsonl'));
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  const startedAt = new Date().toISOString();
  try {
    const t0 = performance.now();
    const result = await runSuite({
      runId: 'fake-run',
      runDir,
      journal,
      lane: { id: opts.laneId, kind: 'demo', baseURL, model: opts.laneId, command, simulated: true, slots: opts.parallel, metricsUrl: null },
      suite,
      n: opts.n,
      parallel: opts.parallel,
      adaptive,
      enabled: new Set(await capabilities([])),
      turnBudget: 12,
      timeoutS: 360,
      sampling: suite.sampling,
      bus,
    });
    const wallS = (performance.now() - t0) / 1000;
    const card = simulatedScorecard(suite, result, { lane: opts.laneId, n: opts.n, parallel: opts.parallel, adaptive, command, startedAt, runId: 'fake-run' });
    return { journal: journal.all().filter(isAttempt), result, events, wallS, card };
  } finally {
    journal.close();
    await rm(runDir, { recursive: true, force: true });
  }
}

/** The scorecard of a suite run made outside a queue (no probe, no telemetry), for benches and tests. */
export function simulatedScorecard(
  suite: Suite,
  result: SuiteRunResult,
  run: { lane: string; n: number; parallel: number; adaptive: boolean; command: string; startedAt: string; runId: string },
): LaneScorecard {
  return laneScorecard({
    lane: run.lane,
    simulated: true,
    prompts: suite.prompts,
    records: result.records,
    skipped: result.skipped,
    probe: null,
    telemetry: null,
    decidedEarly: result.decidedEarly,
    reproducibility: {
      suite: suite.name,
      suite_hash: suite.hash,
      fixture_hash: suite.fixtureHash,
      n: run.n,
      parallel: run.parallel,
      adaptive: run.adaptive,
      sampling: suite.sampling,
      lane_command: run.command,
      brainbench_version: brainbenchVersion,
      started_at: run.startedAt,
      ended_at: new Date().toISOString(),
      machine: hostname(),
      run_id: run.runId,
    },
  });
}

/** Starts a fake lane playing `brain`, runs the suite against it, stops it. */
export async function runOnFakeLane(opts: FakeRunOptions): Promise<FakeRun> {
  const laneId = opts.laneId ?? opts.brain;
  const server = await startFakeLane({
    brain: opts.brain,
    alias: laneId,
    tokPerSec: opts.tokPerSec,
    slots: opts.slots ?? opts.parallel,
    ...(opts.solutions ? { solutions: opts.solutions } : {}),
  });
  try {
    const run = await runSuiteAt(`${server.url}/v1`, { ...opts, laneId });
    return { ...run, laneStats: server.stats() };
  } finally {
    await server.close();
  }
}
