// Issue 11 families about the run itself: a turn of thousands of tool calls through a real CLI run
// and its --resume (5), a suite regex that backtracks on the model's answer (9), and a stopped run
// holding its results folder plus a corrupt journal line on resume (10).
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AttemptRecord } from '../../src/types.js';
import { spawnCli } from '../helpers/cli.js';
import { call, cli, row, runHostile, writeSuite, type FamilyRow } from './families.js';
import { startHostileLane, type HostileTurn } from './hostileLane.js';
import { tempDir } from './harness.js';

/** A lanes.yaml with one openai lane, `hostile`, at `url` (with a literal api_key). */
export function hostileLanesFile(dir: string, url: string, apiKey = 'sk-chaos-none'): string {
  const path = join(dir, 'lanes.yaml');
  writeFileSync(path, `version: 1\nlanes:\n  - id: hostile\n    kind: openai\n    base_url: ${url}/v1\n    api_key: ${apiKey}\n    model: hostile\n`);
  return path;
}

export function journalOf(results: string): { runId: string; path: string; records: AttemptRecord[] } {
  const runId = readdirSync(join(results, 'runs'))[0]!;
  const path = join(results, 'runs', runId, 'journal.jsonl');
  const records = readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as AttemptRecord];
      } catch {
        return []; // the corrupt line family 10 writes, or the empty tail
      }
    });
  return { runId, path, records };
}

/** The state a kill leaves: these journal lines gone, the run not marked finished. */
function crashed(results: string, keep: (line: string, i: number, all: string[]) => string | null): void {
  const { runId, path } = journalOf(results);
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const kept = lines.map((l, i) => keep(l, i, lines)).filter((l): l is string => l !== null);
  writeFileSync(path, kept.map((l) => `${l}\n`).join(''));
  rmSync(join(results, 'runs', runId, 'finished.json'), { force: true });
}

const cliEnv = () => ({ BRAINBENCH_STATE_DIR: tempDir('bb-chaos-state-') });

/** 5: three turns of 4000 read_file calls each: the attempt gets a record, the run and its --resume finish. */
export async function toolFlood(): Promise<FamilyRow> {
  const family = '5 thousands of read_file in a turn';
  const calls = (n: number): HostileTurn => ({ calls: Array.from({ length: n }, (_, i) => call('read_file', { path: i % 2 ? 'big.txt' : `missing-${i}.txt` })) });
  const lane = await startHostileLane({ flood: ({ turn }) => (turn <= 3 ? calls(4000) : { answer: 'done' }) });
  const dir = tempDir('bb-chaos-flood-');
  try {
    const suite = writeSuite(join(dir, 'suite'), [{ id: 'flood', turn_budget: 5 }], { scratch: { 'big.txt': 'x'.repeat(1024 * 1024) } });
    const results = join(dir, 'results');
    const base = ['--lanes-file', hostileLanesFile(dir, lane.url), '--results', results, '--json'];
    const env = cliEnv();
    const first = await cli(['run', '--lane', 'hostile', '-n', '1', '--suite', suite, ...base], env);
    const problems: string[] = [];
    const record = () => (existsSync(join(results, 'runs')) ? journalOf(results).records.find((r) => r.prompt_id === 'flood') : undefined);
    const inFirst = record();
    if (first.exitCode !== 0 || !inFirst) problems.push(`run: exit ${first.exitCode}, ${inFirst ? 'a record' : 'no record'}: ${first.stderr.slice(-300)}`);
    let resumed: number | undefined;
    let runs = first.exitCode === 0 ? 1 : 0;
    if (inFirst) {
      const transcript = JSON.parse(readFileSync(inFirst.transcript, 'utf8')) as { messages: unknown[]; truncated?: boolean };
      if (transcript.messages.length < 3 * 4000) problems.push(`run: the transcript holds ${transcript.messages.length} messages`);
      crashed(results, () => null);
      const resume = await cli(['run', '--resume', journalOf(results).runId, ...base], env);
      resumed = resume.exitCode ?? undefined;
      if (resume.exitCode === 0) runs++;
      if (resume.exitCode !== 0 || !record()) problems.push(`resume: exit ${resume.exitCode}, ${record() ? 'a record' : 'no record'}: ${resume.stderr.slice(-300)}`);
    }
    const lost = record() ? 0 : 1;
    const note = `12000 calls, 96 run; record ${inFirst?.outcome ?? 'none'} after ${inFirst?.wall_s.toFixed(1) ?? '?'} s; --resume exit ${resumed ?? '-'}`;
    return row(family, ['flood'], problems.map((p) => `flood: ${p}`), { runs: `${runs}/2`, lost, note });
  } finally {
    await lane.close();
  }
}

