// Starts, checks and stops lanes, keeping one resident lane on the box (DESIGN §3).
import { join } from 'node:path';
import { suggest } from '../cli/args.js';
import type { EventBus } from '../events.js';
import type { EngineInfo, LaneKind, LaneState, MemoryRelease, ModelIdentity, Sampling } from '../types.js';
import { defaultResultsDir } from '../paths.js';
import { heldText, SwapGuard, type SwapGuardOptions } from './swap-guard.js';
import { formatCommand } from './commandLine.js';
import { engineInfo } from './engine.js';
import { LaneError } from './errors.js';
import { LOAD_HISTORY, startLoadProgress, type LoadProgress } from './loadProgress.js';
import type { DemoOverrides } from './kinds/demo.js';
import type { ExitInfo, LaneDriver } from './kinds/driver.js';
import { createDrivers } from './kinds/index.js';
import { laneUrl } from './kinds/urls.js';
import type { LaneSpec, Manifest } from './manifest.js';
import { httpGet, portOpen, sleep } from './net.js';
import { portHolder } from '../os/proc.js';
import { safeFileName } from '../safeText.js';
import { modelIdentity } from './modelIdentity.js';
import { redact } from './redact.js';
import { LaneStateStore, type LaneRecord } from './state.js';
import { defaultStateDir } from './userDirs.js';

export interface ReadyLane {
  id: string;
  kind: LaneKind;
  /** …/v1 */
  baseURL: string;
  /** The name to send as `model`. */
  model: string;
  /** The command line, secrets redacted. */
  command: string;
  simulated: boolean;
  /** llama.cpp /props total_slots. */
  slots: number | null;
  metricsUrl: string | null;
  /** openai lanes: the bearer token to send (a secret: never written anywhere). */
  apiKey?: string;
  /** The lane's own sampling settings from lanes.yaml. */
  sampling?: Sampling;
  /** The serving engine and its version, as the lane reports them (provenance). */
  engine?: EngineInfo;
  /** Memory an earlier lane's stop had not given back when this one started. */
  memoryHeldBeforeStart?: MemoryRelease;
  /**
   * Unified memory in use (GB) just before this lane loaded its model: the run's idle baseline, so
   * its recorded peak minus this is what the lane took (admission of its next start).
   */
  idleBaselineGb?: number;
  /** Which model file (or HF id) it serves: provenance that survives a file swapped under one id. */
  modelIdentity?: ModelIdentity;
}

export interface LaneStatus {
  id: string;
  kind: LaneKind;
  port: number | null;
  state: LaneState;
  pid?: number;
  detail?: string;
}

export interface LaneManagerOptions {
  manifest: Manifest;
  bus?: EventBus;
  /** Lane output goes to <logDir>/<id>.log. */
  logDir: string;
  /** Default: $BRAINBENCH_STATE_DIR or <user state dir>/brainbench. */
  stateDir?: string;
  demo?: DemoOverrides;
  /** Results folder: the lanes' recorded memory peaks (default: brainbench's results folder). */
  resultsDir?: string;
  /** A run's id: the lanes it starts are leased to it (another brainbench's swap or stop refuses). */
  leaseRunId?: string;
  /** Injectable for tests: /proc/meminfo, /proc/sys/vm/drop_caches, the wait for memory after a stop. */
  memory?: Pick<SwapGuardOptions, 'meminfoPath' | 'dropCachesPath' | 'bootIdPath' | 'releaseTimeoutMs' | 'releasePollMs'>;
  /** How often a starting lane reports its load progress (default 1 s). */
  progressEveryMs?: number;
}

/** --force: go on past a lease another run holds and a memory admission that says no. */
export interface ForceOption {
  force?: boolean;
}

/** Readiness polling: quick at first (a swap's overhead is mostly this wait), then every 250 ms. */
const FAST_POLL_MS = 50;
const FAST_POLL_FOR_MS = 5000;
const SLOW_POLL_MS = 250;
/** A child that died may take a moment to report its exit code and signal. */
const EXIT_REPORT_WAIT_MS = 500;

