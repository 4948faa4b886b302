import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { intFlag, LIMITS, numberFlag, parseFlags, UsageError, type Command } from '../cli/args.js';
import { AttachController, findLiveRun } from '../cockpit/attach-controller.js';
import type { CockpitController } from '../cockpit/controller.js';
import { LocalController } from '../cockpit/local-controller.js';
import { brainNames, isBrainName } from '../demo/brains.js';
import { demoLaneId, withDemoVariants } from '../demo/identity.js';
import { EventBus } from '../events.js';
import { LaneManager } from '../lanes/manager.js';
import { findManifestPath, loadManifest } from '../lanes/manifest.js';
import { defaultResultsDir, defaultSuite, runDir } from '../paths.js';
import { readPlan } from '../run/plan.js';
import { createCockpitStore, type CockpitStore, type StoreInit } from '../store.js';
import { harnessOptions, initialPick } from '../cockpit/harnesses.js';
import { taskSuitePath } from '../tasks/source.js';
import type { LaneSpec, Manifest } from '../lanes/manifest.js';
import { readStatus } from '../run/status-file.js';
import { oneLine } from '../safeText.js';
import { runCommand } from './run.js';

const HELP = `brainbench — the cockpit: live matrix of prompts × attempts, gauges, one-key lane swaps

Usage:
  brainbench [flags]              open the cockpit on lanes.yaml (attaches to a live detached run)
  brainbench --demo [flags]       open it on the simulated demo lane and start a run right away

Flags:
  --demo               use the demo lane (no GPU needed) and start a run at once
  --attach RUN_ID      watch this run (one started with 'brainbench run --detach')
  --no-attach          do not attach to a live detached run; drive lanes yourself
  --lanes-file FILE    lanes manifest (default: $BRAINBENCH_LANES, ./lanes.yaml, the user config)
  --results DIR        results folder (default ./results)
  --suite PATH|NAME    suite for runs started here (default: last used, else ${defaultSuite});
                       a task suite (tasks-v1) runs under the harnesses picked with h, N=1 by default
  -n N                 attempts per prompt (default: last used, else 5)
  --parallel K         attempts in flight (default: the lane's slots, else 1)
  --adaptive           stop a prompt once its majority verdict is decided
  --brain NAME         demo lane: strong, weak, confabulator, looper, broken-json, reasoning-only, crasher;
                       another brain than the lane's is its own lane, <id>+<brain> (demo+weak)
  --tok-per-sec N      demo lane: simulated decode speed (default 40)
  --fps N              frame-rate cap (default 10)

Keys (also on screen; ? lists them all):
  1-9 swap to that lane · d demo · s lane menu · r run · h harnesses (task suites)
  p pause/resume · x stop the run
  arrows move · enter attempt detail · esc back · l leaderboard · ? help · q quit

Quitting stops a run the cockpit started (finished attempts are kept; resume with
'brainbench run --resume ID') and the demo lane; a real lane stays resident. It never stops a
detached run. Without a terminal (a pipe, CI), 'brainbench --demo' prints a line per attempt.`;

const FLAGS = {
  demo: { type: 'boolean' },
  attach: { type: 'string' },
  'no-attach': { type: 'boolean' },
  'lanes-file': { type: 'string' },
  results: { type: 'string' },
  suite: { type: 'string' },
  n: { type: 'string', short: 'n' },
  parallel: { type: 'string' },
  adaptive: { type: 'boolean' },
  brain: { type: 'string' },
  'tok-per-sec': { type: 'string' },
  fps: { type: 'string' },
} as const;

async function runIds(resultsDir: string): Promise<string[]> {
  try {
    return await readdir(join(resultsDir, 'runs'));
  } catch {
    return [];
  }
}

