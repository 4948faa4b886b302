import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCockpit } from '../../components/cockpit.js';
import { fakeController, storeWithLanes } from './fixtures.js';

const ENTER_ALT = '\x1b[?1049h';
const LEAVE_ALT = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

/** A TTY-like output that records what Ink writes. */
class FakeTerminal extends EventEmitter {
  columns = 80;
  rows = 24;
  isTTY = true;
  output = '';
  write = (chunk: string) => {
    this.output += chunk;
    return true;
  };
}

/** A TTY-like input the test types into (the shape Ink reads: 'readable' + read()). */
class FakeKeyboard extends EventEmitter {
  isTTY = true;
  private pending: string | null = null;
  type(data: string) {
    this.pending = data;
    this.emit('readable');
  }
  read = () => {
    const data = this.pending;
    this.pending = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function start() {
  const store = storeWithLanes();
  const { controller, calls } = fakeController();
  const terminal = new FakeTerminal();
  const keyboard = new FakeKeyboard();
  const exits: number[] = [];
  const done = runCockpit({
    store,
    controller,
    stdout: terminal as unknown as NodeJS.WriteStream,
    stdin: keyboard as unknown as NodeJS.ReadStream,
    exit: (code) => void exits.push(code),
  });
  return { store, calls, terminal, keyboard, exits, done };
}

// Signals are emitted by hand below; keep the worker's own handlers out of the way meanwhile.
let saved: Record<string, NodeJS.SignalsListener[]> = {};
beforeEach(() => {
  saved = {};
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    saved[signal] = process.listeners(signal);
    process.removeAllListeners(signal);
  }
});
afterEach(() => {
  for (const [signal, listeners] of Object.entries(saved)) for (const l of listeners) process.on(signal, l);
});

describe('runCockpit', () => {
  it('draws on the alternate screen and restores the terminal after q', async () => {
    const { calls, terminal, keyboard, exits, done } = start();
    await wait(50);
    expect(terminal.output.startsWith(ENTER_ALT)).toBe(true);
    expect(terminal.output).toContain('brainbench');
    keyboard.type('q');
    await done;
    expect(calls).toContainEqual(['quit']);
    expect(terminal.output.endsWith(SHOW_CURSOR + LEAVE_ALT)).toBe(true);
    expect(exits).toEqual([]); // a normal quit leaves the exit to the caller
  });

  it('on SIGTERM restores the terminal, stops what it started, then exits 143', async () => {
    const { calls, terminal, exits, done } = start();
    await wait(50);
    process.emit('SIGTERM');
    await done;
    expect(terminal.output).toContain(SHOW_CURSOR + LEAVE_ALT);
    expect(calls).toContainEqual(['quit']);
    expect(exits).toEqual([143]);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('on SIGHUP exits 129', async () => {
    const { exits, done } = start();
    await wait(50);
    process.emit('SIGHUP');
    await done;
    expect(exits).toEqual([129]);
  });

  it('sends console output to the status line while it runs, and gives console back after', async () => {
    const before = console.warn;
    const { store, keyboard, terminal, done } = start();
    await wait(50);
    console.warn('scorecard skipped: bad json');
    expect(store.getState().logs.at(-1)).toMatchObject({ level: 'warn', message: 'scorecard skipped: bad json' });
    // drawn on a later frame: wait for it (by polling, not a fixed delay a busy machine overruns)
    for (let waited = 0; !terminal.output.includes('scorecard skipped: bad json') && waited < 10_000; waited += 50) await wait(50);
    expect(terminal.output).toContain('scorecard skipped: bad json');
    keyboard.type('q');
    await done;
    expect(console.warn).toBe(before);
  });
});
