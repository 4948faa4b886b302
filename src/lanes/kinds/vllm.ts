// vLLM in a container (DESIGN §3): ready when /health is 200 and /v1/models lists the lane.
import { homedir } from 'node:os';
import type { LaneSpec } from '../manifest.js';
import { httpGet, modelIds } from '../net.js';
import { containerDriver, containerName, envFlags } from './container.js';
import { laneUrl } from './urls.js';

/** vLLM's parser for Qwen3/Hermes-style <tool_call> output; lanes.yaml may name another. */
export const DEFAULT_TOOL_CALL_PARSER = 'hermes';

export function vllmArgv(spec: LaneSpec): string[] {
  return [
    'docker', 'run', '-d',
    '--name', containerName(spec.id),
    '--gpus', 'all',
    '--ipc=host',
    '-p', `${spec.port}:8000`,
    '-v', `${homedir()}/.cache/huggingface:/root/.cache/huggingface`,
    ...envFlags(Object.keys(spec.env)),
    spec.image!,
    'vllm', 'serve', spec.model!,
    '--served-model-name', spec.id,
    '--enable-auto-tool-choice',
    '--tool-call-parser', spec.tool_call_parser ?? DEFAULT_TOOL_CALL_PARSER,
    ...(spec.max_model_len ? ['--max-model-len', String(spec.max_model_len)] : []),
    ...(spec.gpu_memory_utilization ? ['--gpu-memory-utilization', String(spec.gpu_memory_utilization)] : []),
    ...spec.args,
  ];
}

export const vllmDriver = containerDriver({
  argv: vllmArgv,
  metricsPath: '/metrics',
  async probe(spec, record) {
    const health = await httpGet(laneUrl(record, '/health'), { timeoutMs: 1000 });
    if (health?.status !== 200) return { ready: false, detail: health ? `/health answers ${health.status}` : 'port not open yet (engine loading)' };
    const models = await httpGet(laneUrl(record, '/v1/models'), { timeoutMs: 1000 });
    if (models?.status === 200 && modelIds(models.body).includes(spec.id)) return { ready: true, model: spec.id };
    return { ready: false, detail: `/v1/models does not list ${spec.id} yet` };
  },
});
