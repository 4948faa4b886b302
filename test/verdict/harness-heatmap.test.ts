// The lanes × harnesses heatmap of `report --html` (issue 15 item 4b): one cell per (lane,
// harness) complete task scorecard, marked in the SVG and counted in the table beside it.
import { describe, expect, it } from 'vitest';
import { harnessCells } from '../../src/verdict/charts.js';
import { renderHtmlReport } from '../../src/verdict/html-report.js';
import { laneCard, taskCard } from './cards.js';

// Three (lane, harness) cells; (fast, opencode) was never run; the partial one is not drawn.
const taskCards = [
  taskCard('big', 'builtin', [5, 4]),
  taskCard('big', 'opencode', [3, 3]),
  taskCard('fast', 'builtin', [2, 1]),
  taskCard('fast', 'opencode', [5, 5], false),
];

function figure(html: string, name: string): string {
  const start = html.indexOf(`<figure data-chart="${name}">`);
  expect(start, `figure ${name}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</figure>', start));
}

describe('lanes × harnesses heatmap', () => {
  it('has a cell per complete (lane, harness) card with its pass rate and count', () => {
    expect(harnessCells(taskCards)).toEqual([
      { lane: 'big', column: 'builtin', pass_rate: 0.9, label: '9/10' },
      { lane: 'big', column: 'opencode', pass_rate: 0.6, label: '6/10' },
      { lane: 'fast', column: 'builtin', pass_rate: 0.3, label: '3/10' },
    ]);
  });

  it('draws a mark for every (lane, harness) cell, and the table beside it', async () => {
    const html = await renderHtmlReport([laneCard('big', [5, 5], 5)], { generatedAt: 'now', taskCards });
    const chart = figure(html, 'harnesses');
    expect(chart).toMatch(/^<figure data-chart="harnesses"><svg /);
    for (const [lane, harness, label, pct] of [['big', 'builtin', '9/10', '90%'], ['big', 'opencode', '6/10', '60%'], ['fast', 'builtin', '3/10', '30%']]) {
      expect(chart).toContain(`aria-label="column: ${harness}; lane: ${lane}; pass rate: ${pct}" role="graphics-symbol" aria-roledescription="rect mark"`);
      expect(chart).toContain(`>${label}</text>`);
    }
    expect((chart.match(/aria-roledescription="rect mark"/g) ?? []).length).toBe(3);
    const table = html.slice(html.indexOf('</figure>', html.indexOf('data-chart="harnesses"')));
    expect(table).toContain('<tr><th>Lane</th><th>builtin</th><th>opencode</th></tr>');
    expect(table).toContain('<tr><td>fast</td><td>3/10</td><td>—</td></tr>');
  });

  it('says why nothing is drawn before a task suite has run', async () => {
    const html = await renderHtmlReport([laneCard('big', [5, 5], 5)], { generatedAt: 'now' });
    expect(html).not.toContain('data-chart="harnesses"');
    expect(html).toContain('No complete task-suite run yet');
  });
});
