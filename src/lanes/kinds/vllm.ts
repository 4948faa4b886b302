// vLLM in a container (DESIGN §3): ready when /health is 200 and /v1/models lists the lane.
//
// Which images: NVIDIA's nvcr.io/nvidia/vllm runs its arguments through nvidia_entrypoint.sh, so
// the command is `vllm serve <model> …`. The vllm/vllm-openai images (NVIDIA's current Spark
// playbook) have `vllm serve` as their entrypoint already: the command starts at `<model>`. Older
// vllm-openai images run `python3 -m vllm.entrypoints.openai.api_server`: `--model <model>`. Which
// one an image has is read from `docker image inspect` (Config.Entrypoint) before the command is
// built; until it is known, the image's name decides (vllm/vllm-openai: entrypoint is vllm serve).
import type { LaneSpec } from '../manifest.js';
import { userHome } from '../userDirs.js';
import { dockerQuiet } from '../docker.js';
import { httpGet, modelIds } from '../net.js';
import { containerDriver, containerName, envFlags, publishFlag } from './container.js';
import { laneUrl } from './urls.js';

/** vLLM's parser for Qwen3/Hermes-style <tool_call> output; lanes.yaml may name another. */
export const DEFAULT_TOOL_CALL_PARSER = 'hermes';

/** Docker Hub's vLLM images, whose entrypoint is `vllm serve`. */
const VLLM_OPENAI_IMAGE = /^(docker\.io\/)?vllm\/vllm-openai([:@]|$)/;

/** Each image's Config.Entrypoint as docker image inspect said it (null: none). */
const entrypoints = new Map<string, string[] | null>();

/** What goes before the model: `vllm serve`, nothing, or `--model` — for an image with this entrypoint. */
export function servePrefix(image: string, entrypoint: string[] | null | undefined): string[] {
  if (entrypoint === undefined) return VLLM_OPENAI_IMAGE.test(image) ? [] : ['vllm', 'serve'];
  const joined = (entrypoint ?? []).join(' ');
  if (/(^|\/|\s)vllm\s+serve$/.test(joined)) return [];
  if (/vllm\.entrypoints\.openai\.api_server$/.test(joined)) return ['--model'];
  return ['vllm', 'serve'];
}

/** Reads the image's entrypoint (once per image per process); an image docker cannot inspect stays unknown. */
export async function learnEntrypoint(lane: string, image: string): Promise<void> {
  if (entrypoints.has(image)) return;
  try {
    const inspected = await dockerQuiet(lane, ['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', image]);
    if (!inspected.ok) return;
    const parsed = JSON.parse(inspected.stdout.trim()) as unknown;
    if (parsed === null || (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string'))) entrypoints.set(image, parsed as string[] | null);
  } catch {
    // docker missing (preflight says so) or an answer that is not JSON: the image name decides
  }
}

/** Forgets what was learnt (tests that swap images under one name). */
export function forgetEntrypoints(): void {
  entrypoints.clear();
}

const hfCache = () => `${userHome()}/.cache/huggingface`;

export function vllmArgv(spec: LaneSpec): string[] {
  const image = spec.image!;
  return [
    'docker', 'run', '-d',
    '--name', containerName(spec.id),
    '--gpus', 'all',
    '--ipc=host',
    // what NVIDIA's containers ask for (their entrypoint warns without them) and the Spark playbooks pass
    '--ulimit', 'memlock=-1',
    '--ulimit', 'stack=67108864',
    ...publishFlag(spec),
    '-v', `${hfCache()}:/root/.cache/huggingface`,
    ...envFlags(Object.keys(spec.env)),
    image,
    ...servePrefix(image, entrypoints.get(image)), spec.model!,
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
  hostDirs: () => [hfCache()],
  prepare: (spec) => learnEntrypoint(spec.id, spec.image!),
  async probe(spec, record) {
    const health = await httpGet(laneUrl(record, '/health'), { timeoutMs: 1000 });
    if (health?.status !== 200) return { ready: false, detail: health ? `/health answers ${health.status}` : 'port not open yet (engine loading)' };
    const models = await httpGet(laneUrl(record, '/v1/models'), { timeoutMs: 1000 });
    if (models?.status === 200 && modelIds(models.body).includes(spec.id)) return { ready: true, model: spec.id };
    return { ready: false, detail: `/v1/models does not list ${spec.id} yet` };
  },
});
