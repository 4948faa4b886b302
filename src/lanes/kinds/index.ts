import type { LaneKind } from '../../types.js';
import type { LaneSpec } from '../manifest.js';
import { createDemoDriver, type DemoOverrides } from './demo.js';
import type { LaneDriver } from './driver.js';
import { llamacppDriver } from './llamacpp.js';
import { nimDriver } from './nim.js';
import { openaiDriver } from './openai.js';
import { vllmDriver } from './vllm.js';

/** The drivers of one manager (the demo driver holds that manager's in-process servers). */
export function createDrivers(demo?: DemoOverrides): Record<LaneKind, LaneDriver> {
  return { llamacpp: llamacppDriver, vllm: vllmDriver, nim: nimDriver, openai: openaiDriver, demo: createDemoDriver(demo) };
}

/** What stands in the way of starting `spec` on this box ([] when nothing): what a swap and doctor check. */
export function preflight(spec: LaneSpec): Promise<string[]> {
  return createDrivers()[spec.kind].preflight(spec);
}