function describeExit(exit: ExitInfo): string {
  return exit.signal ? `killed by signal ${exit.signal}` : `exit code ${exit.code}`;
}

export class LaneManager {
  private readonly manifest: Manifest;
  private readonly bus?: EventBus;
  private readonly logDir: string;
  private readonly store: LaneStateStore;
  private readonly drivers: Record<LaneKind, LaneDriver>;
  /** Lanes that live in this process only (demo), keyed by id. */
  private readonly local = new Map<string, LaneRecord>();
  /** starting / stopping, as this process is doing them. */
  private readonly transitions = new Map<string, LaneState>();
  private readonly guard: SwapGuard;
  private readonly leaseRunId?: string;
  private readonly progressEveryMs?: number;

  constructor(opts: LaneManagerOptions) {
    this.manifest = opts.manifest;
    this.bus = opts.bus;
    this.logDir = opts.logDir;
    this.store = new LaneStateStore(opts.stateDir ?? defaultStateDir());
    this.drivers = createDrivers(opts.demo);
    this.guard = new SwapGuard({ store: this.store, bus: this.bus, resultsDir: opts.resultsDir ?? defaultResultsDir(), ...opts.memory });
    this.leaseRunId = opts.leaseRunId;
    this.progressEveryMs = opts.progressEveryMs;
  }

  async status(): Promise<LaneStatus[]> {
    const records = await this.records();
    // with a lane up, judge by the memory in use before it loaded: its own memory is not held memory
    const baselines = Object.values(records).flatMap((r) => (r.baselineGb === undefined ? [] : [r.baselineGb]));
    const held = await this.guard.heldNow(baselines.length > 0 ? Math.min(...baselines) : undefined);
    return Promise.all(
      this.manifest.lanes.map(async (spec) => {
        const status = await this.statusOf(spec, records);
        // a lane whose stop left memory pinned says so until a later stop gives it back
        return held?.lane === spec.id && status.state === 'stopped' && !status.detail ? { ...status, detail: heldText(held) } : status;
      }),
    );
  }

  /**
   * Makes `id` the resident lane and resolves when it is ready: stops every other lane brainbench
   * runs, adopts `id` when brainbench (this or another process) already runs it, and refuses a port
   * held by anything else.
   */
  async start(id: string, opts: ForceOption = {}): Promise<ReadyLane> {
    const spec = this.spec(id);
    if (spec.unresolved) throw new LaneError(id, 'failed', spec.unresolved);
    const driver = this.drivers[spec.kind];
    if (!driver.managed) return this.awaitReady(spec, driver, this.remoteRecord(spec));
    const lane = await this.store.withLock(() => this.startLocked(spec, driver, opts.force ?? false));
    if (this.leaseRunId && driver.persistent) this.guard.leases.take(id, this.leaseRunId, opts.force);
    return lane;
  }

  /**
   * Stops lane `id`. `byUser`: the user asked for it (`brainbench lanes stop`), so a run that was
   * using the lane pauses its suite rather than restarting it (see stoppedByUser).
   */
  async stop(id: string, opts: { byUser?: boolean } & ForceOption = {}): Promise<void> {
    await this.store.withLock(async () => {
      const record = (await this.records())[id];
      if (!record && !this.manifest.lanes.some((l) => l.id === id)) this.spec(id); // unknown id: throws with a hint
      if (record && !opts.force) this.guard.refuseLeased([id], 'stop');
      // marked before the stop: a run sees the intent by the time its requests fail
      if (opts.byUser) await this.store.markStoppedByUser(id);
      if (record) await this.stopRecord(record);
    });
  }

