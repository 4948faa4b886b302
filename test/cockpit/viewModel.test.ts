import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { detailLines } from '../../src/cockpit/detail.js';
import { clock, hms, segmentsWidth, sparkline, truncate, truncateMiddle } from '../../src/cockpit/format.js';
import { gaugeLines } from '../../src/cockpit/gauges.js';
import { headerSegments, type HeaderInput } from '../../src/cockpit/header.js';
import { laneBarSegments } from '../../src/cockpit/laneBar.js';
import { laneHotkeys, shortLaneIds } from '../../src/cockpit/lanes.js';
import { promptRateLines, rankRows } from '../../src/cockpit/leaderboard.js';
import { matrixLayout, matrixScreenLayout } from '../../src/cockpit/layout.js';
import { LANES, record, sample, scorecard } from './fixtures.js';

const text = (segs: { text: string }[]) => segs.map((s) => s.text).join('');

describe('cockpit view models', () => {
  it('formats clocks and cuts text by terminal cells', () => {
    expect(hms(3667)).toBe('01:01:07');
    expect(clock(27)).toBe('00:27');
    expect(clock(3725)).toBe('1:02:05');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('日本語テキスト', 5)).toBe('日本…');
    expect(stringWidth(truncate('日本語テキスト', 5))).toBeLessThanOrEqual(5);
    expect(truncateMiddle('qwen3-30b-moe-llamacpp-q4km', 11)).toBe('qwen3…-q4km');
    expect(sparkline([0, 50, 100, null], 6, 0, 100)).toBe('  ▁▅█ ');
  });

  it('header keeps brand, lane, suite, N and the run clock at 80 columns, all of it at 120', () => {
    const h: HeaderInput = { lane: LANES[0]!, simulated: false, suite: 'brain-v1', n: 5, elapsed: 2467, state: 'running' };
    const wide = text(headerSegments(h, 120));
    // one ETA on screen: the gauges column's
    expect(wide).toBe(' brainbench  lane ● qwen3-30b-moe-llamacpp-q4km  ready :8080  suite brain-v1  N=5  run 00:41:07 running');
    const narrow = headerSegments(h, 80);
    expect(segmentsWidth(narrow)).toBeLessThanOrEqual(80);
    expect(text(narrow)).toMatch(/^ brainbench {2}lane ● qwen3.*q4km {2}ready {2}suite brain-v1 {2}N=5 {2}run 00:41:07 running$/);
    for (const state of ['paused', 'stopped', 'done', 'died'] as const) expect(text(headerSegments({ ...h, state }, 120))).toMatch(new RegExp(`run 00:41:07 ${state}$`));
    for (const width of [30, 50, 60]) expect(segmentsWidth(headerSegments(h, width))).toBeLessThanOrEqual(width);
    // a partial run says so: with its counts where they fit, the word always
    const partial: HeaderInput = { ...h, lane: { id: 'demo+weak', kind: 'demo', port: null, state: 'ready' }, simulated: true, state: 'stopped', partial: { done: 23, planned: 65 } };
    expect(text(headerSegments(partial, 120))).toMatch(/run 00:41:07 stopped · partial 23\/65$/);
    expect(text(headerSegments(partial, 80))).toMatch(/ demo\+weak \(simulated\) .*run 00:41:07 stopped · partial$/);
    const demo = text(headerSegments({ ...h, lane: LANES[3]!, simulated: true }, 120));
    expect(demo).toContain('demo (simulated)');
  });

  it('gives digits to managed lanes and d to the demo lane', () => {
    const lanes = [{ id: 'demo', kind: 'demo' as const }, ...LANES.slice(0, 3)];
    expect(laneHotkeys(lanes)).toEqual([
      { key: 'd', id: 'demo' },
      { key: '1', id: LANES[0]!.id },
      { key: '2', id: LANES[1]!.id },
      { key: '3', id: LANES[2]!.id },
    ]);
    const many = Array.from({ length: 11 }, (_, i) => ({ id: `lane${i}`, kind: 'openai' as const }));
    expect(laneHotkeys(many).map((h) => h.key)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('shortens lane ids to unique suffixes and fits the lane bar', () => {
    const short = shortLaneIds(LANES.map((l) => l.id));
    expect(short.get(LANES[0]!.id)).toBe('q4km');
    expect(short.get(LANES[1]!.id)).toBe('vllm-fp8');
    expect(short.get('demo')).toBe('demo');
    expect(text(laneBarSegments(LANES, LANES[0]!.id, 80))).toBe(' [1] q4km ●  [2] vllm-fp8 ○  [3] incumbent ○  [d] demo ○');
    expect(segmentsWidth(laneBarSegments(LANES, null, 30))).toBeLessThanOrEqual(30);
  });

  it('gauges show "no GPU" without GPUs and stay inside their column', () => {
    const base = { liveTokPerSec: 41.2, probeTokPerSec: 83.5, done: 13, total: 40, eta: 27 };
    const noGpu = gaugeLines({ ...base, telemetry: [], latest: sample(null, { noGpu: true }) }, 28).map(text);
    expect(noGpu[0]).toBe('GPU   no GPU');
    expect(noGpu).toContain('attempt 13/40');
    expect(noGpu).toContain('tok/s 41.2');
    expect(noGpu).toContain('probe 83.5 tok/s');
    const idle = gaugeLines({ ...base, liveTokPerSec: null, probeTokPerSec: null, telemetry: [], latest: null }, 28).map(text);
    expect(idle).toContain('tok/s —');
    expect(idle.some((l) => l.startsWith('probe'))).toBe(false);
    const withGpu = gaugeLines({ ...base, telemetry: [sample(10), sample(91)], latest: sample(91) }, 28);
    expect(text(withGpu[0]!)).toMatch(/^GPU {3}█+░+ {2}91 %$/);
    for (const line of withGpu) expect(segmentsWidth(line)).toBeLessThanOrEqual(28);
  });

  it('matrix layout windows attempt columns when N does not fit', () => {
    const five = matrixLayout(80, 19, 5);
    expect(five.visibleAttempts).toBe(5);
    expect(five.width + five.separatorWidth + five.gaugeWidth).toBe(80);
    const many = matrixLayout(80, 19, 30);
    expect(many.visibleAttempts).toBeLessThan(30);
    expect(many.promptWidth + many.visibleAttempts * many.cellWidth + 18).toBeLessThanOrEqual(many.width);
  });

  it('on a wide terminal the gauges stop growing; the event log gets the width beside them only when the matrix needs the rows', () => {
    // 200×50: body 45 rows. A 13-prompt suite: matrix and gauges on top, the log under them, full width
    const short = matrixScreenLayout(200, 45, 5, 14);
    expect(short.matrix.gaugeWidth).toBeLessThanOrEqual(44);
    expect(short.sideLogWidth).toBe(0);
    expect(short.topRows + short.logRows).toBe(45);
    expect(short.matrix.width + short.matrix.separatorWidth + short.matrix.gaugeWidth + short.matrix.spareWidth).toBe(200);
    // a 100-prompt suite: the matrix takes every row, the log goes beside the gauges
    const long = matrixScreenLayout(200, 45, 5, 101);
    expect(long).toMatchObject({ topRows: 45, logRows: 0 });
    expect(long.sideLogWidth).toBeGreaterThanOrEqual(60);
    expect(long.matrix.visibleRows).toBe(44);
    expect(long.matrix.width + 2 * long.matrix.separatorWidth + long.matrix.gaugeWidth + long.sideLogWidth).toBe(200);
    // 120 columns leave no room beside: the log stays under the matrix
    expect(matrixScreenLayout(120, 35, 5, 101).sideLogWidth).toBe(0);
  });

  it('leaderboard rows are ranked, marked and sized for ink-table', () => {
    const cards = [scorecard('b-lane', 0.7), scorecard('a-lane-with-a-very-long-name-indeed-yes', 0.9), scorecard('demo', 0.5, { simulated: true })];
    const rows = rankRows(cards, 80);
    expect(rows.map((r) => r['#'])).toEqual(['1', '2', '3']);
    expect(rows[0]!.lane.startsWith('a-lane')).toBe(true);
    expect(rows[2]!.lane).toBe('demo*');
    const tableWidth = Object.keys(rows[0]!).reduce((sum, key) => sum + Math.max(key.length, ...rows.map((r) => r[key as keyof typeof r].length)) + 3, 1);
    expect(tableWidth).toBeLessThanOrEqual(80);
    // a partial scorecard keeps its mark and the variant's name whole at 80 columns (counts go first)
    const partial = { ...scorecard('demo+weak', 0.5, { simulated: true }), completeness: { attempts_done: 8, attempts_planned: 65, complete: false } };
    expect(rankRows([partial], 80)[0]!.lane).toBe('demo+weak* (partial)');
    expect(rankRows([partial], 120)[0]!.lane).toBe('demo+weak* (partial 8/65)');
    const lines = promptRateLines(cards, 80);
    expect(lines[1]).toMatch(/^p1_read_grounding\s+90 %\s+70 %\s+50 %$/);
  });

  it('detail lines wrap to the width and strip escape sequences from model output', () => {
    const r = { ...record('p1', 1, 'wrong_answer'), answer: 'evil \u001b[2J answer '.repeat(10) };
    const lines = detailLines(r, JSON.stringify({ messages: [{ role: 'assistant', content: 'x'.repeat(200) }] }), null, 40);
    for (const line of lines) expect(stringWidth(line.text)).toBeLessThanOrEqual(40);
    expect(lines.some((l) => l.text.includes('\u001b'))).toBe(false);
    expect(lines[0]!.text).toBe('p1 · attempt 1 · ✗ wrong_answer');
    expect(detailLines(r, null, 'ENOENT', 40).at(-1)!.text).toContain('transcript unavailable: ENOENT');
  });
});
