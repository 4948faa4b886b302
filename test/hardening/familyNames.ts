// Issue 11 families about names and flags, through the real CLI: a prompt id that is a path (7),
// escape sequences from a model and a lane on the way to the terminal, `status` and summary.md
// (8), and absurd flags (11).
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSuite } from '../../src/suite/load.js';
import { execa } from 'execa';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/cli.js';
import { call, cli, ESCAPES, row, turns, writeSuite, type FamilyRow } from './families.js';
import { hostileLanesFile } from './familyRun.js';
import { startHostileLane } from './hostileLane.js';
import { tempDir } from './harness.js';

/** Every path under `dir` with its size and mtime: what "nothing written or removed" compares. */
export function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return ['(absent)'];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((rel) => {
      const st = lstatSync(join(dir, rel));
      return `${rel} ${st.size} ${st.mtimeMs}`;
    });
}

const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

const same = (a: string[], b: string[]) => JSON.stringify(a) === JSON.stringify(b);

/** 7: prompt ids (and a run id) that are paths out of the results folder: refused up front, nothing outside touched. */
export async function pathIds(): Promise<FamilyRow> {
  const family = '7 path ids';
  const canary = tempDir('bb-chaos-canary-');
  mkdirSync(join(canary, 'data'));
  writeFileSync(join(canary, 'data', 'keep.txt'), 'keep me\n');
  const literal = '/tmp/x';
  const before = { canary: snapshot(canary), literal: snapshot(literal) };
  const dir = tempDir('bb-chaos-ids-');
  const env = { BRAINBENCH_STATE_DIR: join(dir, 'state') };
  const cases = {
    literal: '../../../../tmp/x/data',
    canary: `${'../'.repeat(24)}${join(canary, 'data').slice(1)}`,
    absolute: join(canary, 'data'),
  };
  const problems: string[] = [];
  for (const [name, id] of Object.entries(cases)) {
    const suite = writeSuite(join(dir, name), [{ id: 'fine' }, { id }]);
    const results = join(dir, `results-${name}`);
    const run = await cli(['run', '--lane', 'demo', '-n', '1', '--suite', suite, '--results', results], env);
    if (run.exitCode === 0 || !/prompts\.jsonl:2\b.*id/.test(run.stderr)) problems.push(`${name}: not refused at load: exit ${run.exitCode}, ${run.stderr.slice(-200)}`);
    if (existsSync(join(results, 'runs'))) problems.push(`${name}: a run folder was made`);
  }
  const resume = await cli(['run', '--resume', cases.canary, '--results', join(dir, 'results-resume')], env);
  if (resume.exitCode === 0) problems.push(`resume: --resume ${cases.canary} was not refused`);
  if (!same(snapshot(canary), before.canary)) problems.push('canary: the folder outside results was changed');
  if (!same(snapshot(literal), before.literal)) problems.push('literal: /tmp/x was changed');
  const names = [...Object.keys(cases), 'resume'];
  return row(family, names, problems, { runs: '-', lost: 0, note: `3 suites and 1 --resume refused at load; canary ${problems.some((p) => p.startsWith('canary')) ? 'CHANGED' : 'untouched'}` });
}

/** Markdown table lines whose cell count differs from their table's header, and text cut loose from a row. */
export function brokenTableRows(markdown: string): string[] {
  const cells = (line: string) => line.split(/(?<!\\)\|/).length;
  const broken: string[] = [];
  let header: number | null = null;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      header = null;
      if (/^next\b/.test(line)) broken.push(line);
      continue;
    }
    header ??= cells(line);
    if (cells(line) !== header || !line.endsWith('|')) broken.push(line);
  }
  return broken;
}

const NASTY = {
  title: '\u001b]0;PWNED-TITLE\u0007',
  clear: '\u001b[2J\u001b[H',
  clipboard: '\u001b]52;c;cHduZWQ=\u0007',
  csi: '\u009b31m',
};
const nasty = `${NASTY.title}${NASTY.clear}${NASTY.clipboard}${NASTY.csi}\r`;

