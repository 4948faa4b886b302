// The demo lane: the simulated server (DESIGN §10) inside this process. No GPU, no network.
import { brainNames, isBrainName } from '../../demo/brains.js';
import { startFakeLane, type FakeLane } from '../../demo/server.js';
import { LaneError } from '../errors.js';
import type { LaneSpec } from '../manifest.js';
import { httpGet } from '../net.js';
import type { LaneRecord } from '../state.js';
import type { LaneDriver } from './driver.js';
import { laneUrl } from './urls.js';

export interface DemoOverrides {
  brain?: string;
  tokPerSec?: number;
  slots?: number;
}

export const DEFAULT_DEMO_BRAIN = 'strong';

/** What the demo lane will play: the caller's overrides (e.g. --brain) win over lanes.yaml. */
export function demoSettings(spec: LaneSpec, overrides: DemoOverrides = {}) {
  return {
    brain: overrides.brain ?? spec.brain ?? DEFAULT_DEMO_BRAIN,
    tokPerSec: overrides.tokPerSec ?? spec.tok_per_sec,
    slots: overrides.slots ?? spec.slots,
  };
}

const unknownBrain = (spec: LaneSpec, brain: string) => `demo lane ${spec.id}: unknown brain '${brain}'; one of ${brainNames.join(', ')}`;

/** One driver per manager: it owns the servers it started. */
export function createDemoDriver(overrides: DemoOverrides = {}): LaneDriver {
  const servers = new Map<string, FakeLane>();
  const describe = (spec: LaneSpec) => {
    const s = demoSettings(spec, overrides);
    // not a real command line: the lane runs in-process; this says what it simulates
    return ['brainbench-demo-lane', '--brain', s.brain, ...(s.tokPerSec ? ['--tok-per-sec', String(s.tokPerSec)] : []), ...(s.slots ? ['--slots', String(s.slots)] : [])];
  };
  return {
    managed: true,
    persistent: false,
    livenessEveryMs: 0,
    metricsPath: '/metrics',
    hasProps: true,
    command: describe,

    async preflight(spec) {
      const { brain } = demoSettings(spec, overrides);
      return isBrainName(brain) ? [] : [unknownBrain(spec, brain)];
    },

    async launch(spec, logPath) {
      const settings = demoSettings(spec, overrides);
      if (!isBrainName(settings.brain)) throw new LaneError(spec.id, 'failed', unknownBrain(spec, settings.brain));
      await servers.get(spec.id)?.close();
      const server = await startFakeLane({ host: spec.host, port: spec.port, brain: settings.brain, alias: spec.id, tokPerSec: settings.tokPerSec, slots: settings.slots });
      servers.set(spec.id, server);
      const record: LaneRecord = {
        id: spec.id,
        kind: 'demo',
        host: spec.host,
        port: server.port,
        startedAt: new Date().toISOString(),
        command: '',
        logPath,
        stopTimeoutS: spec.stop_timeout_s,
      };
      return { record };
    },

    async liveness(record) {
      return servers.has(record.id) ? { alive: true } : { alive: false, reason: 'the demo lane is not running in this process' };
    },

    async probe(spec, record) {
      const health = await httpGet(laneUrl(record, '/health'), { timeoutMs: 1000 });
      return health?.status === 200 ? { ready: true, model: spec.id } : { ready: false, detail: 'demo lane not answering' };
    },

    async outputTail() {
      return '';
    },

    async terminate(record) {
      const server = servers.get(record.id);
      servers.delete(record.id);
      await server?.close();
    },
  };
}
