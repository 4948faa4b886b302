// The line reporter prints what models and lanes produced; none of their escape sequences may
// reach the terminal (issue 11, "Ids and names"), and a lane failure is said once (issue 12).
import { describe, expect, it } from 'vitest';
import { createLineReporter } from '../../src/run/reporter.js';
import type { AttemptRecord, EngineEvent } from '../../src/types.js';
import { scorecard } from '../cockpit/fixtures.js';

const OSC52 = '\u001b]52;c;ZXZpbA==\u0007';
const CLEAR = '\u001b[2J';
const TITLE = '\u001b]0;title\u0007';
const CSI1 = '\u009b';
const HOSTILE = `${OSC52}x${CLEAR}y${TITLE}z${CSI1}2J`;

function record(overrides: Partial<AttemptRecord>): AttemptRecord {
  return {
    lane: 'demo',
    prompt_id: 'p1',
    attempt: 1,
    outcome: 'wrong_answer',
    check_passed: false,
    why: 'missing',
    correct_tool: false,
    tools_called: [],
    turns: 1,
    tokens: { prompt: 1, completion: 1 },
    wall_s: 1,
    ttft_s: null,
    answer: '',
    transcript: '',
    escape_attempts: 0,
    started_at: '',
    ended_at: '',
    ...overrides,
  };
}

function printed(events: EngineEvent[]): string {
  const lines: string[] = [];
  const report = createLineReporter((line) => lines.push(line));
  for (const event of events) report(event);
  return lines.join('\n');
}

describe('line reporter', () => {
  it('prints no control sequence from tool names, answers, reasons or lane errors', () => {
    const out = printed([
      {
        type: 'run.start',
        runId: 'r',
        lane: `demo${TITLE}`,
        suite: 's',
        n: 1,
        parallel: 1,
        prompts: [{ id: 'p1', category: 'c', core: true, vibe: false, skipped: `off${CLEAR}` } as never],
        total: 1,
        done: [],
        simulated: true,
        startedAt: '',
      },
      { type: 'attempt.end', record: record({ tools_called: [`read_file${OSC52}`, `x${CSI1}`], why: `matched '${HOSTILE}'`, answer: HOSTILE }) },
      { type: 'lane.state', lane: 'demo', state: 'error', detail: `boom ${HOSTILE}\nlast lines: ${CLEAR}` },
      { type: 'probe', lane: 'demo', result: { error: HOSTILE } as never },
      { type: 'run.paused', lane: 'demo', reason: HOSTILE },
      { type: 'log', level: 'error', message: HOSTILE },
    ]);
    expect(out).toContain('read_file');
    expect(out).toContain('boom');
    for (const bad of ['\u001b', '\u0007', '\u009b']) expect(out).not.toContain(bad);
    // eslint-disable-next-line no-control-regex -- the point of the test
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('a lane failure reported twice on the bus is printed once', () => {
    const failure: EngineEvent = { type: 'lane.state', lane: 'q4', state: 'error', detail: 'llama-server not found' };
    const out = printed([{ type: 'lane.state', lane: 'q4', state: 'starting', detail: 'llama-server -m x' }, failure, failure]);
    expect(out.split('llama-server not found')).toHaveLength(2);
    expect(out).toContain('lane q4: starting');
  });
});

describe('line reporter: a lane verdict says how much was graded', () => {
  it('names graded/planned and the lane errors, and a partial lane is not ranked', () => {
    const card = scorecard('demo', 0.9);
    const partial = { ...card, completeness: { attempts_done: 52, attempts_planned: 55, complete: false, lane_errors: 3 } };
    const out = printed([{ type: 'run.end', runId: 'r', lane: 'demo', scorecard: partial, scorecardPath: 'a.json', summaryPath: 's.md' }]);
    expect(out).toContain('52/55 graded, 3 lane errors');
    expect(out).toMatch(/not ranked/);
    const whole = printed([{ type: 'run.end', runId: 'r', lane: 'demo', scorecard: { ...card, completeness: { attempts_done: 55, attempts_planned: 55, complete: true } }, scorecardPath: 'a.json', summaryPath: 's.md' }]);
    expect(whole).toContain('55/55 graded');
    expect(whole).not.toMatch(/lane error|not ranked/);
  });
});