/** 9: a suite's regex check that backtracks catastrophically on the model's answer. */
export async function regexCheck(): Promise<FamilyRow> {
  const family = '9 backtracking regex check';
  const cases = { redos_nested: { pattern: '^(a+)+$', answer: `${'a'.repeat(40)}!` }, redos_alt: { pattern: '^(x+x+)+y$', answer: 'x'.repeat(40) } };
  const prompts = Object.entries(cases).map(([id, c]) => ({ id, check: { kind: 'regex', all: [c.pattern] } }));
  const script = Object.fromEntries(Object.entries(cases).map(([id, c]) => [id, () => ({ answer: c.answer })]));
  const r = await runHostile(prompts, script, { shell: false });
  const problems = Object.keys(cases).flatMap((id) => {
    const rec = r.records.find((x) => x.prompt_id === id);
    if (!rec) return [`${id}: no record`];
    return rec.outcome === 'wrong_answer' && /did not finish within/.test(rec.why) ? [] : [`${id}: ${rec.outcome} (${rec.why})`];
  });
  const slowest = Math.max(0, ...r.records.map((x) => x.wall_s));
  return row(family, Object.keys(cases), problems, { runs: '1/1', lost: r.lost, note: `check failed with the deadline's reason; run took ${r.wallS.toFixed(1)} s (slowest attempt ${slowest.toFixed(1)} s)` });
}

async function waitFor(test: () => boolean, ms = 30_000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 100) {
    if (test()) return true;
    await sleep(100);
  }
  return test();
}

/** 10a: a run stopped (SIGSTOP) for `stopS` keeps its results folder; SIGCONT: it finishes clean. */
async function stoppedHolder(results: string, stopS: number, env: Record<string, string>): Promise<string[]> {
  const first = spawnCli(['run', '--lane', 'demo', '-n', '1', '--tok-per-sec', '400', '--results', results], { env });
  const problems: string[] = [];
  try {
    const started = await waitFor(() => existsSync(join(results, 'runs')) && readdirSync(join(results, 'runs')).some((id) => existsSync(join(results, 'runs', id, 'journal.jsonl'))));
    if (!started) return [`stop: the first run never started: ${String((await first).stderr)}`];
    process.kill(first.pid!, 'SIGSTOP');
    await sleep(stopS * 1000);
    const second = await cli(['run', '--lane', 'demo', '-n', '1', '--tok-per-sec', '100000', '--results', results], env);
    if (second.exitCode !== 1 || !/is in use by run/.test(second.stderr)) problems.push(`stop: a second run was not refused: exit ${second.exitCode}, ${second.stderr.slice(-200)}`);
    process.kill(first.pid!, 'SIGCONT');
    const done = await first;
    const said = String(done.stderr);
    if (done.exitCode !== 0 || /lost the lock|^\s+at /m.test(said)) problems.push(`stop: the first run did not finish clean: exit ${done.exitCode}, ${said.slice(-300)}`);
  } finally {
    first.kill('SIGKILL');
  }
  return problems;
}

/** 10b: a corrupt line in the middle of the journal: resume reports it and keeps every later record. */
async function corruptLine(results: string, env: Record<string, string>): Promise<{ problems: string[]; lost: number; note: string }> {
  const before = journalOf(results).records;
  const middle = Math.floor(before.length / 2);
  // the middle line garbled, the last one gone: resume has work to do on both sides of it
  crashed(results, (line, i, all) => (i === middle ? `${line.slice(0, 40)}\u0000garbage` : i === all.length - 1 ? null : line));
  const resume = await cli(['run', '--resume', journalOf(results).runId, '--results', results], env);
  const after = journalOf(results).records;
  const problems: string[] = [];
  if (resume.exitCode !== 0) problems.push(`journal: resume exit ${resume.exitCode}: ${resume.stderr.slice(-300)}`);
  if (!/journal\.jsonl:\d+: not a journal record; skipped it/.test(resume.stdout + resume.stderr)) problems.push('journal: resume did not report the corrupt line');
  const later = before.slice(middle + 1, -1);
  const kept = later.filter((r) => after.some((a) => a.prompt_id === r.prompt_id && a.attempt === r.attempt && a.started_at === r.started_at)).length;
  if (kept !== later.length) problems.push(`journal: ${later.length - kept} of ${later.length} later records lost or redone`);
  const slots = new Set(before.map((r) => `${r.prompt_id}#${r.attempt}`));
  const lost = [...slots].filter((s) => !after.some((a) => `${a.prompt_id}#${a.attempt}` === s)).length;
  return { problems, lost, note: `line ${middle + 1} of ${before.length} corrupt: ${kept}/${later.length} later records kept` };
}

/** 10: SIGSTOP for longer than the old stale time while a second run tries the folder, then a corrupt journal line. */
export async function stoppedRun(stopS: number): Promise<FamilyRow> {
  const family = '10 SIGSTOP holder, corrupt journal';
  const results = join(tempDir('bb-chaos-stop-'), 'results');
  const env = cliEnv();
  const stop = await stoppedHolder(results, stopS, env);
  const journal = stop.length ? { problems: [], lost: 0, note: 'not tried' } : await corruptLine(results, env);
  return row(family, ['stop', 'journal'], [...stop, ...journal.problems], {
    runs: `${2 - [stop, journal.problems].filter((p) => p.length).length}/2`,
    lost: journal.lost,
    note: `stopped ${stopS} s: second run refused, first finished; ${journal.note}`,
  });
}
