import { spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intFlag, LIMITS, numberFlag, parseFlags, suggest, UsageError, type Command } from '../cli/args.js';
import { brainNames, isBrainName } from '../demo/brains.js';
import { EventBus } from '../events.js';
import { defaultResultsDir, defaultSuite, runDir } from '../paths.js';
import { RunControl } from '../run/control.js';
import { isRunId, resumeCommand } from '../run/plan.js';
import { createLineReporter } from '../run/reporter.js';
import { checkWritable, lockResults, type ResultsLockLost } from '../run/results-lock.js';
import { superviseQueue, type SupervisedResult } from '../run/supervise.js';
import { createLockedRun, openSession, type RunRequest, type Session } from '../run/session.js';
import { oneLine, stripControl } from '../safeText.js';
import type { EngineEvent } from '../types.js';
import { taskSuitePath } from '../tasks/source.js';
import { parseHarnessList } from '../harness/registry.js';

const HELP = `brainbench run — run a suite against one lane or a queue of lanes, headless

Usage:
  brainbench run --lane ID [flags]          one lane (started if it is not up)
  brainbench run --lanes a,b,c [flags]      a queue: each lane started, run, probed, stopped in turn
  brainbench run --all [flags]              every lane of lanes.yaml, in file order
  brainbench run --resume RUN_ID            carry on a killed or interrupted run

Flags:
  --lane ID            the lane to run (an id from lanes.yaml; 'demo' is the simulated lane)
  --lanes a,b,c        a queue of lanes
  --all                every lane in lanes.yaml
  --suite PATH|NAME    the suite: a built-in name (brain-v1) or a path (default ${defaultSuite})
  -n N                 attempts per prompt (default 5)
  --parallel K         attempts in flight at once (default: the lane's slot count, else 1)
  --adaptive           stop a prompt once its majority verdict cannot change or its 95 %
                       interval is clear of 50 %
  --enable FLAG        switch on a capability flag for conditional prompts (repeatable;
                       'shell' is on by itself where bubblewrap works)
  --turn-budget N      model turns per attempt before it counts as runaway (default 12)
  --timeout S          seconds per attempt before it counts as runaway (default 360)
  --temperature T      sampling temperature (default: the suite's, else the server's)
  --seed N             sampling seed
  --brain NAME         demo lane only: strong, weak, confabulator, looper, broken-json,
                       reasoning-only, crasher (default: the lane's brain: in lanes.yaml, else
                       strong). Another brain than the lane's is recorded as its own lane,
                       <id>+<brain> (e.g. demo+weak), never under the lane's name. Refused on
                       a run with no demo lane; a queue's other lanes run their own models
  --tok-per-sec N      demo lane only: simulated decode speed per slot (default 40)
  --slots N            demo lane only: simulated decoding slots (/props total_slots; default 1)
  --lanes-file FILE    lanes manifest (default: $BRAINBENCH_LANES, ./lanes.yaml, then the user config)
  --results DIR        where results go (default ./results)
  --stop-after         stop the lane when the run ends (a queue always stops all but the last)
  --json               print engine events as JSON lines instead of the line reporter
  --harness H[,H2…]    task suites: what drives the brain, each one in turn on every lane:
                       builtin (the tool loop, default), oracle (solution/solve.sh), null (does
                       nothing), or an agent CLI: pi, qwen-code, opencode, aider, claude-code,
                       hermes, or one declared under harnesses: in lanes.yaml
  --env bwrap|docker   task suites: bubblewrap on this system (default) or each task's Docker image
  --detach             run in the background, immune to the SSH session ending; prints how
                       to watch it ('brainbench' attaches the cockpit, 'brainbench status')

Every finished attempt is journaled to results/runs/<run-id>/journal.jsonl before the next one
starts; results/<lane>.json and results/summary.md are rewritten after each lane.
Exit code: 0 when the run completed (whatever the scores), 1 when it could not, 2 on bad flags.

Examples:
  brainbench run --lane demo -n 3
  brainbench run --lane demo --brain confabulator
  brainbench run --lanes qwen3-30b-moe-llamacpp-q4km,qwen3-30b-moe-vllm-fp8 --adaptive
  brainbench run --resume 20261122-221500-ab12`;

