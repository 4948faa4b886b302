import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planReply } from '../../src/demo/brains.js';
import { findSolution, loadSolutions, parseSolutions } from '../../src/demo/solutions.js';
import { tools } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

describe('solutions file', () => {
  it('loads the built-in brain-v1 script, and the strong brain follows it', () => {
    const builtin = loadSolutions();
    expect(builtin.suite).toBe('brain-v1');
    for (const solution of Object.values(builtin.prompts)) {
      const reply = planReply('strong', { messages: [{ role: 'user', content: solution.match }], stream: false, includeUsage: false, tools }, builtin);
      expect(reply).toEqual(
        solution.steps[0]
          ? { kind: 'tool_call', name: solution.steps[0].tool, arguments: JSON.stringify(solution.steps[0].args) }
          : { kind: 'answer', content: solution.answer, channel: 'content' },
      );
    }
  });

  it('names the file and the field that is wrong', () => {
    const file = join(tempDir('solutions-'), 'bad.json');
    writeFileSync(file, JSON.stringify({ suite: 's', prompts: { p1: { match: 'x', steps: [{ args: {} }], answer: 'a' } } }));
    expect(() => loadSolutions(file)).toThrow(new RegExp(`${file}: prompts\\.p1\\.steps\\.0\\.tool: `));
    expect(() => loadSolutions(join(tmpdir(), 'no-such-solutions.json'))).toThrow(/cannot read solutions file/);
  });

  it('matches the prompt text exactly, ignoring surrounding whitespace', () => {
    const script = parseSolutions({ suite: 's', prompts: { p: { match: 'Read the file.', answer: 'done' } } });
    expect(findSolution(script, '  Read the file.\n')?.answer).toBe('done');
    expect(findSolution(script, 'Read the file')).toBeUndefined();
    expect(script.prompts.p!.steps).toEqual([]);
  });
});
