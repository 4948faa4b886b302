// A prompt suite as an item source of the one runner: each slot is a trial with harness `builtin`
// (the agent loop on a fresh copy of the scratch tree) and grader `checks`.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runAttempt } from '../agent/attempt.js';
import { gradeAttempt, type Grade } from '../grader/checks.js';
import { checksGrader } from '../grader/index.js';
import { copyScratch } from '../suite/scratch.js';
import type { AttemptRecord, AttemptRun, Prompt, Suite } from '../types.js';
import { internalError, type ItemSource, type SlotContext } from './runner.js';

export interface PromptSourceOptions {
  suite: Suite;
  runDir: string;
  /** Capability flags switched on (e.g. "shell" where bubblewrap works). */
  enabled: ReadonlySet<string>;
  turnBudget: number;
  timeoutS: number;
  /** Seconds without a byte from the lane before an attempt is a lane_error (default: the attempt loop's). */
  idleTimeoutS?: number;
  /** More host paths run_shell must not see (lanes.yaml, the results folder); the suite and runDir always are. */
  hide?: readonly string[];
  /** Runs one attempt (default: the agent loop); a seam for tests. */
  attempt?: typeof runAttempt;
}

export function skipReason(prompt: Prompt, enabled: ReadonlySet<string>): string | undefined {
  if (!prompt.conditional || enabled.has(prompt.conditional)) return undefined;
  return prompt.conditional === 'shell'
    ? "needs capability 'shell' (bubblewrap not available)"
    : `needs capability '${prompt.conditional}' (enable it with --enable ${prompt.conditional})`;
}

/** What an attempt that threw inside brainbench (not the lane, not the model) is recorded as. */
function internalFailure(err: unknown, wallS: number): AttemptRun {
  return { status: 'lane_error', answer: '', tool_calls: [], turns: 0, tokens: { prompt: 0, completion: 0 }, wall_s: wallS, ttft_s: null, escape_attempts: 0, error: internalError(err), wait_s: 0 };
}

function recordOf(slot: SlotContext, run: AttemptRun, graded: Grade, startedAt: Date): AttemptRecord {
  return {
    kind: 'attempt',
    lane: slot.laneId,
    prompt_id: slot.itemId,
    attempt: slot.attempt,
    ...graded,
    turns: run.turns,
    tokens: run.tokens,
    wall_s: run.wall_s,
    ttft_s: run.ttft_s,
    answer: run.answer,
    ...(run.reasoning ? { reasoning: run.reasoning } : {}),
    transcript: slot.transcriptPath,
    escape_attempts: run.escape_attempts,
    ...(run.error ? { error: run.error } : {}),
    ...(slot.retry ? { retry: true } : {}),
    started_at: startedAt.toISOString(),
    ended_at: new Date().toISOString(),
  };
}

export function promptSource(opts: PromptSourceOptions): ItemSource {
  const { suite } = opts;
  const attempt = opts.attempt ?? runAttempt;
  const byId = new Map(suite.prompts.map((p) => [p.id, p]));
  /** Workspace → harness (the agent loop) → grader (checks). */
  const trial = async (prompt: Prompt, slot: SlotContext): Promise<{ run: AttemptRun; graded: Grade }> => {
    const lane = slot.lane!;
    await copyScratch(suite, slot.workDir);
    await mkdir(dirname(slot.transcriptPath), { recursive: true });
    const run = await attempt({
      baseURL: lane.baseURL,
      model: lane.model,
      ...(lane.apiKey ? { apiKey: lane.apiKey } : {}),
      prompt,
      workDir: slot.workDir,
      transcriptPath: slot.transcriptPath,
      sampling: slot.sampling,
      turnBudget: prompt.turn_budget ?? opts.turnBudget,
      timeoutS: opts.timeoutS,
      idleTimeoutS: opts.idleTimeoutS,
      shell: opts.enabled.has('shell'),
      // run_shell must not see them, wherever they are installed
      hide: [suite.path, opts.runDir, ...(opts.hide ?? [])],
      onProgress: slot.onProgress,
    });
    return { run, graded: await checksGrader.grade({ prompt, run }) };
  };
  return {
    suite: suite.name,
    items: suite.prompts.map((p) => ({ id: p.id, category: p.category, core: p.core, skipped: skipReason(p, opts.enabled) })),
    cell: (laneId) => laneId,
    owns: (record) => record.kind !== 'trial',
    async run(slot) {
      const prompt = byId.get(slot.itemId)!;
      const startedAt = new Date();
      const t0 = performance.now();
      let outcome: { run: AttemptRun; graded: Grade };
      try {
        outcome = await trial(prompt, slot);
      } catch (err) {
        if (err instanceof Error && err.name === 'AbortError') throw err;
        // brainbench's own failure must not end the run: the slot gets a record (retried once, like any lane_error)
        const run = internalFailure(err, (performance.now() - t0) / 1000);
        outcome = { run, graded: await gradeAttempt(prompt, run, null) };
      }
      // brainbench's own share of the attempt (bench/overhead.ts)
      const overheadS = (performance.now() - t0) / 1000 - outcome.run.wait_s;
      return { record: recordOf(slot, outcome.run, outcome.graded, startedAt), overheadS };
    },
  };
}
