// Dockerfile ENV as Docker reads it: `$VAR` / `${VAR}` expand against the environment built so far
// (Docker's default PATH before the first ENV), with `:-` / `:+`, escapes and quotes.
import { describe, expect, it } from 'vitest';
import { DOCKER_DEFAULT_PATH, expandWord, planForBwrap, splitWords } from '../../src/tasks/dockerfile.js';

function envOf(dockerfile: string): Record<string, string> {
  const planned = planForBwrap(`FROM debian:bookworm\n${dockerfile}`);
  if (!planned.ok) throw new Error(planned.reason);
  return planned.plan.env;
}

describe('expandWord', () => {
  const vars = { A: 'x', EMPTY: '', PATH: '/usr/bin' };
  it.each([
    ['$A', 'x'],
    ['${A}_bar', 'x_bar'],
    ['$A_bar', ''], // the name runs on: A_bar is unset
    ['$UNSET', ''],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${A:-d}', 'x'],
    ['${A:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${UNSET:-${A}/y}', 'x/y'],
    ['\\$A', '$A'],
    ['\\${A}', '${A}'],
    ["'$A'", '$A'],
    ['"$A b"', 'x b'],
    ['"a\\"b\\$A"', 'a"b$A'],
    ['"c:\\d"', 'c:\\d'],
    ['cost$', 'cost$'],
    ['$1x', 'x'],
  ])('%s → %s', (word, expected) => {
    expect(expandWord(word, vars)).toBe(expected);
  });

  it('refuses what Docker refuses: an unclosed quote or brace', () => {
    expect(() => expandWord('"open', vars)).toThrow(/unclosed double quote/);
    expect(() => expandWord('${A', vars)).toThrow(/missing '}'/);
    expect(() => expandWord('${A:?}', vars)).toThrow(/unsupported substitution/);
  });
});

describe('ENV in planForBwrap', () => {
  it('ENV PATH="/app/.venv/bin:$PATH" prepends to Docker\'s default PATH', () => {
    expect(envOf('ENV PATH="/app/.venv/bin:$PATH"\n').PATH).toBe(`/app/.venv/bin:${DOCKER_DEFAULT_PATH}`);
    expect(envOf('ENV PATH=/opt/x/bin:${PATH}\nENV PATH=$PATH:/opt/y\n').PATH).toBe(`/opt/x/bin:${DOCKER_DEFAULT_PATH}:/opt/y`);
  });

  it('expands against the environment before the line, as Docker does (ENV abc=bye def=$abc sees the old abc)', () => {
    expect(envOf('ENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\n')).toEqual({ abc: 'bye', def: 'hello', ghi: 'bye' });
  });

  it('reads the legacy `ENV KEY value` form, keeping inner spaces and expanding', () => {
    expect(envOf('ENV HOME_DIR /home/u\nENV GREETING  hello   big "$HOME_DIR"\n')).toEqual({ HOME_DIR: '/home/u', GREETING: 'hello   big /home/u' });
  });

  it('keeps quoted values whole, single quotes literal, escapes honoured', () => {
    expect(envOf(`ENV A="a  b" B='$A' C=\\$A D=x\\ y\n`)).toEqual({ A: 'a  b', B: '$A', C: '$A', D: 'x y' });
  });

  it('an ARG default counts for expansion but is not in the environment; an ENV of the same name wins', () => {
    expect(envOf('ARG PY=3.11\nENV VENV=/opt/py$PY\n')).toEqual({ VENV: '/opt/py3.11' });
    expect(planForBwrap('ARG V=1\nFROM debian\nARG V\nENV X=$V\n')).toMatchObject({ ok: true, plan: { env: { X: '1' } } });
  });

  it('a line Docker would refuse makes the task skipped with the reason', () => {
    expect(planForBwrap('FROM debian\nENV A="open\n')).toEqual({ ok: false, reason: expect.stringMatching(/docker would refuse too: unclosed double quote/) });
    expect(planForBwrap('FROM debian\nENV A=1 B\n')).toEqual({ ok: false, reason: expect.stringMatching(/expects name=value, got 'B'/) });
  });
});

describe('splitWords', () => {
  it('splits on whitespace outside quotes, keeping quotes and escapes for expansion', () => {
    expect(splitWords(`A="x y" B='p q' C=a\\ b  D`)).toEqual(['A="x y"', "B='p q'", 'C=a\\ b', 'D']);
  });
});