  /** Stops every lane brainbench runs on this box (recorded in the state dir) and this process's demo lanes. */
  async stopAll(opts: { byUser?: boolean } & ForceOption = {}): Promise<void> {
    await this.store.withLock(async () => {
      const records = Object.values(await this.records());
      if (!opts.force) this.guard.refuseLeased(records.map((r) => r.id), 'stop');
      for (const record of records) {
        if (opts.byUser) await this.store.markStoppedByUser(record.id);
        await this.stopRecord(record);
      }
    });
  }

  /** Whether the user stopped `id` since it was last started. */
  stoppedByUser(id: string): Promise<boolean> {
    return this.store.stoppedByUser(id);
  }

  /** The process or container is alive AND the readiness endpoint answers. */
  async isUp(id: string): Promise<boolean> {
    const spec = this.spec(id);
    const driver = this.drivers[spec.kind];
    const record = driver.managed ? (await this.records())[id] : this.remoteRecord(spec);
    if (!record) return false;
    if (!(await driver.liveness(record)).alive) return false;
    return (await driver.probe(spec, record)).ready;
  }

  async restart(id: string): Promise<ReadyLane> {
    await this.stop(id);
    return this.start(id);
  }

  // -------------------------------------------------------------------------------------------

  private spec(id: string): LaneSpec {
    const spec = this.manifest.lanes.find((l) => l.id === id);
    if (spec) return spec;
    const ids = this.manifest.lanes.map((l) => l.id);
    const hint = suggest(id, ids);
    throw new LaneError(id, 'failed', `no lane '${id}' in ${this.manifest.file}${hint ? `; did you mean '${hint}'?` : ''} (lanes: ${ids.join(', ')})`);
  }

  private emit(lane: string, state: LaneState, port?: number, detail?: string): void {
    this.bus?.emit({ type: 'lane.state', lane, state, ...(port !== undefined ? { port } : {}), ...(detail !== undefined ? { detail } : {}) });
  }

  private redact(text: string): string {
    return redact(text, this.manifest.secrets);
  }

  private commandOf(spec: LaneSpec): string {
    return this.redact(formatCommand(this.drivers[spec.kind].command(spec)));
  }

  /** Shared records plus this process's in-process lanes. */
  private async records(): Promise<Record<string, LaneRecord>> {
    return { ...(await this.store.read()), ...Object.fromEntries(this.local) };
  }

  /** An openai lane is not started; this stands in for its record. */
  private remoteRecord(spec: LaneSpec): LaneRecord {
    return {
      id: spec.id,
      kind: spec.kind,
      host: spec.host,
      port: spec.port,
      startedAt: new Date().toISOString(),
      command: this.commandOf(spec),
      logPath: '',
      stopTimeoutS: spec.stop_timeout_s,
    };
  }

  private async startLocked(spec: LaneSpec, driver: LaneDriver, force: boolean): Promise<ReadyLane> {
    await this.store.clearStoppedByUser(spec.id); // asked to run again
    await driver.prepare?.(spec); // before the command is built (vLLM: the image's entrypoint)
    const command = this.commandOf(spec);
    const records = await this.records();
    const own = records[spec.id];
    const others = Object.values(records).filter((r) => r.id !== spec.id);
    const adopt = own && own.command === command && (await driver.liveness(own)).alive;
    // another run's lane is not stopped under it: not for a swap, not for a restart with a new command
    if (!force) this.guard.refuseLeased([...others, ...(own && !adopt ? [own] : [])].map((r) => r.id), `swap to ${spec.id}`);
    if (own && adopt) {
      for (const record of others) await this.stopRecord(record);
      this.emit(spec.id, 'starting', own.port, `adopting the running lane (${command})`);
      return this.awaitReady(spec, driver, own);
    }
    // Refuse before stopping anything: a lane that cannot start, or a foreign port holder, means
    // this swap cannot succeed, and the resident lane is left running.
    await this.refuseUnstartable(spec, driver, others);
    await this.refuseForeignPort(spec, Object.values(records));
    const resident = [...others, ...(own ? [own] : [])];
    if (!force) await this.refuseNoRoom(spec, resident);
    for (const record of resident) await this.stopRecord(record);
    await this.refuseForeignPort(spec, []);
    return this.launch(spec, driver, command);
  }

