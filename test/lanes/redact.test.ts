import { describe, expect, it } from 'vitest';
import { redact } from '../../src/lanes/redact.js';

describe('redact', () => {
  it('replaces every occurrence of every secret, longest first', () => {
    expect(redact('key=nvapi-abc and again nvapi-abc; Bearer nvapi-abc-long', ['nvapi-abc', 'nvapi-abc-long'])).toBe('key=*** and again ***; Bearer ***');
  });
  it('ignores values too short to be secrets', () => {
    expect(redact('port 1 of 10', ['1', ''])).toBe('port 1 of 10');
  });
});
