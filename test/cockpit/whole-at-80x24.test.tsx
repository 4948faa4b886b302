// Issue 24: at 80×24 (the cockpit's smallest size) the swap question and the help screen are
// read whole: every answer key, every key line, nothing cut with '…' and nothing below the frame.
import { renderToString } from 'ink';
import { describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import { HELP_KEYS } from '../../components/Help.js';
import { swapQuestion } from '../../src/cockpit/footer.js';
import type { CockpitStore } from '../../src/store.js';
import { fakeController, LANES, prompts, runStart, storeWithLanes } from './fixtures.js';

function frameAt80x24(store: CockpitStore): string[] {
  const { controller } = fakeController();
  // a wider virtual terminal, so a line too wide for 80 columns would show rather than wrap
  return renderToString(<App store={store} controller={controller} columns={80} rows={24} />, { columns: 200 }).split('\n');
}

function running(): CockpitStore {
  const store = storeWithLanes();
  store.getState().apply(runStart(prompts(5)));
  return store;
}

/** The status line: the third line from the bottom (status, lane bar, keys). */
function statusLine(lines: string[]): string {
  return lines[lines.length - 3]!;
}

describe('the swap question at 80×24', () => {
  it('shows the lane and all three answers, [m], [x] and [esc], uncut', () => {
    const store = running();
    store.getState().requestSwap(LANES[1]!.id);
    const lines = frameAt80x24(store);
    expect(lines.length).toBeLessThanOrEqual(23);
    const question = statusLine(lines);
    expect(question).toContain('vllm-fp8');
    expect(question).toMatch(/\[m\] move run · \[x\] stop run, swap · \[esc\] cancel$/);
    expect(question).not.toContain('…');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('stays whole with an error waiting (the e hint gives way: e does nothing while it asks)', () => {
    const store = running();
    store.getState().apply({ type: 'log', level: 'error', message: 'lane nim-incumbent: health check failed' });
    store.getState().requestSwap(LANES[1]!.id);
    const question = statusLine(frameAt80x24(store));
    expect(question).toContain('[esc] cancel');
    expect(question).not.toContain('e: full error');
  });

  it('a lane name too long for the line gives way to its short name, then is cut in its middle, never the answer keys', () => {
    const long = 'a-lane-with-a-very-long-name-that-no-status-line-of-eighty-columns-can-hold';
    expect(swapQuestion(long, [long, 'demo'], 79)).toBe(' Run active. Swap to hold? [m] move run · [x] stop run, swap · [esc] cancel');
    const oneWord = 'alanewhosenamehasnodashesandismuchtoolongforanyeightycolumnstatusline';
    const text = swapQuestion(oneWord, [oneWord, 'demo'], 79);
    expect(text.length).toBeLessThanOrEqual(79);
    expect(text).toMatch(/^ Swap to alane\w+…\w+line\? \[m\] move run · \[x\] stop run, swap · \[esc\] cancel$/);
  });

  it('uses the full wording and the full lane id where they fit', () => {
    expect(swapQuestion(LANES[1]!.id, LANES.map((l) => l.id), 120)).toBe(
      ' Run active. [m] move the run to qwen3-30b-moe-vllm-fp8 · [x] stop the run and swap · [esc] cancel',
    );
  });
});

describe('the help screen at 80×24', () => {
  it('shows every key line whole, with the legend, inside the frame', () => {
    const store = running();
    store.getState().openHelp();
    const lines = frameAt80x24(store);
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    const body = lines.slice(1, -3);
    expect(body.join('\n')).not.toContain('…');
    // a description too long for one line goes on under itself; read as a person reads it
    const read = body.join(' ').replace(/\s+/g, ' ');
    const keys = HELP_KEYS.map(([key]) => key);
    expect(keys).toEqual(expect.arrayContaining(['1-9, d', 's', 'r', 'h', 'p', 'o', 'x', 'e', '↑ ↓ ← →, j k', 'f', 'enter', 'l', '?', 'q, ctrl+c']));
    for (const [key, what] of HELP_KEYS) expect(read).toContain(`${key} ${what}`);
    expect(read).toContain('m, x, esc a swap asks: m moves the run, x stops it and swaps, esc cancels');
    expect(read).toContain('Legend');
    expect(read).toMatch(/✓ pass .*! lane err/);
  });
});