  /** Throws, before anything is stopped, when the lane will not fit in memory (issue 16). */
  private async refuseNoRoom(spec: LaneSpec, resident: LaneRecord[]): Promise<void> {
    try {
      await this.guard.refuseNoRoom(spec, resident);
    } catch (err) {
      const message = this.redact((err as Error).message);
      this.emit(spec.id, 'error', spec.port || undefined, message);
      throw new LaneError(spec.id, 'missing', message);
    }
  }

  private async launch(spec: LaneSpec, driver: LaneDriver, command: string): Promise<ReadyLane> {
    this.transitions.set(spec.id, 'starting');
    this.emit(spec.id, 'starting', spec.port || undefined, command);
    try {
      const baselineGb = driver.persistent ? await this.guard.beforeLoad(spec) : undefined;
      const launched = await driver.launch(spec, join(this.logDir, `${safeFileName(spec.id)}.log`));
      const record = { ...launched.record, command, ...(baselineGb !== undefined ? { baselineGb } : {}) };
      await this.remember(driver, record);
      const loadStarted = Date.now();
      const progress = await this.loadProgress(spec.id, driver, record);
      try {
        // the progress stops before 'ready' is said: no loading event comes after it
        const ready = await this.awaitReady(spec, driver, record, launched.exited, () => progress?.stop());
        // the next load's ETA (in-process demo lanes leave the shared state dir alone)
        if (driver.persistent) await this.store.recordLoad(spec.id, (Date.now() - loadStarted) / 1000, LOAD_HISTORY);
        return ready;
      } catch (err) {
        // Leave nothing half-started behind: the next swap must find a clean box.
        await driver.terminate(record).catch(() => undefined);
        await this.forget(record);
        throw err;
      } finally {
        progress?.stop();
      }
    } catch (err) {
      const error = err instanceof LaneError ? err : new LaneError(spec.id, 'failed', (err as Error).message);
      const message = this.redact(error.message);
      // a crash was already reported as 'crashed', with how it ended
      if (error.reason !== 'crashed') this.emit(spec.id, 'error', spec.port || undefined, message);
      throw new LaneError(spec.id, error.reason, message);
    } finally {
      this.transitions.delete(spec.id);
    }
  }

  /** Reports the load's progress on the bus, from now until stop() (none without a bus). */
  private async loadProgress(id: string, driver: LaneDriver, record: LaneRecord): Promise<LoadProgress | null> {
    const bus = this.bus;
    if (!bus) return null;
    const history = await this.store.loadTimes(id);
    const progress = startLoadProgress({ lane: id, bus, history, readTail: async () => this.redact(await driver.outputTail(record)), everyMs: this.progressEveryMs });
    await progress.tick(); // the estimate shows at once, not a second later
    return progress;
  }

  private async remember(driver: LaneDriver, record: LaneRecord): Promise<void> {
    if (driver.persistent) await this.store.put(record);
    else this.local.set(record.id, record);
  }

  private async forget(record: LaneRecord): Promise<void> {
    if (this.local.delete(record.id)) return;
    await this.store.remove(record.id);
  }

  /** Throws when the lane's preflight finds what stands in its way (binary, model file, image). */
  private async refuseUnstartable(spec: LaneSpec, driver: LaneDriver, resident: LaneRecord[]): Promise<void> {
    const problems = await driver.preflight(spec);
    if (problems.length === 0) return;
    const kept = resident.length > 0 ? ` (left running: ${resident.map((r) => r.id).join(', ')})` : '';
    const message = this.redact(`lane ${spec.id} cannot start: ${problems.join('; ')}${kept}`);
    this.emit(spec.id, 'error', spec.port || undefined, message);
    throw new LaneError(spec.id, 'missing', message);
  }

