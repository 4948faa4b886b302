// The live tok/s gauge is a selector: the engine computes the decode rate once (telemetry/rate.ts)
// and says it in lane.rate events, which the store keeps as `liveRate`. The in-process cockpit and
// an attached one (replaying events.jsonl) read the same figure.
import type { CockpitData } from '../store.js';
import { isRunActive } from './runView.js';

/** The rate of the run's lane while the run is live; null (a dash) otherwise. */
export function liveTokPerSec(s: Pick<CockpitData, 'run' | 'liveRate'>): number | null {
  if (!isRunActive(s.run) || !s.liveRate || s.liveRate.lane !== s.run!.lane) return null;
  return s.liveRate.tokPerSec;
}
