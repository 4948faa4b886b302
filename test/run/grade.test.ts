import { describe, expect, it } from 'vitest';
import { gradeAttempt } from '../../src/grader/checks.js';
import { runCheck } from '../../src/suite/checks.js';
import type { AttemptRun, CheckResult, Outcome, Prompt, ToolCallRecord } from '../../src/types.js';

function prompt(overrides: Partial<Prompt> = {}): Prompt {
  return {
    id: 'p1',
    prompt: 'What is the codename?',
    category: 'grounding',
    core: true,
    vibe: false,
    expect_tool_any: ['read'],
    check: { kind: 'substring', all: ['ORION-7'] },
    source: { file: 'prompts.jsonl', line: 1 },
    extra: {},
    ...overrides,
  };
}

function call(name: string, args: Record<string, unknown> | string = {}, ok = true): ToolCallRecord {
  return { name, arguments: typeof args === 'string' ? args : JSON.stringify(args), ok, result: ok ? 'ok' : 'ERROR', escape: false };
}

function run(calls: ToolCallRecord[], overrides: Partial<AttemptRun> = {}): AttemptRun {
  return {
    status: 'completed',
    answer: 'ORION-7',
    tool_calls: calls,
    turns: calls.length + 1,
    tokens: { prompt: 100, completion: 20 },
    wall_s: 3,
    ttft_s: 0.2,
    escape_attempts: 0,
    wait_s: 2.5,
    ...overrides,
  };
}

const passed: CheckResult = { passed: true, why: "matched 'ORION-7'" };
const failed: CheckResult = { passed: false, why: "missing 'ORION-7'" };

describe('gradeAttempt outcome table', () => {
  const cases: Array<{ name: string; prompt: Prompt; run: AttemptRun; check: CheckResult | null; outcome: Outcome; correctTool: boolean; why: RegExp }> = [
    { name: 'lane error wins over everything', prompt: prompt(), run: run([call('read_file')], { status: 'lane_error', error: 'ECONNREFUSED' }), check: null, outcome: 'lane_error', correctTool: true, why: /ECONNREFUSED/ },
    { name: 'runaway keeps the budget reason', prompt: prompt(), run: run([call('read_file')], { status: 'runaway', error: 'turn budget 12 reached' }), check: null, outcome: 'runaway', correctTool: true, why: /^turn budget 12 reached$/ },
    { name: 'runaway without an error text', prompt: prompt(), run: run([], { status: 'runaway' }), check: null, outcome: 'runaway', correctTool: false, why: /budget/ },
    { name: 'format error', prompt: prompt(), run: run([], { status: 'format_error', error: 'tool-call JSON never parsed' }), check: null, outcome: 'format_error', correctTool: false, why: /never parsed/ },
    { name: 'no tool call although one was expected, even with a right answer', prompt: prompt(), run: run([]), check: passed, outcome: 'no_tool_call', correctTool: false, why: /expected a call to read; no tool was called/ },
    { name: 'pass: substring tool match, case-insensitive', prompt: prompt({ expect_tool_any: ['READ'] }), run: run([call('read_file')]), check: passed, outcome: 'pass', correctTool: true, why: /matched 'ORION-7'/ },
    { name: 'wrong tool, right answer', prompt: prompt({ expect_tool_any: ['grep'] }), run: run([call('glob'), call('glob')]), check: passed, outcome: 'wrong_answer', correctTool: false, why: /^expected a call to grep; called glob$/ },
    { name: 'right tool, check failed', prompt: prompt(), run: run([call('read_file')]), check: failed, outcome: 'wrong_answer', correctTool: true, why: /^missing 'ORION-7'$/ },
    { name: 'no tool expected and none called', prompt: prompt({ expect_tool_any: [] }), run: run([]), check: passed, outcome: 'pass', correctTool: true, why: /matched/ },
    { name: 'no tool expected, check failed', prompt: prompt({ expect_tool_any: [], check: { kind: 'honesty' } }), run: run([]), check: failed, outcome: 'wrong_answer', correctTool: true, why: /missing/ },
    { name: 'completed but no check result', prompt: prompt(), run: run([call('read_file')]), check: null, outcome: 'wrong_answer', correctTool: true, why: /no check result/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const grade = await gradeAttempt(c.prompt, c.run, c.check);
      expect(grade.outcome).toBe(c.outcome);
      expect(grade.correct_tool).toBe(c.correctTool);
      expect(grade.why).toMatch(c.why);
      expect(grade.check_passed).toBe(c.check?.passed ?? false);
    });
  }
});