  /** Throws when something other than a lane in `ours` accepts connections on the lane's port. */
  private async refuseForeignPort(spec: LaneSpec, ours: LaneRecord[]): Promise<void> {
    if (spec.port === 0 || !(await portOpen(spec.host, spec.port))) return;
    if (ours.some((r) => r.port === spec.port)) return;
    const message = `${await this.describePortHolder(spec.port)} which brainbench did not start — stop it or change the port of lane ${spec.id} in ${this.manifest.file}`;
    this.emit(spec.id, 'foreign', spec.port, message);
    throw new LaneError(spec.id, 'foreign', message);
  }

  private async describePortHolder(port: number): Promise<string> {
    const holder = await portHolder(port);
    return `port ${port} is held by ${holder ? `pid ${holder.pid} (${holder.name})` : 'another process'}`;
  }

  private async awaitReady(spec: LaneSpec, driver: LaneDriver, record: LaneRecord, exited?: Promise<ExitInfo>, beforeReady?: () => void): Promise<ReadyLane> {
    const started = Date.now();
    const deadline = started + spec.ready_timeout_s * 1000;
    let exit: ExitInfo | null = null;
    void exited?.then((e) => (exit = e));
    let livenessCheckedAt = 0;
    let lastDetail = '';
    for (;;) {
      const probe = await driver.probe(spec, record);
      if (probe.ready) return this.ready(spec, driver, record, probe.model, beforeReady);
      lastDetail = probe.detail;
      if (exit) throw await this.crashed(driver, record, describeExit(exit));
      if (driver.managed && Date.now() - livenessCheckedAt >= driver.livenessEveryMs) {
        livenessCheckedAt = Date.now();
        const live = await driver.liveness(record);
        if (!live.alive) {
          if (exited) await Promise.race([exited, sleep(EXIT_REPORT_WAIT_MS)]);
          throw await this.crashed(driver, record, exit ? describeExit(exit) : live.reason);
        }
      }
      if (Date.now() >= deadline) {
        const tail = await driver.outputTail(record);
        throw new LaneError(
          spec.id,
          'timeout',
          `lane ${spec.id} was not ready after ${spec.ready_timeout_s} s (${lastDetail})${this.tailText(record, tail)}`,
        );
      }
      await sleep(Date.now() - started < FAST_POLL_FOR_MS ? FAST_POLL_MS : SLOW_POLL_MS);
    }
  }

  /**
   * The lane's last lines for an error message, and where its full log is. A container's log (stdout
   * and stderr) is saved to record.logPath before the container is removed (container.ts terminate).
   */
  private tailText(record: LaneRecord, tail: string): string {
    const where = record.container ? `docker logs --tail 20 ${record.container}` : record.logPath;
    const full = record.container && record.logPath ? `\nfull log (stdout and stderr): ${record.logPath}` : '';
    if (tail.trim()) return `\nlast lines of ${where}:\n${this.redact(tail.trimEnd())}${full}`;
    return record.logPath ? ` (log: ${record.logPath})` : '';
  }

  private async crashed(driver: LaneDriver, record: LaneRecord, how: string): Promise<LaneError> {
    const tail = await driver.outputTail(record);
    this.emit(record.id, 'crashed', record.port, how);
    return new LaneError(record.id, 'crashed', `lane ${record.id} exited before it was ready: ${how}${this.tailText(record, tail)}`);
  }

