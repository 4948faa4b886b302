import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventBus } from '../events.js';
import { eventLogPath, JsonlTail } from '../run/event-log.js';
import { readPlan } from '../run/plan.js';
import { deferNext, readQueueOrder, writeQueueOrder } from '../run/queue-order.js';
import { isAlive, readStatus, runStateOf } from '../run/status-file.js';
import { loadScorecards } from '../verdict/summary.js';
import type { EngineEvent, TelemetrySample } from '../types.js';
import type { CockpitController } from './controller.js';

/** Enough of telemetry.jsonl's tail to fill the sparklines on attach. */
const TELEMETRY_TAIL_BYTES = 64 * 1024;

/**
 * The cockpit attached to a run that another brainbench process is running (usually one started
 * with --detach): replays and follows that run's events.jsonl and telemetry.jsonl onto the bus,
 * and pauses, resumes or stops it with signals. Quitting only stops watching.
 */
export class AttachController implements CockpitController {
  private readonly events: JsonlTail<EngineEvent>;
  private readonly telemetry: JsonlTail<{ type?: string; sample?: TelemetrySample } & Partial<TelemetrySample>>;
  private timer: NodeJS.Timeout | null = null;
  private gone = false;

  /** `onGone`: the run's process went away (the cockpit then shows the run as died unless it said how it ended). */
  constructor(
    private readonly runDir: string,
    private readonly pid: number,
    private readonly resultsDir: string,
    private readonly bus: EventBus,
    private readonly onGone?: (reason: string) => void,
  ) {
    this.events = new JsonlTail(eventLogPath(runDir));
    this.telemetry = new JsonlTail(join(runDir, 'telemetry.jsonl'), TELEMETRY_TAIL_BYTES);
  }

  /** Replays what happened so far, then follows the files twice a second. */
  start(): void {
    this.poll();
    this.timer = setInterval(() => this.poll(), 500);
  }

  private poll(): void {
    // read whether it is alive first, so the events it wrote before exiting are in this read
    const alive = this.pid > 0 && isAlive(this.pid);
    for (const event of this.events.read()) this.bus.emit(event);
    for (const line of this.telemetry.read()) {
      // telemetry.jsonl holds bare samples; accept a wrapped event too
      const sample = line.sample ?? (line as TelemetrySample);
      if (typeof sample.t === 'number') this.bus.emit({ type: 'telemetry', sample });
    }
    if (!alive && !this.gone) {
      this.gone = true;
      void this.settle();
    }
  }

  /**
   * The run's process is gone: its state is what `brainbench status` says of it (runStateOf). A
   * process that ended the run said so in status.json (and as a run.state event, already replayed);
   * one that vanished without a word died.
   */
  private async settle(): Promise<void> {
    const status = await readStatus(this.runDir);
    const state = status ? runStateOf(status, false) : 'died';
    if (state === 'died') this.onGone?.(`its process (pid ${this.pid}) is gone without ending it`);
    else this.bus.emit({ type: 'run.state', runId: status!.runId, state });
  }

  private signal(signal: NodeJS.Signals): void {
    if (!isAlive(this.pid)) throw new Error(`the run's process (pid ${this.pid}) is gone; resume it with brainbench run --resume`);
    process.kill(this.pid, signal);
  }

  async swapLane(): Promise<void> {
    throw new Error('attached to a detached run, which owns the lanes: stop it (x) or wait for it to finish');
  }

  async startRun(): Promise<void> {
    throw new Error('attached to a detached run that is already running');
  }

  pauseRun(): void {
    this.signal('SIGUSR1');
  }

  resumeRun(): void {
    this.signal('SIGUSR2');
  }

  async stopRun(): Promise<void> {
    this.signal('SIGTERM');
  }

  async swapDuringRun(): Promise<void> {
    throw new Error('attached to a detached run, which owns the lanes; stop it first');
  }

  async loadLeaderboard() {
    return loadScorecards(this.resultsDir, () => undefined);
  }

  async readTranscript(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  async deferNextLane(): Promise<string[]> {
    const status = await readStatus(this.runDir);
    const plan = await readPlan(this.runDir);
    const started = new Set([...(status?.lanesDone ?? []), ...(status?.lane ? [status.lane] : [])]);
    const order = deferNext(await readQueueOrder(this.runDir, plan.lanes), started);
    await writeQueueOrder(this.runDir, order);
    return order;
  }

  /** Stops watching; the detached run goes on. */
  async quit(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** The newest run in resultsDir whose process is still alive, if any. */
export async function findLiveRun(resultsDir: string, runIds: string[]): Promise<{ runId: string; pid: number } | null> {
  for (const runId of [...runIds].sort().reverse()) {
    const status = await readStatus(join(resultsDir, 'runs', runId));
    if (status && (status.state === 'running' || status.state === 'paused') && isAlive(status.pid) && status.pid !== process.pid) {
      return { runId, pid: status.pid };
    }
  }
  return null;
}
