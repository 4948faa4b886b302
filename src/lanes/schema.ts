// The zod schema of lanes.yaml (DESIGN §3). Every `error` text below is what the user reads after
// "expected": it says what a valid value looks like, not what went wrong.
import { z } from 'zod';
import { brainNames } from '../demo/brains.js';
import { harnessKeys, harnessSchema } from '../harness/schema.js';

/** A `${VAR}` in any string of lanes.yaml: expanded from the environment before validation. */
export const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export const LANE_KINDS = ['llamacpp', 'vllm', 'nim', 'openai', 'demo'] as const;

const text = (what: string) => z.string({ error: what }).min(1, { error: what });
const port = z
  .int({ error: 'a port number (a whole number 1–65535)' })
  .min(1, { error: 'a port number 1–65535' })
  .max(65535, { error: 'a port number 1–65535' })
  .describe('The port the server listens on; one resident lane at a time, so lanes may share one.');
const seconds = (what: string) => z.number({ error: `${what} in seconds (a number > 0)` }).positive({ error: `${what} in seconds (a number > 0)` });
const stringList = z.array(z.string({ error: 'a string (quote numbers: "99")' }), {
  error: 'a list of strings, e.g. [-ngl, "99", --jinja]',
});
const envMap = z.record(z.string(), z.string({ error: 'a string value (quote numbers: "0")' }), {
  error: 'a mapping of NAME: value',
});
const sampling = z.strictObject(
  {
    temperature: z.number({ error: 'a number' }).min(0, { error: 'a number ≥ 0' }).optional(),
    top_p: z.number({ error: 'a number' }).gt(0, { error: 'a number in (0, 1]' }).max(1, { error: 'a number in (0, 1]' }).optional(),
    seed: z.int({ error: 'a whole number' }).optional(),
    max_tokens: z.int({ error: 'a whole number ≥ 1' }).min(1, { error: 'a whole number ≥ 1' }).optional(),
  },
  { error: 'a mapping with temperature, top_p, seed, max_tokens' },
);

/** Fields every lane may set; defaults: may set the first group too. */
const common = {
  id: z
    .string({ error: 'a lane id (letters, digits, . _ -)' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
      error: 'a lane id of 1–128 letters, digits, . _ - starting with a letter or digit (it names files and containers)',
    })
    .describe('The lane\'s id: its key in the cockpit, its results file (results/<id>.json) and its container name.'),
  host: text('a host name or address, e.g. 127.0.0.1').optional().describe('Address the server listens on and brainbench talks to (default 127.0.0.1).'),
  ready_timeout_s: seconds('a ready timeout').optional().describe('Seconds a start may take before the lane counts as failed (a 30B model loads for minutes; a first NIM start downloads it).'),
  stop_timeout_s: seconds('a stop timeout').optional().describe('Seconds between SIGTERM and SIGKILL when the lane is stopped.'),
  env: envMap.optional().describe('Environment for the server; "${VAR}" reads a value from brainbench\'s environment (secrets stay out of results).'),
  sampling: sampling.optional().describe('temperature, top_p, seed, max_tokens sent with every request to this lane.'),
};

/** Lane fields of the kinds brainbench starts. */
const managedFields = {
  drop_caches: z.boolean({ error: 'true or false' }).optional().describe('Drop the page cache before loading (needs root): frees unified memory a big model needs.'),
};

const llamacpp = z.strictObject({
  ...common,
  ...managedFields,
  kind: z.literal('llamacpp'),
  port,
  model: text('a model path (llamacpp lanes need model: path/to/model.gguf)').describe('Path to the GGUF model file (llama-server -m).'),
  bin: text('a path to llama-server').optional().describe('The llama-server binary (default: $LLAMA_SERVER, else PATH).'),
  ctx: z.int({ error: 'a context size (a whole number ≥ 1)' }).min(1, { error: 'a context size ≥ 1' }).optional().describe('Context size in tokens (llama-server -c).'),
  args: stringList.optional().describe('Extra arguments for the server command line, e.g. [-ngl, "99", --jinja].'),
});