const FLAGS = {
  lane: { type: 'string' },
  lanes: { type: 'string' },
  all: { type: 'boolean' },
  suite: { type: 'string' },
  n: { type: 'string', short: 'n' },
  parallel: { type: 'string' },
  adaptive: { type: 'boolean' },
  enable: { type: 'string', multiple: true },
  'turn-budget': { type: 'string' },
  timeout: { type: 'string' },
  temperature: { type: 'string' },
  seed: { type: 'string' },
  brain: { type: 'string' },
  'tok-per-sec': { type: 'string' },
  slots: { type: 'string' },
  'lanes-file': { type: 'string' },
  results: { type: 'string' },
  resume: { type: 'string' },
  'stop-after': { type: 'boolean' },
  json: { type: 'boolean' },
  detach: { type: 'boolean' },
  harness: { type: 'string' },
  env: { type: 'string' },
} as const;

/**
 * Starts this same command again as a background process in its own session (so the SSH
 * session's SIGHUP never reaches it), resuming the run just planned; its output goes to
 * runs/<id>/runner.log.
 */
function detach(runId: string, resultsDir: string): number {
  const dir = runDir(resultsDir, runId);
  const log = openSync(join(dir, 'runner.log'), 'a');
  const cli = process.argv[1]!;
  const child = spawn(process.execPath, [...process.execArgv, cli, 'run', '--resume', runId, '--results', resultsDir], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, BRAINBENCH_DETACHED: '1' },
  });
  child.unref();
  writeFileSync(join(dir, 'runner.pid'), `${child.pid}\n`);
  console.log(`run ${runId} started in the background (pid ${child.pid}); it keeps going when you log out.
  watch it:   brainbench            (the cockpit attaches to it)
  progress:   brainbench status ${runId}${resultsDir === defaultResultsDir() ? '' : ` --results ${resultsDir}`}
  log:        ${join(dir, 'runner.log')}
  stop it:    kill ${child.pid}   (resume later with: brainbench run --resume ${runId})`);
  return 0;
}

type Flags = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

/** The lanes the flags name; [] means every lane of lanes.yaml (--all). An empty list is refused. */
function lanesFromFlags(values: Flags): string[] {
  if (values.all) return [];
  if (values.lanes !== undefined) {
    const lanes = values.lanes.split(',').map((s) => s.trim()).filter(Boolean);
    if (lanes.length === 0) throw new UsageError(`--lanes wants lane ids separated by commas, got '${values.lanes}'`);
    return lanes;
  }
  if (values.lane !== undefined) {
    if (values.lane.trim() === '') throw new UsageError('--lane wants a lane id, got an empty one');
    return [values.lane.trim()];
  }
  throw new UsageError('which lane? give --lane ID, --lanes a,b,c or --all (try --lane demo)');
}

/** --resume's run id: it becomes a folder name under results/runs/, so only the shape brainbench makes is taken. */
function resumeFromFlags(values: Flags): string | undefined {
  const id = values.resume;
  if (id === undefined || isRunId(id)) return id;
  throw new UsageError(`--resume wants a run id like 20261122-221500-ab12 (the folder names in results/runs/), got '${oneLine(id)}'`);
}

/**
 * What the end of a run adds on stderr: why each lane did not start or finish, and how to resume.
 * A reason the line reporter already printed (`said`) is not printed again.
 */
function endOfRunLines(result: SupervisedResult, said: ReadonlySet<string>, resumeHint: string): string[] {
  const lines = result.failures.filter((f) => !said.has(f.reason)).map((f) => `lane ${oneLine(f.lane)} did not start: ${stripControl(f.reason)}`);
  for (const u of result.unfinished) lines.push(`lane ${oneLine(u.lane)} did not finish${said.has(u.reason) ? '' : `: ${stripControl(u.reason)}`}`);
  if (result.failures.length + result.unfinished.length > 0) lines.push(`Resume with: ${resumeHint}`);
  return lines;
}

