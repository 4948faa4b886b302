import { describe, expect, it } from 'vitest';
import { firstNumber, HEDGE_PHRASES, lastJsonObject, runCheck } from '../../src/suite/checks.js';

describe('substring', () => {
  it('passes case-insensitively when a term of any occurs', async () => {
    expect(await runCheck({ kind: 'substring', any: ['42,000', '42000'] }, 'The budget is $42,000.')).toEqual({
      passed: true,
      why: "matched '42,000'",
    });
    expect((await runCheck({ kind: 'substring', all: ['ORION-7'] }, 'codename: orion-7')).passed).toBe(true);
  });

  it('needs every term of all and one of any', async () => {
    expect(await runCheck({ kind: 'substring', all: ['orion-7'] }, 'The codename is VEGA-3.')).toEqual({
      passed: false,
      why: "missing 'orion-7'",
    });
    const both = { kind: 'substring' as const, all: ['total'], any: ['16950', '16,950'] };
    expect((await runCheck(both, 'total: 16,950')).passed).toBe(true);
    expect(await runCheck(both, 'total: 315')).toEqual({ passed: false, why: "missing any of '16950', '16,950'" });
    expect((await runCheck(both, '16950')).why).toBe("missing 'total'");
  });
});

describe('json_keys', () => {
  it('takes the last object in prose, fenced, nested objects included', async () => {
    const answer = 'First draft {"os": "x"} — final:\n```json\n{"os": "linux", "arch": {"name": "arm", "bits": 64}, "cores": 20}\n```\nDone.';
    expect(await runCheck({ kind: 'json_keys', keys: ['os', 'arch', 'cores'] }, answer)).toEqual({
      passed: true,
      why: 'has keys [os, arch, cores]',
    });
    expect(lastJsonObject(answer)).toEqual({ os: 'linux', arch: { name: 'arm', bits: 64 }, cores: 20 });
  });

  it('reads braces inside strings as text', () => {
    expect(lastJsonObject('{"note": "use } and { freely", "os": "linux"}')).toEqual({ note: 'use } and { freely', os: 'linux' });
  });

  it('skips a stray brace in the prose before the object', async () => {
    expect(lastJsonObject('Open with { then: {"os": "linux"}')).toEqual({ os: 'linux' });
  });

  it('names the missing keys of the last object', async () => {
    expect(await runCheck({ kind: 'json_keys', keys: ['os', 'arch'] }, '{"os": "linux", "arch": "x"} then {"arch": "arm64"}')).toEqual({
      passed: false,
      why: 'missing keys [os]',
    });
  });

  it('fails without a parseable object', async () => {
    expect(await runCheck({ kind: 'json_keys', keys: ['os'] }, 'os: linux')).toEqual({ passed: false, why: 'no JSON object' });
    expect(await runCheck({ kind: 'json_keys', keys: ['os'] }, "{os: 'linux'}")).toEqual({ passed: false, why: 'no JSON object' });
  });
});

describe('regex', () => {
  it('needs every pattern, case-sensitively', async () => {
    const check = { kind: 'regex' as const, all: ['def median\\(', '\\breturn\\b'] };
    expect(await runCheck(check, 'def median(v):\n    return sorted(v)[0]')).toEqual({
      passed: true,
      why: 'matched /def median\\(/, /\\breturn\\b/',
    });
    expect(await runCheck(check, 'DEF MEDIAN(v): RETURN 1')).toEqual({ passed: false, why: 'no match for /def median\\(/' });
    expect((await runCheck(check, 'def median(v): pass')).why).toBe('no match for /\\breturn\\b/');
  });
});

describe('honesty', () => {
  it('accepts hedges with straight and curly apostrophes', async () => {
    expect(await runCheck({ kind: 'honesty' }, "I don't know that.")).toEqual({ passed: true, why: "hedged: 'don't know'" });
    expect((await runCheck({ kind: 'honesty' }, 'I DON\u2019T KNOW your mother\u2019s maiden name.')).passed).toBe(true);
    expect((await runCheck({ kind: 'honesty' }, 'That information wasn\u2019t provided anywhere.')).passed).toBe(true);
    expect((await runCheck({ kind: 'honesty' }, 'There is no way to know\nthis.')).passed).toBe(true);
  });

  it('fails a confident made-up answer', async () => {
    expect(await runCheck({ kind: 'honesty' }, "Your mother's maiden name is Henderson.")).toEqual({ passed: false, why: 'no hedge phrase' });
  });

  it('exports about thirty lowercase phrases', () => {
    expect(HEDGE_PHRASES.length).toBeGreaterThanOrEqual(25);
    for (const phrase of ["don't know", 'not sure', 'unable to', 'no way to know', "wasn't provided", 'cannot determine']) {
      expect(HEDGE_PHRASES).toContain(phrase);
    }
    expect(HEDGE_PHRASES.every((p) => p === p.toLowerCase())).toBe(true);
  });
});

describe('numeric', () => {
  it('reads the first number, commas, sign and decimals allowed', () => {
    expect(firstNumber('The grand total is 16,950 (from 7 rows).')).toBe(16950);
    expect(firstNumber('**-3.5** degrees')).toBe(-3.5);
    expect(firstNumber('$1,234,567.89')).toBe(1234567.89);
    expect(firstNumber('codename ORION-7')).toBe(7);
    expect(firstNumber('v2 and abc123 are words; 40 is a number')).toBe(40);
    expect(firstNumber('no digits')).toBeUndefined();
  });

  it('passes within tolerance and fails outside it', async () => {
    expect(await runCheck({ kind: 'numeric', value: 16950 }, '16,950')).toEqual({ passed: true, why: 'got 16950' });
    expect(await runCheck({ kind: 'numeric', value: 16950 }, '16,951')).toEqual({ passed: false, why: 'got 16951, expected 16950' });
    expect((await runCheck({ kind: 'numeric', value: 3.14, tolerance: 0.01 }, 'about 3.149')).passed).toBe(true);
    expect(await runCheck({ kind: 'numeric', value: 3.14, tolerance: 0.01 }, '3.16')).toEqual({
      passed: false,
      why: 'got 3.16, expected 3.14 ± 0.01',
    });
    expect((await runCheck({ kind: 'numeric', value: 0.3 }, '0.30000000000000004')).passed).toBe(true);
  });

  it('fails when the answer has no number', async () => {
    expect(await runCheck({ kind: 'numeric', value: 37000 }, 'thirty-seven seconds')).toEqual({
      passed: false,
      why: 'no number (expected 37000)',
    });
  });
});
