// The oracle runs a task's solution/solve.sh instead of a brain: it checks the graders. It is
// built per task from the solution folder; no other harness ever gets one.
import { join } from 'node:path';
import { copyReadable } from '../grader/testsh.js';
import { result, type Harness } from './types.js';

export function oracleHarness(solutionDir: string | null = null): Harness {
  return {
    name: 'oracle',
    needsLane: false,
    forSolution: oracleHarness,
    async run(ctx) {
      if (!solutionDir) return result('error', 'the task has no solution/solve.sh');
      const solution = join(ctx.scratch, 'solution');
      copyReadable(solutionDir, solution);
      const exit = await ctx.env.exec(['bash', '/solution/solve.sh'], {
        binds: [{ host: solution, at: '/solution', readOnly: true }],
        timeoutMs: ctx.timeoutS * 1000,
        ...(ctx.signal && { signal: ctx.signal }),
      });
      if (exit.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      if (exit.timedOut) return result('timeout', `solve.sh ran past ${ctx.timeoutS} s`, { answer: exit.output.slice(-2048) });
      return result('exited', `solve.sh exited with code ${exit.code ?? 'killed'}`, { answer: exit.output.slice(-2048) });
    },
  };
}
