// The leaderboard's pictures (issue 15 item 4a): the frontier scatter and the lanes × prompts
// heatmap, as pure lines and as frames inside the cockpit at 80×24 and 120×40.
import { renderToString } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import { frontierLines, heatmap, PARETO_MARK, shadeOf, SIZE_GLYPHS } from '../../src/cockpit/leaderboardCharts.js';
import type { LaneScorecard } from '../../src/types.js';
import { fakeController, scorecard, storeWithLanes } from './fixtures.js';

function card(lane: string, pass: number, tokS: number, peakGb: number): LaneScorecard {
  const c = scorecard(lane, pass, { tokPerSec: tokS });
  return { ...c, telemetry: { ...c.telemetry!, unified_used_gb_max: peakGb } };
}

// A: best and biggest; B: fast and small (Pareto too); C: dominated by B on all three.
const cards = [card('lane-best', 0.9, 20, 90), card('lane-fast', 0.6, 80, 20), card('lane-dominated', 0.4, 40, 60)];

/** Row and column of the first cell of `mark` in the plot lines. */
function position(lines: string[], mark: string): [number, number] {
  const row = lines.findIndex((l) => l.includes(mark));
  expect(row, `${mark} drawn`).toBeGreaterThanOrEqual(0);
  return [row, [...lines[row]!.slice(0, lines[row]!.indexOf(mark))].length];
}

function expectInside(lines: string[], columns: number, rows: number): void {
  expect(lines.length).toBeLessThanOrEqual(rows);
  for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(columns);
}

afterEach(() => cleanup());

describe('frontier scatter', () => {
  it('puts higher pass rates higher and faster lanes further right, sized by memory, Pareto marked', () => {
    const lines = frontierLines(cards, 80, 23);
    expectInside(lines, 80, 23);
    const [rowA, colA] = position(lines, `${SIZE_GLYPHS[2]}A${PARETO_MARK}`); // 90 GB of 90: large
    const [rowB, colB] = position(lines, `${SIZE_GLYPHS[0]}B${PARETO_MARK}`); // 20 GB: small
    const [rowC, colC] = position(lines, `${SIZE_GLYPHS[1]}C`); // 60 GB: middle
    expect(lines[rowC]).not.toContain(`C${PARETO_MARK}`);
    expect(rowA).toBeLessThan(rowB);
    expect(rowB).toBeLessThan(rowC);
    expect(colA).toBeLessThan(colC);
    expect(colC).toBeLessThan(colB);
    expect(lines.some((l) => l.includes('A 90 %') && l.includes('lane-best'))).toBe(true);
    expect(lines.some((l) => l.includes('C 40 %') && l.includes('lane-dominated') && !l.includes(PARETO_MARK))).toBe(true);
  });

  it('uses a taller terminal for a taller plot and keeps both lanes of a shared spot', () => {
    const twins = [card('x-one', 0.5, 40, 10), card('x-two', 0.5, 40, 10)];
    const small = frontierLines(twins, 80, 12);
    const large = frontierLines(twins, 120, 39);
    expectInside(small, 80, 12);
    expectInside(large, 120, 39);
    expect(large.length).toBeGreaterThan(small.length);
    for (const lines of [small, large]) {
      expect(lines.some((l) => l.includes('A'))).toBe(true);
      expect(lines.some((l) => l.includes('B'))).toBe(true);
    }
  });
});

describe('heatmap', () => {
  it('maps pass rates to ░▒▓█ and gives one row per prompt with a cell per lane', () => {
    expect([0, 0.24, 0.25, 0.6, 0.75, 1].map(shadeOf)).toEqual(['░', '░', '▒', '▓', '█', '█']);
    const map = heatmap(cards, 80);
    expect(map.header).toMatch(/prompt\s+A\s+B\s+C/);
    expect(map.rows).toHaveLength(2);
    // p1's pass rate is each lane's core rate (4.5/5 → 5/5, 3/5, 2/5); p2 is 3/5 everywhere
    expect(map.rows[0]).toMatch(/p1_read_grounding\s+██ ▓▓ ▒▒/);
    expect(map.rows[1]).toMatch(/p2_multistep_chain\s+▓▓ ▓▓ ▓▓/);
    expect(map.legend.join(' ')).toContain('A lane-best');
  });
});

describe('leaderboard frames', () => {
  it('tab cycles table → frontier → heatmap → table inside 80×24', async () => {
    const store = storeWithLanes();
    store.getState().openLeaderboard(cards);
    const { controller } = fakeController();
    const ink = render(<App store={store} controller={controller} columns={80} rows={24} />);
    const frames: string[] = [];
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      frames.push(ink.lastFrame()!);
      ink.stdin.write('\t');
    }
    for (const frame of frames) expectInside(frame.split('\n'), 80, 24);
    expect(frames[0]).toContain('tab frontier');
    expect(frames[1]).toContain(`A${PARETO_MARK}`);
    expect(frames[1]).toContain('100 %┤');
    expect(frames[2]).toMatch(/p1_read_grounding\s+██ ▓▓ ▒▒/);
    expect(frames[3]).toContain('tab frontier');
  });

  it('the pictures use the room at 120×40', () => {
    const store = storeWithLanes();
    store.getState().openLeaderboard(cards);
    const { controller } = fakeController();
    const heights: number[] = [];
    for (const mode of ['frontier', 'heatmap']) {
      store.getState().cycleLeaderboardMode();
      expect(store.getState().leaderboard?.mode).toBe(mode);
      const frame = renderToString(<App store={store} controller={controller} columns={120} rows={40} />, { columns: 200 });
      expectInside(frame.split('\n'), 120, 40);
      heights.push(frame.split('\n').filter((l) => l.includes('┤') || l.includes('│')).length);
    }
    expect(heights[0]).toBeGreaterThan(20); // the frontier's plot grows with the terminal
  });
});
