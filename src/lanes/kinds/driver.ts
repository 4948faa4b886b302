// What the manager needs from each lane kind. The manager owns the flow (lock, one resident lane,
// readiness loop, events); a driver knows how its kind is started, checked and stopped.
import type { LaneSpec } from '../manifest.js';
import type { LaneRecord } from '../state.js';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface Launch {
  record: LaneRecord;
  /** Settles when a child of this very process exits (fail fast with its exit code or signal). */
  exited?: Promise<ExitInfo>;
}

export type Liveness = { alive: true } | { alive: false; reason: string };

export type Probe = { ready: true; model: string } | { ready: false; detail: string };

export interface LaneDriver {
  /** false: nothing to start or stop (openai): brainbench only talks to it. */
  readonly managed: boolean;
  /** false: lives inside this process only (demo); never written to the shared state file. */
  readonly persistent: boolean;
  /** How often the readiness loop may check liveness (docker inspect costs a process). */
  readonly livenessEveryMs: number;
  /** Path of the Prometheus endpoint, where the server has one. */
  readonly metricsPath: string | null;
  /** Whether GET /props reports total_slots (llama.cpp and the fake). */
  readonly hasProps: boolean;
  /** The command line that starts the lane (for display and the scorecard). */
  command(spec: LaneSpec): string[];
  /**
   * What the kind must learn from the box before command() is right (vLLM: the image's entrypoint).
   * The manager awaits it before it builds a lane's command; never throws.
   */
  prepare?(spec: LaneSpec): Promise<void>;
  /**
   * What stands in the way of starting this lane on this box (binary, model file, image), one
   * reason each; [] when it can start. A swap checks this before it stops the resident lane.
   */
  preflight(spec: LaneSpec): Promise<string[]>;
  launch(spec: LaneSpec, logPath: string): Promise<Launch>;
  liveness(record: LaneRecord): Promise<Liveness>;
  /** One readiness check against the running lane. */
  probe(spec: LaneSpec, record: LaneRecord): Promise<Probe>;
  /** The last lines the lane wrote, for a crash report. */
  outputTail(record: LaneRecord): Promise<string>;
  /** Ends the lane; resolves once its port refuses connections. */
  terminate(record: LaneRecord): Promise<void>;
}