describe('gradeAttempt tool expectations', () => {
  it('records every tool called, in order', async () => {
    const grade = await gradeAttempt(prompt(), run([call('list_files'), call('read_file'), call('read_file')]), passed);
    expect(grade.tools_called).toEqual(['list_files', 'read_file', 'read_file']);
  });

  it('expect_tools_all needs every listed tool', async () => {
    const p = prompt({ expect_tool_any: ['read'], expect_tools_all: ['list', 'read'] });
    const missing = await gradeAttempt(p, run([call('read_file')]), passed);
    expect(missing.outcome).toBe('wrong_answer');
    expect(missing.correct_tool).toBe(false);
    expect(missing.why).toContain('missing list');
    expect((await gradeAttempt(p, run([call('list_files'), call('read_file')]), passed)).outcome).toBe('pass');
  });

  it('tool_args_schema needs one call of that tool whose JSON args match every regex', async () => {
    const p = prompt({ tool_args_schema: { read_file: { path: '^notes/budget\\.md$' } } });
    const wrongPath = await gradeAttempt(p, run([call('read_file', { path: 'notes/other.md' })]), passed);
    expect(wrongPath.outcome).toBe('wrong_answer');
    expect(wrongPath.why).toContain('no read_file call with arguments path ~ /^notes/budget\\.md$/');
    const oneRight = await gradeAttempt(p, run([call('read_file', { path: 'notes/other.md' }), call('read_file', { path: 'notes/budget.md' })]), passed);
    expect(oneRight.outcome).toBe('pass');
  });

  it('tool_args_schema: missing argument, non-JSON args and non-string values', async () => {
    const p = prompt({ expect_tool_any: ['grep'], tool_args_schema: { grep: { pattern: 'timeout', max: '^5$' } } });
    expect((await gradeAttempt(p, run([call('grep', { pattern: 'timeout' })]), passed)).outcome).toBe('wrong_answer');
    expect((await gradeAttempt(p, run([call('grep', '{not json')]), passed)).outcome).toBe('wrong_answer');
    expect((await gradeAttempt(p, run([call('grep', { pattern: 'read_timeout', max: 5 })]), passed)).outcome).toBe('pass');
  });

  it('tool_args_schema regexes are case-sensitive as written', async () => {
    const p = prompt({ tool_args_schema: { read: { path: 'Budget' } } });
    expect((await gradeAttempt(p, run([call('read_file', { path: 'budget.md' })]), passed)).outcome).toBe('wrong_answer');
    expect((await gradeAttempt(p, run([call('read_file', { path: 'Budget.md' })]), passed)).outcome).toBe('pass');
  });

  it('reports an invalid schema regex instead of throwing', async () => {
    const p = prompt({ tool_args_schema: { read_file: { path: '([' } } });
    const grade = await gradeAttempt(p, run([call('read_file', { path: 'x' })]), passed);
    expect(grade.outcome).toBe('wrong_answer');
    expect(grade.why).toContain('not a valid regex');
  });

  it('joins the tool problem and the failed check in why', async () => {
    const grade = await gradeAttempt(prompt({ expect_tool_any: ['grep'] }), run([call('glob')]), failed);
    expect(grade.why).toBe("expected a call to grep; called glob; missing 'ORION-7'");
  });

  it('counts tool errors the model caused, not injected failures', async () => {
    const p = prompt({ inject_tool_failure: { tool: 'read_file', times: 1 } });
    const calls = [call('read_file', {}, false), call('read_file', {}, false), call('nope', {}, false), call('read_file')];
    expect((await gradeAttempt(p, run(calls), passed)).tool_errors).toBe(2);
    expect((await gradeAttempt(prompt(), run(calls), passed)).tool_errors).toBe(3);
  });
});

describe('suite regexes fed by the model cannot freeze the run (issue 11, item 4)', () => {
  // /(a+)+$/ on "aaaa…b" backtracks for longer than the universe lasts; the regex worker's deadline ends it
  const evil = '(a+)+$';
  const bait = `${'a'.repeat(40)}!`;

  /** Counts main-thread timer ticks while `work` runs: a frozen event loop would count none. */
  async function ticksDuring<T>(work: Promise<T>): Promise<{ value: T; ticks: number }> {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      return { value: await work, ticks };
    } finally {
      clearInterval(timer);
    }
  }

  it('a regex check that backtracks fails with a clear reason, and the event loop keeps turning', async () => {
    const { value, ticks } = await ticksDuring(runCheck({ kind: 'regex', all: ['ok', evil] }, `ok ${bait}`));
    expect(value.passed).toBe(false);
    expect(value.why).toMatch(/^\/\(a\+\)\+\$\/ did not finish within \d+ s on this text \(catastrophic backtracking in the suite's pattern\?\)$/);
    expect(ticks).toBeGreaterThan(0);
  });

  it('a tool_args_schema pattern that backtracks on the model arguments is a tool problem, not a hang', async () => {
    const p = prompt({ tool_args_schema: { grep: { pattern: evil } } });
    const { value: grade, ticks } = await ticksDuring(gradeAttempt(p, run([call('grep', { pattern: bait })]), passed));
    expect(grade.outcome).toBe('wrong_answer');
    expect(grade.why).toMatch(/tool_args_schema for grep could not be checked: \/\(a\+\)\+\$\/ did not finish within/);
    expect(ticks).toBeGreaterThan(0);
  });
});
