// What makes a scorecard reproducible (DESIGN §6, §15), built the same way by a running queue and
// by `brainbench report --from-journals`: suite, sampling, the full lane command (secrets already
// redacted by the lane manager), brainbench's version, and the serving engine, driver and CUDA.
import { arch, hostname, type as osType } from 'node:os';
import { engineLabel } from '../lanes/engine.js';
import type { ReadyLane } from '../lanes/manager.js';
import { gpuDriverInfo } from '../telemetry/gpu-info.js';
import { brainbenchVersion } from '../paths.js';
import { mdCell } from '../safeText.js';
import type { EngineInfo, LaneScorecard, MemoryRelease, ModelIdentity, Sampling, Suite } from '../types.js';
import { laneLabel, table } from './markdown.js';
import type { RunPlan } from '../run/plan.js';

export function machine(): string {
  return `${hostname()} (${osType()} ${arch()})`;
}

export interface LaneRunFacts {
  /** The lane's own sampling from lanes.yaml, when known. */
  laneSampling?: Sampling;
  laneCommand: string;
  parallel: number;
  startedAt: string;
  endedAt: string;
  engine?: EngineInfo | null;
  gpuDriver?: string | null;
  cudaVersion?: string | null;
  memoryHeldBeforeStart?: MemoryRelease | null;
  modelIdentity?: ModelIdentity | null;
}

/** A prompt suite, or a task suite (no fixtures, no suite sampling: its hash covers every task folder). */
export type SuiteFacts = Pick<Suite, 'name' | 'hash'> & Partial<Pick<Suite, 'fixtureHash' | 'sampling'>>;

/** The provenance block of a prompt scorecard, or of a task scorecard (taskScorecard's `reproducibility`). */
export function reproducibilityOf(plan: RunPlan, suite: SuiteFacts, facts: LaneRunFacts): LaneScorecard['reproducibility'] {
  return {
    suite: suite.name,
    suite_hash: suite.hash,
    fixture_hash: suite.fixtureHash ?? '',
    n: plan.n,
    parallel: facts.parallel,
    adaptive: plan.adaptive,
    sampling: { ...suite.sampling, ...facts.laneSampling, ...plan.sampling },
    lane_command: facts.laneCommand,
    brainbench_version: brainbenchVersion,
    started_at: facts.startedAt,
    ended_at: facts.endedAt,
    machine: machine(),
    run_id: plan.runId,
    ...(facts.engine ? { engine: facts.engine, engine_version: engineLabel(facts.engine) } : {}),
    ...(facts.gpuDriver !== undefined ? { gpu_driver: facts.gpuDriver } : {}),
    ...(facts.cudaVersion !== undefined ? { cuda_version: facts.cudaVersion } : {}),
    ...(facts.memoryHeldBeforeStart ? { memory_held_before_start: facts.memoryHeldBeforeStart } : {}),
    ...(facts.modelIdentity ? { model_identity: facts.modelIdentity } : {}),
  };
}

/** A ready lane's provenance: its engine, and the driver and CUDA version where nvidia-smi says them. */
export async function laneProvenance(lane: Pick<ReadyLane, 'engine' | 'memoryHeldBeforeStart' | 'modelIdentity'>): Promise<Partial<LaneRunFacts>> {
  const gpu = await gpuDriverInfo();
  return {
    engine: lane.engine,
    gpuDriver: gpu?.driver_version ?? null,
    cudaVersion: gpu?.cuda_version ?? null,
    ...(lane.memoryHeldBeforeStart ? { memoryHeldBeforeStart: lane.memoryHeldBeforeStart } : {}),
    ...(lane.modelIdentity ? { modelIdentity: lane.modelIdentity } : {}),
  };
}

/** The provenance facts a kept scorecard recorded, for rebuilding it (report --from-journals). */
export function keptProvenance(kept: LaneScorecard['reproducibility'] | undefined): Partial<LaneRunFacts> {
  if (!kept) return {};
  return { engine: kept.engine, gpuDriver: kept.gpu_driver, cudaVersion: kept.cuda_version, memoryHeldBeforeStart: kept.memory_held_before_start, modelIdentity: kept.model_identity };
}

/** summary.md's provenance table: each lane's (or lane+harness's) engine, driver/CUDA, brainbench and full command. */
export function provenanceTable(cards: Array<Pick<LaneScorecard, 'lane' | 'simulated' | 'reproducibility'>>): string {
  const rows = cards.map((c) => {
    const r = c.reproducibility;
    const gpu = [r.gpu_driver && `driver ${r.gpu_driver}`, r.cuda_version && `CUDA ${r.cuda_version}`].filter(Boolean).join(', ');
    const engine = [r.engine_version, r.engine?.image_id].filter(Boolean).join(' ');
    return [laneLabel(c), mdCell(engine || '—'), mdCell(gpu || '—'), mdCell(r.brainbench_version), mdCell(r.lane_command || '—')];
  });
  return table(['Lane', 'engine', 'GPU driver', 'brainbench', 'command'], rows);
}
