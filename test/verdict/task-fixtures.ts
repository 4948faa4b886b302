// Task runs on disk, made directly (issue 20): a tiny Harbor suite, a run folder with its plan
// (run.json with `tasks`) and a journal of trial records — what the one runner leaves behind,
// without running a sandbox, so the verdict side is tested whatever state the runner is in.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunPlan } from '../../src/run/plan.js';
import type { TrialOutcome, TrialRecord } from '../../src/types.js';
import { tempDir } from '../helpers/tmp.js';

/** A suite of tasks t1, t2 (instruction, task.toml, tests/test.sh): what loadTaskSuite reads. */
export function taskSuite(ids: readonly string[] = ['t1', 't2']): string {
  const suite = tempDir('bb-task-suite-');
  for (const id of ids) {
    mkdirSync(join(suite, id, 'tests'), { recursive: true });
    writeFileSync(join(suite, id, 'instruction.md'), `Do ${id}.\n`);
    writeFileSync(join(suite, id, 'task.toml'), '[agent]\ntimeout_sec = 30\n[verifier]\ntimeout_sec = 30\n');
    writeFileSync(join(suite, id, 'tests', 'test.sh'), '#!/bin/bash\necho 1 > /logs/verifier/reward.txt\n');
  }
  return suite;
}

export function trial(lane: string, harness: string, task: string, attempt: number, outcome: TrialOutcome, at: string, extra: Partial<TrialRecord> = {}): TrialRecord {
  return {
    kind: 'trial',
    lane,
    harness,
    environment: 'bwrap',
    prompt_id: task,
    attempt,
    outcome,
    reward: outcome === 'pass' ? 1 : outcome === 'lane_error' ? null : 0,
    grader_output: '',
    check_passed: outcome === 'pass',
    why: outcome,
    correct_tool: true,
    tools_called: [],
    turns: 1,
    tokens: { prompt: 10, completion: 5 },
    wall_s: 1,
    ttft_s: 0.1,
    answer: '',
    transcript: '',
    escape_attempts: 0,
    started_at: at,
    ended_at: at,
    ...extra,
  };
}

/** Every task × attempt of one (lane, harness), passing where `pass(task, attempt)` says. */
export function trials(lane: string, harness: string, tasks: readonly string[], n: number, pass: (task: string, attempt: number) => boolean, at: string): TrialRecord[] {
  return tasks.flatMap((t) => Array.from({ length: n }, (_, i) => trial(lane, harness, t, i + 1, pass(t, i + 1) ? 'pass' : 'grader_fail', at)));
}

/** A run folder under results/runs/<runId>/ with its plan and journal (lines written as given, duplicates too). */
export function taskRun(results: string, runId: string, suite: string, opts: { lanes: string[]; harnesses: string[]; n: number; records: TrialRecord[] }): string {
  const dir = join(results, 'runs', runId);
  mkdirSync(dir, { recursive: true });
  const plan: RunPlan = {
    runId,
    createdAt: `${runId.slice(0, 4)}-${runId.slice(4, 6)}-${runId.slice(6, 8)}T00:00:00.000Z`,
    lanes: opts.lanes,
    lanesFile: '',
    suite,
    n: opts.n,
    parallel: null,
    adaptive: false,
    enabled: [],
    turnBudget: 10,
    timeoutS: 60,
    sampling: {},
    demo: {},
    stopAfter: false,
    tasks: { harnesses: opts.harnesses, environment: 'bwrap' },
  };
  writeFileSync(join(dir, 'run.json'), `${JSON.stringify(plan, null, 2)}\n`);
  writeFileSync(join(dir, 'journal.jsonl'), opts.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return dir;
}
