import { readFile } from 'node:fs/promises';
import type { EventBus } from '../events.js';
import type { LaneManager } from '../lanes/manager.js';
import { runDir as runDirOf } from '../paths.js';
import { RunControl } from '../run/control.js';
import { resumeCommand } from '../run/plan.js';
import type { RunPlan } from '../run/plan.js';
import { promptCell } from '../run/prompt-cell.js';
import type { Cell } from '../run/queue.js';
import { superviseQueue } from '../run/supervise.js';
import { createLockedRun, type RunRequest } from '../run/session.js';
import type { Manifest } from '../lanes/manifest.js';
import { loadTaskSuite } from '../tasks/load.js';
import { taskCells } from '../tasks/source.js';
import { loadScorecards } from '../verdict/summary.js';
import { loadSuite } from '../suite/load.js';
import { TelemetrySampler } from '../telemetry/sampler.js';
import type { LaneKind } from '../types.js';
import type { CockpitController, StartRunOptions } from './controller.js';

export interface LocalControllerOptions {
  manager: LaneManager;
  bus: EventBus;
  resultsDir: string;
  /** Run settings; the lane is the resident one at the time `r` is pressed. */
  request: Omit<RunRequest, 'lanes' | 'tasks'>;
  /** Set when the suite is a task suite: `r` runs it under the picked harnesses (request.suite is its folder). */
  tasks?: { manifest: Manifest; environment: 'bwrap' | 'docker'; n: number };
  laneKinds: Map<string, LaneKind>;
  /** Called with the lane id after every successful swap (preferences). */
  onSwap?: (id: string) => void;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** How long quitting waits for attempts in flight before leaving them to a resume. */
const QUIT_WAIT_MS = 3000;

/**
 * The cockpit's engine when it runs things itself: swaps lanes through the lane manager, runs
 * the suite on the resident lane with the same queue code as `brainbench run`, and keeps an idle
 * telemetry sampler going between runs so the gauges always move.
 */
export class LocalController implements CockpitController {
  private resident: string | null = null;
  private run: { control: RunControl; done: Promise<void> } | null = null;
  private idle: TelemetrySampler | null = null;
  private closing = false;
  /** What the last `r` asked for: a run moved to another lane (swapDuringRun) asks the same. */
  private lastStart: StartRunOptions = {};

  constructor(private readonly opts: LocalControllerOptions) {}

  /** Starts the gauges; call once the cockpit is up. */
  async init(resident: string | null, metricsUrl: string | null = null): Promise<void> {
    this.resident = resident;
    await this.restartIdleSampler(metricsUrl);
  }

  private async restartIdleSampler(metricsUrl: string | null): Promise<void> {
    if (this.closing) return;
    await this.idle?.stop();
    this.idle = new TelemetrySampler({ bus: this.opts.bus, metricsUrl });
    this.idle.start();
  }

  async swapLane(id: string): Promise<void> {
    if (this.run) throw new Error('a run is active: stop it (x) or let it finish first');
    const lane = await this.opts.manager.start(id);
    this.resident = id;
    this.opts.onSwap?.(id);
    await this.restartIdleSampler(lane.metricsUrl);
  }

  /** What the run asks for: the prompt suite, or the task suite under the picked harnesses. */
  private requestFor(lane: string, options: StartRunOptions): RunRequest {
    const { request, tasks } = this.opts;
    if (!tasks) return { ...request, lanes: [lane] };
    const harnesses = options.harnesses?.length ? options.harnesses : ['builtin'];
    return { ...request, lanes: [lane], n: tasks.n, tasks: { harnesses, environment: tasks.environment } };
  }

  /** The run's cells, as openSession builds them: the prompt suite as one, the task suite under each harness. */
  private async cellsOf(plan: RunPlan, runDir: string): Promise<Cell[]> {
    const { resultsDir, bus, tasks } = this.opts;
    if (plan.tasks && tasks) return taskCells({ plan: { ...plan, tasks: plan.tasks }, suite: loadTaskSuite(plan.suite), manifest: tasks.manifest, runDir, resultsDir, bus });
    return [promptCell({ plan, suite: await loadSuite(plan.suite), runDir, resultsDir, bus })];
  }

  async startRun(options: StartRunOptions = {}): Promise<void> {
    if (this.run) throw new Error('a run is already going (p pauses it)');
    if (!this.resident) throw new Error('no lane is up: press its digit (or d for demo) first');
    this.lastStart = options;
    const { resultsDir, bus, manager } = this.opts;
    const { plan, release } = await createLockedRun(this.requestFor(this.resident, options), resultsDir);
    const runDir = runDirOf(resultsDir, plan.runId);
    let cells: Cell[];
    try {
      cells = await this.cellsOf(plan, runDir);
    } catch (err) {
      await release();
      throw err;
    }
    await this.idle?.stop();
    this.idle = null;
    const control = new RunControl();
    const done = superviseQueue({ plan, cells, runDir, resultsDir, manager, bus, control })
      .then((result) => {
        for (const f of result.failures) this.opts.log('error', `lane ${f.lane} did not start: ${f.reason}`);
        for (const u of result.unfinished) this.opts.log('warn', `run ${plan.runId} on ${u.lane}: ${u.reason} — r starts a new run; '${resumeCommand(plan.runId, resultsDir)}' carries this one on`);
      })
      // a run that fails has said so on the bus (run.state: stopped, with the error), as status.json does
      .catch(() => undefined)
      .finally(async () => {
        await release();
        this.run = null;
        await this.restartIdleSampler(null);
      });
    this.run = { control, done };
  }

  pauseRun(): void {
    if (!this.run) return;
    this.run.control.pause();
    this.opts.bus.emit({ type: 'run.paused', lane: this.resident ?? '', reason: 'paused by the user', user: true });
  }

  resumeRun(): void {
    if (!this.run) return;
    this.run.control.resume();
    this.opts.bus.emit({ type: 'run.resumed', lane: this.resident ?? '' });
  }

  async stopRun(): Promise<void> {
    if (!this.run) return;
    const { control, done } = this.run;
    control.stop();
    await done;
  }

  async swapDuringRun(id: string, choice: 'move' | 'stop'): Promise<void> {
    await this.stopRun();
    await this.swapLane(id);
    // 'move': the finished attempts stay in the stopped run's journal; the suite goes on on the new lane
    if (choice === 'move') await this.startRun(this.lastStart);
  }

  async loadLeaderboard() {
    return loadScorecards(this.opts.resultsDir, (message) => this.opts.log('warn', message));
  }

  async readTranscript(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  /** Stops the run and the simulated lane; a real lane stays resident (loading a model is slow). */
  async quit(): Promise<void> {
    this.closing = true;
    if (this.run) {
      this.run.control.stop();
      await Promise.race([this.run.done, new Promise((r) => setTimeout(r, QUIT_WAIT_MS).unref())]);
    }
    await this.idle?.stop();
    for (const [id, kind] of this.opts.laneKinds) if (kind === 'demo') await this.opts.manager.stop(id);
  }
}