/** Lane failures the line reporter shows as they happen (a lane in error, a suite paused). */
function collectSaid(said: Set<string>): (event: EngineEvent) => void {
  return (event) => {
    if (event.type === 'lane.state' && event.detail && (event.state === 'error' || event.state === 'crashed')) said.add(event.detail);
    if (event.type === 'run.paused') said.add(event.reason);
  };
}

/** What the flags ask for, before a run exists: every value is checked here, before anything is made. */
function requestFromFlags(values: Flags): RunRequest {
  const lanes = lanesFromFlags(values);
  // a mistyped brain is refused here, before a run folder exists (issue 24), with the brains there are
  if (values.brain !== undefined && !isBrainName(values.brain)) {
    const hint = suggest(values.brain, [...brainNames]);
    throw new UsageError(`--brain: no brain '${oneLine(values.brain)}'${hint ? ` (did you mean '${hint}'?)` : ''}; the brains: ${brainNames.join(', ')}`);
  }
  const temperature = numberFlag(values.temperature, 'temperature', LIMITS.temperature);
  const seed = values.seed === undefined ? undefined : intFlag(values.seed, 'seed', 0, { min: Number.MIN_SAFE_INTEGER });
  const tokPerSec = numberFlag(values['tok-per-sec'], 'tok-per-sec', LIMITS['tok-per-sec']);
  return {
    lanes,
    lanesFile: values['lanes-file'],
    suite: values.suite ?? defaultSuite,
    n: intFlag(values.n, 'n', 5, LIMITS.n),
    parallel: values.parallel === undefined ? null : intFlag(values.parallel, 'parallel', 1, LIMITS.parallel),
    adaptive: values.adaptive ?? false,
    enable: values.enable ?? [],
    turnBudget: intFlag(values['turn-budget'], 'turn-budget', 12, LIMITS['turn-budget']),
    timeoutS: intFlag(values.timeout, 'timeout', 360, LIMITS.timeout),
    sampling: { ...(temperature !== undefined ? { temperature } : {}), ...(seed !== undefined ? { seed } : {}) },
    demo: {
      ...(values.brain ? { brain: values.brain } : {}),
      ...(tokPerSec !== undefined ? { tokPerSec } : {}),
      ...(values.slots !== undefined ? { slots: intFlag(values.slots, 'slots', 1, LIMITS.slots) } : {}),
    },
    stopAfter: values['stop-after'] ?? false,
    onWarning: (message) => process.stderr.write(`brainbench run: ${oneLine(message)}\n`),
  };
}

/** A task suite's run (src/tasks): N defaults to 1, timeouts and turn budgets come from task.toml unless given. */
function taskRequestFromFlags(values: Flags, suite: string): RunRequest {
  const harnesses = parseHarnessList(values.harness ?? 'builtin'); // ids are checked against lanes.yaml's catalog when the run is made
  if (harnesses.length === 0) throw new UsageError(`--harness wants harness ids separated by commas, got '${values.harness}'`);
  const environment = values.env ?? 'bwrap';
  if (environment !== 'bwrap' && environment !== 'docker') throw new UsageError(`--env wants bwrap or docker, got '${environment}'`);
  if (values.all) throw new UsageError('--all is for prompt suites; give task suites --lane ID or --lanes a,b');
  const prompt = requestFromFlags({ ...values, n: values.n ?? '1' });
  return {
    ...prompt,
    suite,
    tasks: {
      harnesses,
      environment,
      ...(values.timeout !== undefined && { timeoutS: prompt.timeoutS }),
      ...(values['turn-budget'] !== undefined && { turnBudget: prompt.turnBudget }),
    },
  };
}

/**
 * Ctrl-C / SIGTERM stop the run after the attempts in flight (twice: at once); SIGUSR1 and
 * SIGUSR2 are how an attached cockpit pauses and resumes a run in another process.
 * Returns the undo.
 */