/** 8: escape sequences in a tool name, an answer, a lane's error and a category; an id with a newline. */
export async function escapeText(): Promise<FamilyRow> {
  const family = '8 escape sequences, odd ids';
  const lane = await startHostileLane({
    esc_tool: turns({ calls: [call(`read_file${nasty}`, { path: 'notes.txt' }), call(nasty, {})] }, { answer: `answer ${nasty} done` }),
    esc_lane: () => ({ status: 500, error: `lane broke ${nasty}` }),
    esc_category: () => ({ answer: `fine ${nasty}` }),
  });
  const dir = tempDir('bb-chaos-esc-');
  const problems: string[] = [];
  try {
    const category = 'cat\nnext | <b>bold</b> <script>x</script>';
    const suite = writeSuite(join(dir, 'suite'), [{ id: 'esc_tool' }, { id: 'esc_lane' }, { id: 'esc_category', category }]);
    const results = join(dir, 'results');
    const env = { BRAINBENCH_STATE_DIR: join(dir, 'state') };
    const lanes = hostileLanesFile(dir, lane.url);
    const run = await cli(['run', '--lane', 'hostile', '-n', '1', '--suite', suite, '--lanes-file', lanes, '--results', results], env);
    const status = await cli(['status', '--results', results], env);
    const summaryPath = join(results, 'summary.md');
    const summary = existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : '';
    if (run.exitCode !== 0) problems.push(`run: exit ${run.exitCode}: ${run.stderr.slice(-300)}`);
    const printed = { reporter: run.stdout + run.stderr, status: status.stdout + status.stderr };
    for (const [where, text] of Object.entries({ ...printed, summary })) {
      if (ESCAPES.test(text)) problems.push(`${where}: a control character got through`);
    }
    // the hostile text did arrive (cleaned): the check above was not passed by printing nothing
    if (!/lane broke .*PWNED-TITLE/.test(printed.reporter) || !/PWNED-TITLE/.test(printed.status)) problems.push('reporter: the lane error never showed');
    const broken = brokenTableRows(summary);
    if (!summary) problems.push('summary: no summary.md');
    else if (broken.length || /<b>|<script>/.test(summary)) problems.push(`summary: a table row broke: ${JSON.stringify(broken)}`);
    const newlineId = writeSuite(join(dir, 'newline-id'), [{ id: 'a\nb' }, { id: '<b>x</b>' }]);
    const refused = await loadSuite(newlineId).then(
      () => false,
      (err: Error) => /prompts\.jsonl:1\b/.test(err.message) && !ESCAPES.test(err.message),
    );
    if (!refused) problems.push('ids: an id with a newline was not refused at load');
  } finally {
    await lane.close();
  }
  return row(family, ['reporter', 'status', 'summary', 'ids'], problems, { runs: '1/1', lost: 0, note: 'tool name, answer, lane error (OSC title, clear, OSC 52, C1 CSI, CR); category with newline/HTML/pipe' });
}

/** 11: absurd flags, each refused up front with a one-line message; nothing created. */
export async function absurdFlags(): Promise<FamilyRow> {
  const family = '11 absurd flags';
  const cwd = tempDir('bb-chaos-flags-');
  const state = join(tempDir('bb-chaos-state-'), 'state');
  const cases: Record<string, { args: string[]; says: RegExp }> = {
    'n-300000000': { args: ['-n', '300000000'], says: /-n wants a whole number .*300000000/ },
    'timeout-3000000': { args: ['--timeout', '3000000'], says: /--timeout wants .*3000000/ },
    'results-proc': { args: ['--results', '/proc/x'], says: /\/proc\/x/ },
    'lanes-comma': { args: ['--lanes', ','], says: /--lanes/ },
  };
  const problems: string[] = [];
  for (const [name, c] of Object.entries(cases)) {
    const lane = name === 'lanes-comma' ? [] : ['--lane', 'demo'];
    // run from an empty folder (the default ./results lands there); tsx loaded by path, not from that folder
    const run = await execa(process.execPath, ['--import', tsxLoader, join(repoRoot, 'src/cli.ts'), 'run', ...lane, ...c.args], {
      cwd,
      env: { BRAINBENCH_STATE_DIR: state },
      reject: false,
      timeout: 60_000,
    });
    const message = run.stderr.trim();
    if (run.exitCode === 0 || run.timedOut) problems.push(`${name}: not refused (exit ${run.exitCode}${run.timedOut ? ', hung' : ''})`);
    else if (!c.says.test(message) || /^\s+at /m.test(message)) problems.push(`${name}: unclear message: ${message.slice(0, 200)}`);
    if (readdirSync(cwd).length || existsSync(state) || existsSync('/proc/x')) problems.push(`${name}: something was created`);
  }
  return row(family, Object.keys(cases), problems, { runs: '-', lost: 0, note: '-n 300000000, --timeout 3000000, --results /proc/x, --lanes ","' });
}