const vllm = z.strictObject({
  ...common,
  ...managedFields,
  kind: z.literal('vllm'),
  port,
  image: text('a container image (vllm lanes need image:, e.g. nvcr.io/nvidia/vllm:25.09-py3)').describe('The vLLM container image, run with docker run --gpus all.'),
  model: text('a Hugging Face model name (vllm lanes need model:)').describe('The Hugging Face model vllm serve loads (cached in ~/.cache/huggingface).'),
  max_model_len: z.int({ error: 'a whole number ≥ 1' }).min(1, { error: 'a whole number ≥ 1' }).optional(),
  gpu_memory_utilization: z
    .number({ error: 'a fraction in (0, 1], e.g. 0.75' })
    .gt(0, { error: 'a fraction in (0, 1], e.g. 0.75' })
    .max(1, { error: 'a fraction in (0, 1], e.g. 0.75' })
    .optional(),
  tool_call_parser: text('a vLLM tool-call parser name, e.g. hermes').optional().describe('vLLM --tool-call-parser (e.g. hermes for Qwen3).'),
  args: stringList.optional().describe('Extra arguments for the server command line, e.g. [-ngl, "99", --jinja].'),
});

const nim = z.strictObject({
  ...common,
  ...managedFields,
  kind: z.literal('nim'),
  port,
  image: text('a container image (nim lanes need image:, e.g. nvcr.io/nim/…:latest)').describe('The NIM container image; needs NGC_API_KEY in env.'),
  args: stringList.optional().describe('Extra arguments for the server command line, e.g. [-ngl, "99", --jinja].'),
});

const openai = z.strictObject({
  ...common,
  kind: z.literal('openai'),
  base_url: z.url({ protocol: /^https?$/, error: 'a URL ending in /v1, e.g. http://127.0.0.1:8001/v1' }).describe('The OpenAI-compatible endpoint of a server brainbench does not start.'),
  api_key: z.string({ error: 'a string (use "${VAR}" to read it from the environment)' }).optional().describe('Bearer token sent to the lane; write "${VAR}" to keep it out of this file.'),
  model: text('the model name to send').optional(),
});

const demo = z.strictObject({
  ...common,
  kind: z.literal('demo'),
  port: z
    .int({ error: 'a port number 0–65535 (0: any free port)' })
    .min(0, { error: 'a port number 0–65535 (0: any free port)' })
    .max(65535, { error: 'a port number 0–65535 (0: any free port)' })
    .optional(),
  brain: z.enum(brainNames, { error: `a brain of the simulated lane: one of ${brainNames.join(', ')}` }).optional().describe('Which scripted brain the simulated lane plays (default strong).'),
  tok_per_sec: z
    .number({ error: 'a simulated speed in tokens/s (a number > 0, at most 1000000)' })
    .positive({ error: 'a simulated speed in tokens/s (a number > 0, at most 1000000)' })
    .max(1_000_000, { error: 'a simulated speed in tokens/s (a number > 0, at most 1000000)' })
    .optional(),
  slots: z.int({ error: 'a whole number ≥ 1' }).min(1, { error: 'a whole number ≥ 1' }).optional(),
});

const lane = z.discriminatedUnion('kind', [llamacpp, vllm, nim, openai, demo], {
  // A bad or missing kind is reported at lanes[i].kind; anything else is not a lane at all.
  error: (issue) => (issue.code === 'invalid_union' ? `one of ${LANE_KINDS.join(', ')}` : 'a lane mapping (id:, kind:, …)'),
});

export const manifestSchema = z.strictObject(
  {
    version: z.literal(1, { error: 'version: 1 (the only lanes.yaml version this brainbench reads)' }),
    defaults: z
      .strictObject(
        {
          host: common.host,
          ready_timeout_s: common.ready_timeout_s,
          stop_timeout_s: common.stop_timeout_s,
          env: common.env,
          sampling: common.sampling,
        },
        { error: 'a mapping of host, ready_timeout_s, stop_timeout_s, env, sampling' },
      )
      .optional(),
    lanes: z.array(lane, { error: 'a list of lanes (each starts with "- id: …")' }).min(1, { error: 'at least one lane' }),
    /** External agent CLIs (src/harness): added to, or replacing, the built-in presets by id. */
    harnesses: z.array(harnessSchema, { error: 'a list of harnesses (each starts with "- id: …")' }).optional(),
  },
  { error: 'a mapping with version: 1 and lanes:' },
);

export type ManifestDoc = z.infer<typeof manifestSchema>;
export type LaneDoc = ManifestDoc['lanes'][number];

/** The known keys of each object, for "did you mean" on an unknown key. */
export const knownKeys = {
  top: Object.keys(manifestSchema.shape),
  defaults: ['host', 'ready_timeout_s', 'stop_timeout_s', 'env', 'sampling'],
  lane: { llamacpp: Object.keys(llamacpp.shape), vllm: Object.keys(vllm.shape), nim: Object.keys(nim.shape), openai: Object.keys(openai.shape), demo: Object.keys(demo.shape) },
  sampling: Object.keys(sampling.shape),
  harness: harnessKeys,
};