function wireSignals(control: RunControl, hooks: { onPause: () => void; onResume: () => void; resumeHint: string }): () => void {
  let interrupts = 0;
  const onStop = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${signal}: finishing the attempts in flight (again to quit now). Resume with: ${hooks.resumeHint}\n`);
    control.stop(`interrupted (${signal})`);
  };
  const onPause = () => {
    control.pause('paused from the cockpit');
    hooks.onPause();
  };
  const onResume = () => {
    control.resume();
    hooks.onResume();
  };
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  process.on('SIGUSR1', onPause);
  process.on('SIGUSR2', onResume);
  return () => {
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
    process.off('SIGUSR1', onPause);
    process.off('SIGUSR2', onResume);
  };
}

/** The demo lane lives inside this process; it goes when the run's process goes. */
async function stopInProcessLanes(session: Session): Promise<void> {
  for (const lane of session.manifest.lanes) {
    if (lane.kind === 'demo' && session.plan.lanes.includes(lane.id)) await session.manager.stop(lane.id);
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run a suite against a lane or a queue of lanes, headless',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, FLAGS);
    if (values.results?.trim() === '') throw new UsageError('--results wants a folder, got an empty one');
    const resultsDir = values.results ?? defaultResultsDir();
    const resume = resumeFromFlags(values);
    // task suites (Harbor format) run on the same queue; --suite tells them apart by shape
    const taskSuite = resume === undefined && values.suite !== undefined ? taskSuitePath(values.suite) : null;
    if (!taskSuite && (values.harness !== undefined || values.env !== undefined)) throw new UsageError('--harness and --env are for task suites (a folder of Harbor task folders)');
    const request = resume !== undefined ? null : taskSuite ? taskRequestFromFlags(values, taskSuite) : requestFromFlags(values);
    checkWritable(resultsDir); // a file, /proc, a read-only or full disk is refused up front
    const control = new RunControl();
    const lock: { lost: ResultsLockLost | null } = { lost: null };
    const onLost = (err: ResultsLockLost) => {
      lock.lost = err;
      control.stop(err.message);
    };
    const { runId, release } = request
      ? await createLockedRun(request, resultsDir, { onLost }).then(({ plan, release }) => ({ runId: plan.runId, release }))
      : { runId: resume!, release: await lockResults(resultsDir, resume!, { onLost }) };
    if (values.detach) {
      await release(); // the background process takes it
      return detach(runId, resultsDir);
    }
    if (process.env.BRAINBENCH_DETACHED === '1') process.on('SIGHUP', () => undefined);

    const bus = new EventBus();
    bus.on(values.json ? (event: EngineEvent) => process.stdout.write(`${JSON.stringify(event)}\n`) : createLineReporter((line) => process.stdout.write(`${line}\n`)));
    const said = new Set<string>(); // with --json nobody reads the events as text: stderr says it all
    if (!values.json) bus.on(collectSaid(said));
    let currentLane = '';
    const resumeHint = resumeCommand(runId, values.results ?? defaultResultsDir());
    const unwire = wireSignals(control, {
      onPause: () => bus.emit({ type: 'run.paused', lane: currentLane, reason: 'paused from the cockpit', user: true }),
      onResume: () => bus.emit({ type: 'run.resumed', lane: currentLane }),
      resumeHint,
    });
    try {
      const session = await openSession(resultsDir, runId, bus);
      currentLane = session.plan.lanes[0] ?? '';
      const onLaneStart = (lane: string) => {
        currentLane = lane;
      };
      // lanes are stopped while the run's status still follows them, so status says 'stopped'
      const wrapUp = () => (session.plan.stopAfter ? session.manager.stopAll() : stopInProcessLanes(session));
      const result = await superviseQueue({ ...session, resultsDir, bus, control, onLaneStart, wrapUp });
      if (lock.lost) throw lock.lost; // one line, after the attempts in flight; the journal is whole
      for (const line of endOfRunLines(result, said, resumeHint)) process.stderr.write(`${line}\n`);
      return result.state === 'done' ? 0 : 1;
    } finally {
      unwire();
      await release();
    }
  },
};