export const cockpitCommand: Command = {
  name: 'cockpit',
  summary: 'open the cockpit (the default when no command is given)',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, FLAGS);
    const resultsDir = values.results ?? defaultResultsDir();
    // flags are refused before anything starts
    const fpsFlag = values.fps === undefined ? undefined : intFlag(values.fps, 'fps', 10, LIMITS.fps);
    const tokPerSec = numberFlag(values['tok-per-sec'], 'tok-per-sec', LIMITS['tok-per-sec']);
    if (values.brain !== undefined && !isBrainName(values.brain)) throw new UsageError(`--brain wants one of ${brainNames.join(', ')}, got '${oneLine(values.brain)}'`);

    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      // No terminal to draw on (pipe, CI, ssh without -t): the plain reporter instead of raw mode.
      if (!values.demo) {
        console.error("brainbench: no terminal here, so no cockpit. Use 'brainbench run --lane ID' (line per attempt), 'brainbench status' or 'brainbench lanes'.");
        return 2;
      }
      const passOn = ['--lane', 'demo', ...argv.filter((a) => a !== '--demo' && a !== '--no-attach')];
      return runCommand.run(passOn);
    }

    // React's development build leaks over an overnight session; decide before React loads.
    process.env.NODE_ENV ??= 'production';
    // conf (via when-exit) re-raises SIGTERM on itself once loaded; only the cockpit, which exits
    // on SIGTERM anyway, may load it — never a headless or detached run.
    const { openPreferences } = await import('../cockpit/prefs.js');
    const prefs = openPreferences();
    const bus = new EventBus();
    const lanesFile = findManifestPath(values['lanes-file']);
    const loaded = await loadManifest(lanesFile, process.env, { missingEnv: 'defer' });
    const manifest = playingBrain(loaded, values.brain);
    const attachTo = values.attach
      ? { runId: values.attach, pid: (await readStatusPid(resultsDir, values.attach)) ?? -1 }
      : values.demo || values['no-attach']
        ? null
        : await findLiveRun(resultsDir, await runIds(resultsDir));
    const { store, controller } = attachTo
      ? await attachCockpit({ manifest, bus, resultsDir }, attachTo)
      : await localCockpit({ manifest, bus, resultsDir }, { values, prefs, lanesFile, loaded, tokPerSec });

    const { runCockpit } = await import('../../components/cockpit.js');
    await runCockpit({ store, controller, fps: fpsFlag ?? prefs.get('fps') ?? 10 });
    // The user quit and controller.quit() has stopped what needed stopping; an attempt still
    // winding down must not hold the terminal (it has no record yet, so a resume re-runs it).
    process.exit(0);
  },
};

type Flags = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];
type Prefs = ReturnType<typeof import('../cockpit/prefs.js').openPreferences>;
interface Cockpit {
  store: CockpitStore;
  controller: CockpitController;
}
interface Common {
  manifest: Manifest;
  bus: EventBus;
  resultsDir: string;
}

/** Watching a detached run: its plan's suite and N, its events replayed and followed. */
async function attachCockpit({ manifest, bus, resultsDir }: Common, attachTo: { runId: string; pid: number }): Promise<Cockpit> {
  const dir = runDir(resultsDir, attachTo.runId);
  const plan = await readPlan(dir);
  const store = createStore(manifest.lanes, plan.n, plan.suite);
  bus.on(store.getState().apply);
  const attach = new AttachController(dir, attachTo.pid, resultsDir, bus, (reason) => store.getState().markDied(reason));
  store.getState().setAttached(attachTo.runId);
  store.getState().log('info', `attached to run ${attachTo.runId} (pid ${attachTo.pid}); q leaves it running`);
  attach.start();
  return { store, controller: attach };
}

/**
 * Running things itself: lanes through a lane manager, runs of the suite on the resident lane. A
 * task suite (Harbor folders) runs under the harnesses picked with h (remembered); N defaults to
 * 1 for it, as for `brainbench run`.
 */
