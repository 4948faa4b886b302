// brainbench's own tool loop (DESIGN §5) on a task's workspace: the instruction as the prompt,
// run_shell in the bubblewrap environment, graded afterwards by test.sh rather than a check.
import { runAttempt } from '../agent/attempt.js';
import type { Prompt } from '../types.js';
import { countPeeks } from './peek.js';
import { result, type Harness } from './types.js';

export function taskSystemPrompt(workdir: string): string {
  return [
    `You are an agent working on a software task in the folder ${workdir} (the working folder).`,
    'Use the tools to look at the files, change them and run commands (run_shell runs in that folder).',
    'Do the task; when it is done, reply with a short summary without calling a tool.',
  ].join(' ');
}

/** The instruction as a prompt the tool loop understands (graded by test.sh, not by a check). */
function promptOf(taskId: string, instruction: string): Prompt {
  return {
    id: taskId,
    prompt: instruction,
    category: 'task',
    core: true,
    vibe: false,
    expect_tool_any: [],
    check: { kind: 'regex', all: [] },
    source: { file: 'instruction.md', line: 1 },
    extra: {},
  };
}

export const builtinHarness: Harness = {
  name: 'builtin',
  needsLane: true,
  async run(ctx) {
    if (!ctx.lane) return result('error', 'the builtin harness needs a lane');
    // its run_shell is the bubblewrap sandbox; inside a container it would run the wrong system
    if (ctx.env.kind !== 'bwrap') return result('error', 'the builtin harness runs tasks in the bubblewrap environment only (for now)');
    const run = await runAttempt({
      baseURL: ctx.lane.baseURL,
      model: ctx.lane.model,
      ...(ctx.lane.apiKey && { apiKey: ctx.lane.apiKey }),
      prompt: promptOf(ctx.taskId, ctx.instruction),
      workDir: ctx.env.workspace,
      mountAt: ctx.env.workdir,
      transcriptPath: ctx.transcriptPath,
      sampling: ctx.sampling,
      turnBudget: ctx.turnBudget,
      timeoutS: ctx.timeoutS,
      shell: true,
      systemPrompt: taskSystemPrompt(ctx.env.workdir),
      hide: ctx.hide,
      ...(ctx.signal && { signal: ctx.signal }),
      ...(ctx.onProgress && { onProgress: ctx.onProgress }),
    });
    const common = {
      toolCalls: run.tool_calls.length,
      toolsCalled: run.tool_calls.map((c) => c.name),
      turns: run.turns,
      tokens: run.tokens,
      ttftS: run.ttft_s,
      answer: run.answer,
      escapeAttempts: run.escape_attempts,
      peekAttempts: countPeeks(run.tool_calls),
    };
    if (run.status === 'lane_error') return result('lane_error', run.error ?? 'the lane failed', common);
    if (run.status === 'runaway' && run.error?.startsWith('timeout')) return result('timeout', run.error, common);
    return result('exited', run.error ?? 'the agent gave its final answer', common);
  },
};