  private async ready(spec: LaneSpec, driver: LaneDriver, record: LaneRecord, model: string, beforeReady?: () => void): Promise<ReadyLane> {
    const baseURL = spec.kind === 'openai' ? spec.base_url! : laneUrl(record, '/v1');
    let slots: number | null = null;
    if (driver.hasProps) {
      const props = await httpGet(laneUrl(record, '/props'), { timeoutMs: 2000 });
      const total = (props?.body as { total_slots?: unknown } | null)?.total_slots;
      slots = typeof total === 'number' ? total : null;
    }
    const engine = await engineInfo(spec, record);
    const identity = await modelIdentity(spec);
    const held = driver.managed ? await this.guard.heldNow(record.baselineGb) : null;
    beforeReady?.();
    this.emit(spec.id, 'ready', record.port, baseURL);
    return {
      engine,
      ...(held && held.lane !== spec.id ? { memoryHeldBeforeStart: held } : {}),
      ...(record.baselineGb !== undefined ? { idleBaselineGb: record.baselineGb } : {}),
      ...(identity ? { modelIdentity: identity } : {}),
      id: spec.id,
      kind: spec.kind,
      baseURL,
      model,
      command: record.command,
      simulated: spec.kind === 'demo',
      slots,
      metricsUrl: driver.metricsPath ? laneUrl(record, driver.metricsPath) : null,
      ...(spec.api_key ? { apiKey: spec.api_key } : {}),
      ...(spec.sampling ? { sampling: spec.sampling } : {}),
    };
  }

  private async stopRecord(record: LaneRecord): Promise<void> {
    const driver = this.drivers[record.kind];
    this.transitions.set(record.id, 'stopping');
    this.emit(record.id, 'stopping', record.port);
    try {
      const usedBeforeStop = this.guard.usedNow();
      await driver.terminate(record);
      await this.forget(record);
      this.guard.leases.release(record.id);
      this.emit(record.id, 'stopped', record.port);
      const waitStarted = Date.now();
      const release = await this.guard.afterStop(record, usedBeforeStop);
      if (release) {
        const waitedS = Math.round((Date.now() - waitStarted) / 100) / 10;
        const heldGb = release.returned_after_s === null ? release.held_gb : 0;
        this.bus?.emit({ type: 'lane.memory', lane: record.id, heldGb, returnedAfterS: release.returned_after_s, waitedS });
      }
    } catch (err) {
      const message = this.redact((err as Error).message);
      this.emit(record.id, 'error', record.port, message);
      throw err instanceof LaneError ? new LaneError(record.id, err.reason, message) : new LaneError(record.id, 'failed', message);
    } finally {
      this.transitions.delete(record.id);
    }
  }

  private async statusOf(spec: LaneSpec, records: Record<string, LaneRecord>): Promise<LaneStatus> {
    const driver = this.drivers[spec.kind];
    const base = { id: spec.id, kind: spec.kind, port: spec.port || null };
    const transition = this.transitions.get(spec.id);
    if (transition) return { ...base, state: transition };
    if (spec.unresolved) return { ...base, state: 'error', detail: spec.unresolved };
    try {
      if (!driver.managed) {
        const probe = await driver.probe(spec, this.remoteRecord(spec));
        return probe.ready ? { ...base, state: 'ready' } : { ...base, state: 'stopped', detail: probe.detail };
      }
      const record = records[spec.id];
      if (record) {
        const withPid = { ...base, port: record.port, ...(record.pid ? { pid: record.pid } : {}) };
        const live = await driver.liveness(record);
        if (!live.alive) return { ...withPid, state: 'crashed', detail: live.reason };
        const probe = await driver.probe(spec, record);
        return probe.ready ? { ...withPid, state: 'ready' } : { ...withPid, state: 'starting', detail: probe.detail };
      }
      if (spec.port && (await portOpen(spec.host, spec.port))) {
        const sharer = Object.values(records).find((r) => r.port === spec.port);
        if (sharer) return { ...base, state: 'stopped', detail: `port ${spec.port} is in use by lane ${sharer.id}` };
        return { ...base, state: 'foreign', detail: `${await this.describePortHolder(spec.port)} which brainbench did not start` };
      }
      return { ...base, state: 'stopped' };
    } catch (err) {
      return { ...base, state: 'error', detail: this.redact((err as Error).message) };
    }
  }
}
