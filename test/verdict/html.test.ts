import { execa } from 'execa';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frontierPoints } from '../../src/verdict/charts.js';
import { renderHtmlReport, writeHtmlReport } from '../../src/verdict/html-report.js';
import { tempDir } from '../helpers/cli.js';
import { laneCard, taskCard } from './cards.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`skipping the headless-browser check of the HTML report: no ${CHROMIUM} (Debian package chromium)`);

const telemetry = (gb: number) => ({ n_samples: 1, gpu_util_mean: null, gpu_util_max: null, unified_used_gb_max: gb, gpu_temp_c_max: null, power_w_max: null });
const HOSTILE = 'x<img src=x onerror=alert(1)>';
// fast and lean (Pareto), slower and heavier and worse (dominated), fastest and leanest but weakest (Pareto)
const cards = [
  laneCard('fast-lean', [5, 5, 4, 5], 5, { tokens_per_sec: 80, telemetry: telemetry(30) }),
  laneCard('heavy', [5, 4, 4, 3], 5, { tokens_per_sec: 50, telemetry: telemetry(90) }),
  laneCard(HOSTILE, [3, 2, 4, 3], 5, { tokens_per_sec: 100, telemetry: telemetry(20) }),
  laneCard('no-probe', [5, 5, 5, 0], 5, { tokens_per_sec: null }),
];

/** The figure of one chart, as the page holds it. */
function figure(html: string, name: string): string {
  const start = html.indexOf(`<figure data-chart="${name}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</figure>', start));
}

const count = (text: string, needle: RegExp) => (text.match(needle) ?? []).length;

let html: string;
beforeAll(async () => {
  html = await renderHtmlReport(cards, { generatedAt: 'now' });
});

describe('the frontier', () => {
  it('marks the lanes no other lane dominates on pass rate, tok/s and peak memory', () => {
    const points = frontierPoints(cards);
    expect(points.map((p) => [p.lane, p.pareto])).toEqual([
      ['fast-lean', true],
      ['heavy', false],
      [HOSTILE, true],
    ]);
  });
});

describe('report --html page', () => {
  it('draws a point per lane with a tok/s, Pareto ones marked, and says which lane is not drawn', () => {
    const frontier = figure(html, 'frontier');
    expect(frontier).toMatch(/^<figure data-chart="frontier"><svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(count(frontier, /aria-roledescription="point"/g)).toBe(3);
    expect(count(frontier, /frontier: Pareto; [^"]*" role="graphics-symbol" aria-roledescription="point"/g)).toBe(2);
    expect(count(frontier, /aria-roledescription="text mark"/g)).toBe(3);
    expect(html).toContain('Not drawn (no pass rate or tok/s): no-probe.');
  });

  it('draws a heatmap cell per lane and graded prompt, with its count', () => {
    const heatmap = figure(html, 'heatmap');
    const rects = heatmap.slice(heatmap.indexOf('mark-rect role-mark'));
    expect(count(rects.slice(0, rects.indexOf('</g>')), /<path /g)).toBe(4 * 4);
    expect(heatmap).toContain('>3/5</text>');
  });

  it('escapes lane names in the tables and in the SVG, and fetches nothing', () => {
    expect(html).not.toContain('<img');
    expect(html).toContain('x&#60;img src=x onerror=alert(1)&#62;');
    const external = html.match(/(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]*|url\((?!#)[^)]*\)|@import[^;]*|<script[^>]*>|<link[^>]*>/gi);
    expect(external).toBeNull();
  });

  it('says the neighbour verdicts beside the ranking', () => {
    expect(html).toMatch(/<li>1 vs 2: \S+ ahead of \S+ by \d+ points \[-?\d+, -?\d+\] — (not )?separable at N=5/);
  });
});

describe.runIf(hasChromium)('report --html in headless Chromium', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('bb-html-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every chart with its marks laid out', async () => {
    const tasks = [taskCard('fast-lean', 'builtin', [5, 4]), taskCard('fast-lean', 'opencode', [3, 3]), taskCard('heavy', 'builtin', [2, 1])];
    const file = await writeHtmlReport(join(dir, 'report.html'), cards, tasks);
    // a copy with a probe script: the report itself carries none. It measures what the browser drew.
    const probe = `<script>
      const out = {};
      for (const fig of document.querySelectorAll('figure[data-chart]')) {
        const svg = fig.querySelector('svg');
        const marks = [...svg.querySelectorAll('g.role-mark path')].filter((p) => { const b = p.getBBox(); return b.width > 0 && b.height > 0; });
        const box = svg.getBoundingClientRect();
        out[fig.dataset.chart] = { svg: svg instanceof SVGSVGElement, width: box.width, height: box.height, marks: marks.length };
      }
      const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out); document.body.append(pre);
    </script>`;
    const probed = join(dir, 'probed.html');
    writeFileSync(probed, readFileSync(file, 'utf8').replace('</body>', `${probe}</body>`));
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
    const run = await execa(CHROMIUM, [...flags, `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', `file://${probed}`], { timeout: 90_000, reject: false });
    const json = /<pre id="probe">([^<]*)<\/pre>/.exec(run.stdout)?.[1];
    expect(json, `chromium printed no probe result (exit ${run.exitCode}): ${run.stderr.slice(-500)}`).toBeDefined();
    const drawn = JSON.parse(json!.replace(/&quot;/g, '"')) as Record<string, { svg: boolean; width: number; height: number; marks: number }>;
    expect(drawn.frontier).toMatchObject({ svg: true, marks: 3 });
    expect(drawn.heatmap).toMatchObject({ svg: true, marks: 16 });
    expect(drawn.harnesses).toMatchObject({ svg: true, marks: 3 });
    for (const chart of Object.values(drawn)) expect(chart.width * chart.height).toBeGreaterThan(0);
  }, 120_000);
});
