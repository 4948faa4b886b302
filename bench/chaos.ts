// npm run chaos — issue 8's figures: every lane fault, a hostile model, malformed input, a failing
// disk and a secret, thrown at brainbench in-process (plus a few real CLI runs); then issue 11's
// families (the model as an adversary, test/hardening/famil*.ts), then issue 19's (the grader and
// the task half attacked, test/hardening/familyTasks.ts; `npm run chaos -- --issue19` runs only
// those), then the tables.
// It prints what happened; the assertions live in test/hardening/.
import { execa } from 'execa';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { shellAvailable } from '../src/agent/shell.js';
import { main } from '../src/cli.js';
import { faultNames } from '../src/demo/faults.js';
import { startFakeLane } from '../src/demo/server.js';
import { Journal, JournalWriteError } from '../src/run/journal.js';
import { lockResults } from '../src/run/results-lock.js';
import type { AttemptRecord } from '../src/types.js';
import { lanesCases, lanesRefusal, lanesRefusalProblems, suiteCases, suiteRefusal, suiteRefusalProblems } from '../test/hardening/badInputs.js';
import { issue11Families } from '../test/hardening/familyList.js';
import { notRun as notRunRow, type FamilyRow } from '../test/hardening/families.js';
import { hostileFolders, proxyFlood, sigtermMidTrial, taskFamilies } from '../test/hardening/familyTasks.js';
import { faultProblems, hostileSetup, removeTempDirs, runScenario, scratchDir, tempDir } from '../test/hardening/harness.js';
import { cliArgs, repoRoot } from '../test/helpers/cli.js';

interface Row {
  area: string;
  injected: number;
  handled: number;
  runs: string;
  lost: number;
  note: string;
}

// Every attempt's scratch copy, the CLI runs' too, goes under one folder removed at the end.
process.env.BRAINBENCH_SCRATCH_DIR ??= scratchDir();

const rows: Row[] = [];
const failures: string[] = [];
const started = performance.now();
const shell = await shellAvailable();

// 7. Issue 19: the grader and the task half, attacked by a model that plants files (a hostile
// solve.sh under the oracle harness), as root and as uid 65534; hostile task folders; a proxy flood.
// `npm run chaos -- --issue19` runs this part alone.
interface Verdict19 {
  family: string;
  verdict: 'HOLDS' | 'FAILS' | 'SKIPPED' | 'LIMIT';
  held: string;
  note: string;
}

async function issue19Families(): Promise<{ rows: Row[]; problems: string[]; verdicts: Verdict19[] }> {
  const out: { rows: Row[]; problems: string[]; verdicts: Verdict19[] } = { rows: [], problems: [], verdicts: [] };
  const add = (r: FamilyRow, limit = false) => {
    out.rows.push({ area: r.family, injected: r.injected, handled: r.handled, runs: r.runs, lost: r.lost, note: r.note });
    if (!limit) out.problems.push(...r.problems.map((p) => `family ${r.family}: ${p}`));
    const verdict = limit ? 'LIMIT' : r.injected === 0 ? 'SKIPPED' : r.handled === r.injected && !r.problems.length ? 'HOLDS' : 'FAILS';
    out.verdicts.push({ family: r.family, verdict, held: limit || r.injected === 0 ? '-' : `${r.handled}/${r.injected}`, note: r.note });
  };
  if (await shellAvailable()) {
    const tasks = await taskFamilies({ many: 100_000 });
    for (const r of tasks.rows) add(r, r === tasks.byFamily.limit);
    const limits = tasks.verdicts.filter((v) => v.family === 'limit');
    for (const id of [...new Set(limits.map((v) => v.id))]) {
      const seen = limits.filter((v) => v.id === id);
      const forged = seen.filter((v) => v.outcome === 'pass').length;
      out.verdicts.push({ family: `  ${id}`, verdict: 'LIMIT', held: `${seen.length - forged}/${seen.length}`, note: `forged ${forged}/${seen.length}: ${seen[0]!.why ?? ''}` });
    }
    add(await hostileFolders());
    add(await sigtermMidTrial());
  } else {
    add(notRunRow('19 task families', 'no bubblewrap'));
  }
  add(await proxyFlood({ requests: 100, mb: 8, boundMb: 64 }));
  return out;
}

