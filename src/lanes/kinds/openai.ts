// A lane already running elsewhere: nothing to start or stop; ready when /v1/models answers.
import { LaneError } from '../errors.js';
import { httpGet, modelIds } from '../net.js';
import type { LaneDriver } from './driver.js';

export const openaiDriver: LaneDriver = {
  managed: false,
  persistent: false,
  livenessEveryMs: 0,
  metricsPath: null,
  hasProps: false,
  command: (spec) => ['openai', spec.base_url!],
  async preflight() {
    return []; // nothing to start: whether it answers is the readiness check
  },

  async launch(spec) {
    throw new LaneError(spec.id, 'failed', `lane ${spec.id} runs elsewhere (${spec.base_url}); brainbench does not start it`);
  },
  async liveness() {
    return { alive: true };
  },
  async probe(spec) {
    const headers: Record<string, string> = spec.api_key ? { authorization: `Bearer ${spec.api_key}` } : {};
    const models = await httpGet(`${spec.base_url}/models`, { timeoutMs: 2000, headers });
    if (!models) return { ready: false, detail: `${spec.base_url} does not answer` };
    if (models.status !== 200) return { ready: false, detail: `${spec.base_url}/models answers ${models.status}` };
    const model = spec.model ?? modelIds(models.body)[0];
    return model ? { ready: true, model } : { ready: false, detail: `${spec.base_url}/models lists no model` };
  },
  async outputTail() {
    return '';
  },
  async terminate() {
    // nothing brainbench started
  },
};
