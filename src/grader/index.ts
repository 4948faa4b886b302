// What grades a trial (DESIGN §16): one interface, two kinds. `checks` grades the answer a prompt
// attempt gave; `test.sh` grades the workspace a task trial left. A third kind enters as one file.
import { runCheck } from '../suite/checks.js';
import type { TrialEnvironment } from '../tasks/environment.js';
import type { Task } from '../tasks/types.js';
import type { AttemptRun, Prompt } from '../types.js';
import { gradeAttempt, type Grade } from './checks.js';
import { runGrader, type GraderResult } from './testsh.js';

export interface Grader<Subject, Verdict> {
  readonly name: string;
  grade(subject: Subject, signal?: AbortSignal): Promise<Verdict>;
}

/** A prompt's checks on the final answer (a run that gave none is graded by how it ended). */
export const checksGrader: Grader<{ prompt: Prompt; run: AttemptRun }, Grade> = {
  name: 'checks',
  async grade({ prompt, run }) {
    const check = run.status === 'completed' ? await runCheck(prompt.check, run.answer) : null;
    return gradeAttempt(prompt, run, check);
  },
};

/** The task's hidden test.sh in a fresh grader sandbox over the workspace (./testsh.ts). */
export const testShGrader: Grader<{ task: Task; env: TrialEnvironment; scratch: string }, GraderResult> = {
  name: 'test.sh',
  grade: ({ task, env, scratch }, signal) => runGrader(task, env, scratch, signal),
};