function printIssue19(verdicts: Verdict19[]): void {
  console.log('issue 19 (the grader and task half as an attacker; LIMIT: a pass forged through code the task itself runs, reported, not a grader rule)');
  const t = [['family', 'verdict', 'held', 'detail'], ...verdicts.map((v) => [v.family, v.verdict, v.held, v.note])];
  const w = t[0]!.map((_, i) => Math.max(...t.map((r) => r[i]!.length)));
  for (const [i, r] of t.entries()) {
    console.log(r.map((cell, j) => (j === r.length - 1 ? cell : cell.padEnd(w[j]!))).join('  '));
    if (i === 0) console.log(w.map((x) => '-'.repeat(x)).join('  '));
  }
  const asserted = verdicts.filter((v) => v.verdict !== 'LIMIT');
  console.log(`issue 19 families holding ${asserted.filter((v) => v.verdict === 'HOLDS').length}/${asserted.length}${asserted.some((v) => v.verdict === 'SKIPPED') ? ' (some skipped, see detail)' : ''}`);
}

if (process.argv.includes('--issue19')) {
  const r19 = await issue19Families();
  removeTempDirs();
  printIssue19(r19.verdicts);
  if (r19.problems.length) console.log(`\n${r19.problems.length} problem(s):\n${r19.problems.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(r19.problems.length ? 1 : 0);
}

// 1. Lane faults, each through the real runner against the fake lane.
for (const fault of faultNames) {
  const result = await runScenario({ faults: [fault], idleTimeoutS: 0.5, enabled: shell ? ['shell'] : [] });
  const problems = faultProblems(fault, result);
  failures.push(...problems.map((p) => `fault ${fault}: ${p}`));
  const injected = result.injected[fault] ?? 0;
  const outcomes = Object.entries(result.outcomes).map(([o, n]) => `${o} ${n}`).join(', ');
  rows.push({ area: `fault ${fault}`, injected, handled: problems.length ? 0 : injected, runs: '1/1', lost: result.lost, note: `${outcomes} (${result.wallS.toFixed(1)} s)` });
}

// 2. The hostile model.
const listener = createServer((socket) => socket.end());
await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
const setup = hostileSetup((listener.address() as { port: number }).port, { shell });
// 60 s: the fake lane streams e15's 2 MB of arguments token by token, slow on a busy 2-core box
const hostile = await runScenario({ suitePath: setup.suitePath, solutions: setup.solutions, enabled: shell ? ['shell'] : [], timeoutS: 60 });
listener.close();
const escapesExpected = setup.cases.reduce((sum, c) => sum + c.escapes, 0);
const canaryIntact = readFileSync(join(setup.canaryDir, 'canary.txt'), 'utf8') === setup.canaryText && readdirSync(setup.canaryDir).length === 1;
const contained = setup.cases.filter((c) => {
  const record = hostile.records.find((r) => r.prompt_id === c.id);
  // contained: counted, and refused or stopped by the sandbox, not waited out to the attempt timeout
  const ok = record !== undefined && record.escape_attempts === c.escapes && !/^timeout/.test(record.error ?? '');
  if (!ok) failures.push(`hostile ${c.id}: ${record ? `counted ${record.escape_attempts}, expected ${c.escapes}, ${record.error ?? record.outcome} after ${record.wall_s} s` : 'no record'}`);
  return ok;
}).length;
if (!canaryIntact) failures.push('hostile: the canary outside the scratch folder was touched');
rows.push({
  area: 'hostile model',
  injected: setup.cases.length,
  handled: canaryIntact ? contained : 0,
  runs: '1/1',
  lost: hostile.lost,
  note: `${hostile.scorecard.escape_attempts}/${escapesExpected} escapes counted in the scorecard${shell ? '' : ' (no bubblewrap: shell cases left out)'}`,
});

// 3. Bad input.
let refused = 0;
for (const c of suiteCases) {
  const problems = suiteRefusalProblems(c, await suiteRefusal(c));
  failures.push(...problems.map((p) => `suite '${c.name}': ${p}`));
  if (!problems.length) refused++;
}
for (const c of lanesCases) {
  const problems = lanesRefusalProblems(c, await lanesRefusal(c));
  failures.push(...problems.map((p) => `lanes '${c.name}': ${p}`));
  if (!problems.length) refused++;
}
const printed: string[] = [];
const consoleError = console.error;
console.error = (...args: unknown[]) => void printed.push(args.join(' '));
const typoCode = await main(['run', '--lane', 'demo', '--resum', 'x']);
console.error = consoleError;
const typoOk = typoCode === 2 && /did you mean --resume\?/.test(printed.join('\n'));
if (!typoOk) failures.push(`flag typo: ${printed.join(' ')}`);
const badInputs = suiteCases.length + lanesCases.length + 1;
rows.push({ area: 'bad input', injected: badInputs, handled: refused + (typoOk ? 1 : 0), runs: '-', lost: 0, note: `${suiteCases.length} suites, ${lanesCases.length} lanes files, 1 flag typo` });

// 4. The machine: a full disk (ENOSPC mid-append), a real full tmpfs under the CLI, a held results folder.
const journalPath = join(tempDir('bb-chaos-journal-'), 'journal.jsonl');
let writes = 0;
const journal = new Journal(journalPath, {
  write: (fd, buffer, offset, length) => {
    if (++writes === 3) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return writeSync(fd, buffer, offset, length);
  },
});
const sample = JSON.parse(readFileSync(join(hostile.runDir, 'journal.jsonl'), 'utf8').split('\n')[0]!) as AttemptRecord;
let machineHandled = 0;
journal.append({ ...sample, attempt: 1 });
journal.append({ ...sample, attempt: 2 });
try {
  journal.append({ ...sample, attempt: 3 });
} catch (err) {
  if (err instanceof JournalWriteError && new Journal(journalPath).all().length === 2) machineHandled++;
  else failures.push(`journal ENOSPC: ${(err as Error).message}`);
}
journal.close();

let machineInjected = 2;
if (shell) {
  machineInjected++;
  const base = tempDir('bb-chaos-full-');
  const results = join(base, 'results');
  mkdirSync(results);
  const [node, args] = cliArgs(['run', '--lane', 'demo', '-n', '3', '--tok-per-sec', '100000', '--results', results]);
  const script = `${[node, ...args].map((a) => `'${a}'`).join(' ')}; code=$?; cp -r '${results}' '${base}/copy'; exit $code`;
  const run = await execa('bwrap', ['--dev-bind', '/', '/', '--size', '100000', '--tmpfs', results, 'sh', '-c', script], {
    cwd: repoRoot,
    reject: false,
    env: { ...process.env, BRAINBENCH_STATE_DIR: tempDir('bb-chaos-state-') },
  });
  const runId = readdirSync(join(base, 'copy', 'runs'))[0]!;
  const lines = readFileSync(join(base, 'copy', 'runs', runId, 'journal.jsonl'), 'utf8').split('\n');
  const whole = lines.at(-1) === '' && lines.slice(0, -1).every((l) => JSON.parse(l) as unknown);
  if (run.exitCode === 1 && /no space left on device/.test(run.stderr) && whole) machineHandled++;
  else failures.push(`full tmpfs: exit ${run.exitCode}, ${run.stderr.trim()}`);
}

const held = tempDir('bb-chaos-lock-');
const release = await lockResults(held, 'first');
try {
  await lockResults(held, 'second');
  failures.push('results lock: a second run was let in');
} catch (err) {
  if (/is in use by run first/.test((err as Error).message)) machineHandled++;
  else failures.push(`results lock: ${(err as Error).message}`);
}
await release();
rows.push({ area: 'machine', injected: machineInjected, handled: machineHandled, runs: '-', lost: 0, note: 'ENOSPC mid-append, full tmpfs under the CLI, results folder held' });

// 5. A secret from the environment, through a real CLI run with lane errors.
const secret = 'sk-chaos-SECRET-5e1d';
const fake = await startFakeLane({ brain: 'crasher', tokPerSec: 0, faults: ['http500'] });
const secretDir = tempDir('bb-chaos-secret-');
writeFileSync(join(secretDir, 'lanes.yaml'), `version: 1\nlanes:\n  - id: remote\n    kind: openai\n    base_url: ${fake.url}/v1\n    api_key: "\${MY_KEY}"\n    model: demo\n`);
const [node, args] = cliArgs(['run', '--lane', 'remote', '-n', '1', '--lanes-file', join(secretDir, 'lanes.yaml'), '--results', join(secretDir, 'results'), '--json']);
const secretRun = await execa(node, args, { cwd: repoRoot, reject: false, env: { ...process.env, MY_KEY: secret, BRAINBENCH_STATE_DIR: tempDir('bb-chaos-state-') } });
await fake.close();
const written = readdirSync(join(secretDir, 'results'), { recursive: true, encoding: 'utf8' })
  .map((rel) => join(secretDir, 'results', rel))
  .filter((path) => statSync(path).isFile());
const leaks = [secretRun.stdout + secretRun.stderr, ...written.map((f) => readFileSync(f, 'utf8'))].filter((text) => text.includes(secret)).length;
if (leaks || secretRun.exitCode !== 0) failures.push(`secret: exit ${secretRun.exitCode}, found in ${leaks} outputs/files`);
rows.push({ area: 'secret in lanes.yaml', injected: 1, handled: leaks || secretRun.exitCode !== 0 ? 0 : 1, runs: '1/1', lost: 0, note: `grepped ${written.length} files and the CLI output` });

// 6. Issue 11: the model is an adversary, one row per family of its "Why" list.
// A stop longer than the old lock's stale time (proper-lockfile, 15 s), as the issue's 20 s pause.
const familyRows = [];
for (const family of issue11Families(shell, { stopS: 16 })) {
  const r = await family();
  familyRows.push(r);
  failures.push(...r.problems.map((p) => `family ${r.family}: ${p}`));
  rows.push({ area: r.family, injected: r.injected, handled: r.handled, runs: r.runs, lost: r.lost, note: r.note });
}

const r19 = await issue19Families();
rows.push(...r19.rows);
failures.push(...r19.problems);
removeTempDirs();

// The table.
const header: Row = { area: 'what', injected: 0, handled: 0, runs: 'runs done', lost: 0, note: 'detail' };
const cells = (r: Row, top = false) => [r.area, top ? 'injected' : String(r.injected), top ? 'handled' : String(r.handled), r.runs, top ? 'lost' : String(r.lost), r.note];
const table = [cells(header, true), ...rows.map((r) => cells(r))];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, j) => (j === row.length - 1 ? cell : cell.padEnd(widths[j]!))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
const faultRows = rows.filter((r) => r.area.startsWith('fault '));
const sum = (list: Row[], key: 'injected' | 'handled' | 'lost') => list.reduce((s, r) => s + r[key], 0);
console.log('');
console.log(`faults injected ${sum(faultRows, 'injected')}, handled ${sum(faultRows, 'handled')}`);
const runsOf = (r: Row) => (r.runs === '-' ? [0, 0] : r.runs.split('/').map(Number));
console.log(`runs completed ${rows.reduce((s, r) => s + runsOf(r)[0]!, 0)}/${rows.reduce((s, r) => s + runsOf(r)[1]!, 0)}`);
console.log(`attempts lost ${sum(rows, 'lost')} (target 0)`);
console.log(`escapes attempted ${setup.cases.length}, contained ${canaryIntact ? contained : 0} (target: all)`);
console.log(`bad inputs refused ${refused + (typoOk ? 1 : 0)}/${badInputs}`);
const familiesHandled = familyRows.filter((r) => r.injected > 0 && r.handled === r.injected).length;
const notRun = familyRows.filter((r) => r.injected === 0).map((r) => r.family.split(' ')[0]);
console.log(`issue 11 families handled ${familiesHandled}/${familyRows.length}${notRun.length ? ` (not run here: ${notRun.join(', ')})` : ''}; their attempts lost ${familyRows.reduce((s, r) => s + r.lost, 0)}`);
console.log('');
printIssue19(r19.verdicts);
console.log(`took ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (failures.length) {
  console.log(`\n${failures.length} problem(s):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exitCode = 1;
}
