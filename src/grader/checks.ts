// Grades one attempt: turns what the agent loop reported plus the check result into exactly
// one outcome with a short reason (DESIGN §6).
import { regexFailure, regexHits } from '../suite/checks.js';
import type { AttemptRecord, AttemptRun, CheckResult, Prompt, ToolCallRecord } from '../types.js';

export type Grade = Pick<AttemptRecord, 'outcome' | 'check_passed' | 'why' | 'correct_tool' | 'tools_called' | 'tool_errors'>;

/** Tool names in the suite are case-insensitive substrings of the called name ("read" matches read_file). */
function nameMatches(calledName: string, expected: string): boolean {
  return calledName.toLowerCase().includes(expected.toLowerCase());
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function argValueAsText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function parseArgs(raw: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Whether some call's parsed JSON arguments match every regex of the schema (case-sensitive, as
 * written). The patterns run on the model's arguments, so they run under the regex deadline.
 */
async function someCallMatches(calls: ToolCallRecord[], patterns: Record<string, string>): Promise<boolean> {
  const args = calls.map((c) => parseArgs(c.arguments));
  let candidates = args.flatMap((a, i) => (a ? [i] : []));
  for (const [name, pattern] of Object.entries(patterns)) {
    const regex = new RegExp(pattern);
    const having = candidates.filter((i) => name in args[i]!);
    const hits = await regexHits(regex, having.map((i) => argValueAsText(args[i]![name]))).catch((err: unknown) => {
      throw new Error(regexFailure(pattern, err));
    });
    candidates = having.filter((_, k) => hits.has(k));
  }
  return candidates.length > 0;
}

/** Reasons the tool use falls short of the prompt's expectations; empty when it is right. */
async function toolProblems(prompt: Prompt, calls: ToolCallRecord[]): Promise<string[]> {
  const called = unique(calls.map((c) => c.name));
  const problems: string[] = [];
  const any = prompt.expect_tool_any;
  if (any.length > 0 && !called.some((name) => any.some((e) => nameMatches(name, e)))) {
    problems.push(`expected a call to ${any.join(' or ')}; called ${called.join(', ') || 'nothing'}`);
  }
  const missing = (prompt.expect_tools_all ?? []).filter((e) => !called.some((name) => nameMatches(name, e)));
  if (missing.length > 0) problems.push(`expected calls to all of ${prompt.expect_tools_all!.join(', ')}; missing ${missing.join(', ')}`);
  for (const [tool, patterns] of Object.entries(prompt.tool_args_schema ?? {})) {
    const candidates = calls.filter((c) => nameMatches(c.name, tool));
    let matched: boolean;
    try {
      matched = await someCallMatches(candidates, patterns);
    } catch (err) {
      const what = err instanceof SyntaxError ? 'is not a valid regex' : 'could not be checked';
      problems.push(`tool_args_schema for ${tool} ${what}: ${(err as Error).message}`);
      continue;
    }
    if (!matched) {
      const wanted = Object.entries(patterns).map(([name, pattern]) => `${name} ~ /${pattern}/`).join(', ');
      problems.push(`no ${tool} call with arguments ${wanted}`);
    }
  }
  return problems;
}

/**
 * Tool calls that failed through the model's own doing. The first `times` calls of a tool with
 * an injected failure fail on purpose (error-recovery prompts) and are not counted.
 */
function countToolErrors(prompt: Prompt, calls: ToolCallRecord[]): number {
  const injection = prompt.inject_tool_failure;
  let injectedSeen = 0;
  let errors = 0;
  for (const call of calls) {
    if (injection && call.name.toLowerCase() === injection.tool.toLowerCase() && injectedSeen < injection.times) {
      injectedSeen++;
      continue;
    }
    if (!call.ok) errors++;
  }
  return errors;
}

const NOT_COMPLETED_WHY: Record<Exclude<AttemptRun['status'], 'completed'>, string> = {
  lane_error: 'the lane failed during the attempt',
  runaway: 'turn budget or time limit reached',
  format_error: 'tool calls could not be parsed',
};

/**
 * Grades an attempt. `check` is the prompt's check run on `run.answer`; null when the run did
 * not complete. The outcome is exactly one of lane_error, runaway, format_error (from the run's
 * status), no_tool_call, pass or wrong_answer.
 */
export async function gradeAttempt(prompt: Prompt, run: AttemptRun, check: CheckResult | null): Promise<Grade> {
  const problems = await toolProblems(prompt, run.tool_calls);
  const common = {
    check_passed: check?.passed ?? false,
    correct_tool: problems.length === 0,
    tools_called: run.tool_calls.map((c) => c.name),
    tool_errors: countToolErrors(prompt, run.tool_calls),
  };
  if (run.status !== 'completed') {
    return { ...common, outcome: run.status, why: run.error ?? NOT_COMPLETED_WHY[run.status] };
  }
  if (prompt.expect_tool_any.length > 0 && run.tool_calls.length === 0) {
    return { ...common, outcome: 'no_tool_call', why: `expected a call to ${prompt.expect_tool_any.join(' or ')}; no tool was called` };
  }
  const checkWhy = check?.why ?? 'no check result';
  if (problems.length === 0 && common.check_passed) return { ...common, outcome: 'pass', why: checkWhy };
  const reasons = common.check_passed ? problems : [...problems, checkWhy];
  return { ...common, outcome: 'wrong_answer', why: reasons.join('; ') };
}
