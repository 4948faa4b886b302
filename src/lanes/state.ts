// The lanes brainbench started, shared by every brainbench process on the box: a JSON file in the
// state dir, written atomically, and a lock that serialises starts and stops (two racing swaps).
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import type { LaneKind, MemoryRelease } from '../types.js';

export interface LaneRecord {
  id: string;
  kind: LaneKind;
  host: string;
  port: number;
  /** Process lanes: the leader's pid, its group, and its start time (so a reused pid is not mistaken for it). */
  pid?: number;
  pgid?: number;
  procStart?: number | null;
  /** Container lanes: the container's name. */
  container?: string;
  startedAt: string;
  /** The command line as started, secrets redacted; a lane whose manifest changed is restarted, not adopted. */
  command: string;
  logPath: string;
  stopTimeoutS: number;
  /** Unified memory in use (GB) just before the lane was launched: the idle baseline its stop should return to. */
  baselineGb?: number;
}

type Records = Record<string, LaneRecord>;

export class LaneStateStore {
  private readonly file: string;

  /** One empty-ish file per lane the user stopped, named by the lane id (ids are file-name safe). */
  private readonly userStopsDir: string;

  constructor(readonly dir: string) {
    this.file = join(dir, 'lanes.json');
    this.userStopsDir = join(dir, 'stopped-by-user');
  }

  async read(): Promise<Records> {
    try {
      return (JSON.parse(await readFile(this.file, 'utf8')) as { lanes: Records }).lanes ?? {};
    } catch {
      return {};
    }
  }

  async put(record: LaneRecord): Promise<void> {
    await this.write({ ...(await this.read()), [record.id]: record });
  }

  async remove(id: string): Promise<void> {
    const records = await this.read();
    if (!(id in records)) return;
    delete records[id];
    await this.write(records);
  }

  /**
   * A lane the user stopped (`brainbench lanes stop`) stays stopped: a run that loses it pauses its
   * suite instead of restarting it. The mark lives until the lane is started again.
   */
  async markStoppedByUser(id: string): Promise<void> {
    await mkdir(this.userStopsDir, { recursive: true });
    await writeFile(join(this.userStopsDir, id), `${new Date().toISOString()}\n`);
  }

  async stoppedByUser(id: string): Promise<boolean> {
    return access(join(this.userStopsDir, id)).then(
      () => true,
      () => false,
    );
  }

  /** The last stop that did not give its memory back (any process), until a stop that did. */
  async lastRelease(): Promise<MemoryRelease | null> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'memory-held.json'), 'utf8')) as MemoryRelease;
    } catch {
      return null;
    }
  }

  /** `bootId`: the boot it happened in (a reboot gives pinned memory back: the record then expires). */
  async recordRelease(release: MemoryRelease, bootId?: string | null): Promise<void> {
    const file = join(this.dir, 'memory-held.json');
    if (release.held_gb > 0) await writeFileAtomic(file, `${JSON.stringify({ ...release, ...(bootId ? { boot_id: bootId } : {}) })}\n`);
    else await rm(file, { force: true });
  }

  /** Forgets the memory-held record (it no longer holds: a reboot, or memory came back since). */
  async clearRelease(): Promise<void> {
    await rm(join(this.dir, 'memory-held.json'), { force: true });
  }

  /** The lane's earlier successful load times (s), oldest first (the ETA of its next load). */
  async loadTimes(id: string): Promise<number[]> {
    return (await this.readLoadTimes())[id] ?? [];
  }

  /** Records a successful load's duration, keeping the newest `keep` per lane. */
  async recordLoad(id: string, seconds: number, keep: number): Promise<void> {
    const all = await this.readLoadTimes();
    all[id] = [...(all[id] ?? []), Math.round(seconds * 10) / 10].slice(-keep);
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, 'load-times.json'), `${JSON.stringify(all)}\n`);
  }

  private async readLoadTimes(): Promise<Record<string, number[]>> {
    try {
      const parsed = JSON.parse(await readFile(join(this.dir, 'load-times.json'), 'utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object') return {};
      // a hand-edited or corrupt file costs the estimate, never the start
      const entries = Object.entries(parsed).filter(([, v]) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)));
      return Object.fromEntries(entries) as Record<string, number[]>;
    } catch {
      return {};
    }
  }

  async clearStoppedByUser(id: string): Promise<void> {
    await rm(join(this.userStopsDir, id), { force: true });
  }

  /** Runs `fn` holding the box-wide lane lock; waits for another holder (a swap can take minutes). */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    const release = await lockfile.lock(this.dir, {
      lockfilePath: join(this.dir, 'lanes.lock'),
      realpath: false,
      retries: { forever: true, minTimeout: 20, maxTimeout: 250, factor: 1.5 },
      // A holder that died leaves a lock nobody refreshes; after 10 s it is taken over.
      stale: 10_000,
      onCompromised: () => {
        // Another process took a lock we held (we were stalled past `stale`); the state file is
        // still written atomically, so carry on rather than crash mid-swap.
      },
    });
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }

  private async write(records: Records): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.file, `${JSON.stringify({ lanes: records }, null, 2)}\n`);
  }
}