async function localCockpit(
  { manifest, bus, resultsDir }: Common,
  { values, prefs, lanesFile, loaded, tokPerSec }: { values: Flags; prefs: Prefs; lanesFile: string; loaded: Manifest; tokPerSec: number | undefined },
): Promise<Cockpit> {
  const suite = values.suite ?? prefs.get('suite') ?? defaultSuite;
  const taskSuite = taskSuitePath(suite);
  const n = intFlag(values.n, 'n', taskSuite ? 1 : (prefs.get('n') ?? 5), LIMITS.n);
  const harnesses = taskSuite ? harnessOptions(manifest.harnesses) : [];
  const store = createStore(manifest.lanes, n, suite, { harnesses, harnessPick: initialPick(harnesses, prefs.get('harnesses')) });
  bus.on(store.getState().apply);
  store.subscribe((s, before) => {
    if (s.harnessPick !== before.harnessPick) prefs.set('harnesses', s.harnessPick);
  });
  // the brain is in the lane's spec (playingBrain): the lane id says which brain it plays
  const manager = new LaneManager({ manifest, bus, logDir: join(resultsDir, 'lanes'), demo: tokPerSec !== undefined ? { tokPerSec } : {} });
  const parallel = values.parallel === undefined ? null : intFlag(values.parallel, 'parallel', 1, LIMITS.parallel);
  const local = new LocalController({
    manager,
    bus,
    resultsDir,
    laneKinds: new Map(manifest.lanes.map((l) => [l.id, l.kind])),
    ...(taskSuite && { tasks: { manifest, environment: 'bwrap' as const, n } }),
    request: { lanesFile, suite: taskSuite ?? suite, n, parallel, adaptive: values.adaptive ?? false, enable: [], turnBudget: 12, timeoutS: 360, sampling: {}, demo: {}, stopAfter: false },
    onSwap: (id) => prefs.set('lastLane', id),
    log: (level, message) => store.getState().log(level, message),
  });
  prefs.set('suite', suite);
  if (!taskSuite || values.n !== undefined) prefs.set('n', n);
  // lanes already up (started by an earlier brainbench) show as they are; a ready one is
  // the resident lane, so r runs on it straight away
  const statuses = await manager.status();
  for (const status of statuses) {
    bus.emit({ type: 'lane.state', lane: status.id, state: status.state, ...(status.port ? { port: status.port } : {}), ...(status.detail ? { detail: status.detail } : {}) });
  }
  const resident = statuses.find((l) => l.state === 'ready' && l.kind !== 'openai');
  await local.init(resident?.id ?? null);
  if (values.demo) {
    // the README's first command: the matrix fills in by itself
    void local
      .swapLane(demoLaneId(loaded, 'demo', values.brain))
      .then(() => local.startRun(taskSuite ? { harnesses: store.getState().harnessPick } : {}))
      .catch((err: unknown) => store.getState().log('error', (err as Error).message));
  }
  return { store, controller: local };
}

async function readStatusPid(resultsDir: string, runId: string): Promise<number | null> {
  return (await readStatus(runDir(resultsDir, runId)))?.pid ?? null;
}

/**
 * The manifest as this cockpit plays it: with --brain, each demo lane that would play another
 * brain than its own becomes its variant (`demo+weak`, src/demo/identity.ts), the lane that the
 * lane bar shows, `d` swaps to and results record, as \`brainbench run --brain\` records it.
 */
function playingBrain(manifest: Manifest, brain: string | undefined): Manifest {
  if (brain === undefined) return manifest;
  const idOf = new Map(manifest.lanes.map((l) => [l.id, demoLaneId(manifest, l.id, brain)]));
  const withVariants = withDemoVariants(manifest, [...idOf.values()]);
  const spec = new Map(withVariants.lanes.map((l) => [l.id, l]));
  return { ...withVariants, lanes: manifest.lanes.map((l) => spec.get(idOf.get(l.id)!)!) };
}

function createStore(lanes: LaneSpec[], n: number, suite: string, pick: Pick<StoreInit, 'harnesses' | 'harnessPick'> = {}): CockpitStore {
  return createCockpitStore({ lanes: lanes.map((l) => ({ id: l.id, kind: l.kind, port: l.port || null, state: 'stopped' })), n, suite, ...pick });
}
