// A demo lane's brain is part of its identity in results (issue 12): lane `demo-weak` playing the
// strong brain (`--brain strong`) must not record strong results under the weak lane's name. When
// --brain differs from the brain lanes.yaml gives the lane (default strong), the run records the
// lane as `<id>+<brain>` (`demo+weak`), a lane of its own in results/ and summary.md. A lanes.yaml
// id can never contain '+', so such an id never collides with a configured lane.
import { DEFAULT_DEMO_BRAIN } from '../lanes/kinds/demo.js';
import type { LaneSpec, Manifest } from '../lanes/manifest.js';
import { isBrainName } from './brains.js';

const VARIANT = /^(.+)\+([a-z-]+)$/;

/** The id a run records lane `id` under when --brain is `brain` (undefined: no --brain). */
export function demoLaneId(manifest: Manifest, id: string, brain: string | undefined): string {
  const base = VARIANT.exec(id)?.[1] ?? id;
  const spec = manifest.lanes.find((l) => l.id === base);
  if (spec?.kind !== 'demo' || brain === undefined) return id;
  return brain === (spec.brain ?? DEFAULT_DEMO_BRAIN) ? base : `${base}+${brain}`;
}

/** The manifest with a spec for each `<demo lane>+<brain>` among `ids`: the same lane, playing that brain. */
export function withDemoVariants(manifest: Manifest, ids: string[]): Manifest {
  const variants: LaneSpec[] = [];
  for (const id of new Set(ids)) {
    const [, base, brain] = VARIANT.exec(id) ?? [];
    const spec = manifest.lanes.find((l) => l.id === base);
    if (spec?.kind === 'demo' && brain !== undefined && isBrainName(brain)) variants.push({ ...spec, id, brain });
  }
  return variants.length > 0 ? { ...manifest, lanes: [...manifest.lanes, ...variants] } : manifest;
}
