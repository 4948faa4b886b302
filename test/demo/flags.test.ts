import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { parseServerArgs } from '../../src/demo/flags.js';

describe('fake-llama-server flags', () => {
  it('reads the flags a lane manager passes to llama-server and ignores the rest', () => {
    const args = parseServerArgs(
      ['-m', '/models/weak.gguf', '--host', '127.0.0.2', '--port', '18080', '-c', '64000', '--alias', 'lane-a', '--metrics', '-np', '2', '-ngl', '99', '--jinja', '-t', '8', '-fa', 'on', '--no-webui'],
      {},
    );
    expect(args).toMatchObject({ brain: 'weak', host: '127.0.0.2', port: 18080, ctx: 64000, alias: 'lane-a', metrics: true, slots: 2, modelPath: '/models/weak.gguf' });
  });

  it('takes the brain from the model name first, then --brain, then FAKE_LANE_BRAIN', () => {
    expect(parseServerArgs(['-m', 'x/looper.gguf', '--brain', 'weak'], {}).brain).toBe('looper');
    expect(parseServerArgs(['-m', 'x/qwen.gguf', '--brain', 'weak'], { FAKE_LANE_BRAIN: 'crasher' }).brain).toBe('weak');
    expect(parseServerArgs(['-m', 'x/qwen.gguf'], { FAKE_LANE_BRAIN: 'crasher' }).brain).toBe('crasher');
    expect(parseServerArgs([], {}).brain).toBe('strong');
  });

  it('has the fake-only flags with their defaults and env fallbacks', () => {
    const defaults = parseServerArgs([], {});
    expect(defaults).toMatchObject({ tokPerSec: 40, loadDelayMs: 300, faults: [], slots: 1, metrics: false, port: 8080, alias: 'demo' });
    expect(parseServerArgs([], { FAKE_LANE_TOK_PER_SEC: '12.5' }).tokPerSec).toBe(12.5);
    const set = parseServerArgs(['--tok-per-sec', '0', '--load-delay-ms', '0', '--fault', 'reset', '--fault', 'silent'], {});
    expect(set).toMatchObject({ tokPerSec: 0, loadDelayMs: 0, faults: ['reset', 'silent'] });
  });

  it('refuses unknown brains and faults with a suggestion, and bad numbers', () => {
    expect(() => parseServerArgs(['--brain', 'strnog'], {})).toThrow(/unknown brain 'strnog'; did you mean strong\?/);
    expect(() => parseServerArgs(['--fault', 'http50'], {})).toThrow(UsageError);
    expect(() => parseServerArgs(['--port', 'abc'], {})).toThrow(/--port wants a whole number/);
  });
});
