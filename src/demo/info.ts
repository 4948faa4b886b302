import { buildInfo } from './wire.js';

// Bodies of the read-only endpoints (/v1/models, /props, /slots), shaped like the reference
// captures of a real llama-server.

export interface LaneIdentity {
  alias: string;
  modelPath: string;
  nCtx: number;
  totalSlots: number;
  createdAt: number;
}

// A made-up but plausible model: the fake lane loads nothing.
const fakeModel = { n_vocab: 151936, n_ctx_train: 32768, n_embd: 2048, n_params: 30532122624, size: 18556686336, ftype: 'Q4_K - Medium' };

export function modelsBody(lane: LaneIdentity): unknown {
  return {
    models: [
      {
        name: lane.alias,
        model: lane.alias,
        modified_at: '',
        size: '',
        digest: '',
        type: 'model',
        description: '',
        tags: [''],
        capabilities: ['completion'],
        parameters: '',
        details: { parent_model: '', format: 'gguf', family: '', families: [''], parameter_size: '', quantization_level: '' },
      },
    ],
    object: 'list',
    data: [
      {
        id: lane.alias,
        aliases: [lane.alias],
        tags: [],
        object: 'model',
        created: lane.createdAt,
        owned_by: 'llamacpp',
        meta: { vocab_type: 2, n_ctx: lane.nCtx, ...fakeModel },
      },
    ],
  };
}

const samplingParams = {
  seed: 4294967295,
  temperature: 0.800000011920929,
  dynatemp_range: 0.0,
  dynatemp_exponent: 1.0,
  top_k: 40,
  top_p: 0.949999988079071,
  min_p: 0.05000000074505806,
  typical_p: 1.0,
  repeat_last_n: 64,
  repeat_penalty: 1.0,
  presence_penalty: 0.0,
  frequency_penalty: 0.0,
  max_tokens: -1,
  n_predict: -1,
  n_keep: 0,
  n_discard: 0,
  ignore_eos: false,
  stream: false,
  n_probs: 0,
  min_keep: 0,
  chat_format: 'Content-only',
  reasoning_format: 'none',
  reasoning_in_content: false,
  generation_prompt: '',
  samplers: ['penalties', 'dry', 'top_n_sigma', 'top_k', 'typ_p', 'top_p', 'min_p', 'xtc', 'temperature'],
  'speculative.types': 'none',
  timings_per_token: false,
  post_sampling_probs: false,
  backend_sampling: false,
  lora: [],
};

const chatTemplate =
  "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

export function propsBody(lane: LaneIdentity): unknown {
  return {
    default_generation_settings: { params: samplingParams, n_ctx: lane.nCtx },
    total_slots: lane.totalSlots,
    model_alias: lane.alias,
    model_ftype: fakeModel.ftype,
    model_path: lane.modelPath,
    modalities: { vision: false, video: false, audio: false },
    endpoint_slots: true,
    endpoint_props: false,
    endpoint_metrics: true,
    ui: false,
    ui_settings: {},
    chat_template: chatTemplate,
    chat_template_caps: {
      supports_object_arguments: true,
      supports_parallel_tool_calls: true,
      supports_preserve_reasoning: false,
      supports_reasoning_effort: false,
      supports_string_content: true,
      supports_system_role: true,
      supports_tool_calls: true,
      supports_tools: true,
      supports_typed_content: false,
    },
    bos_token: '<|endoftext|>',
    eos_token: '<|im_end|>',
    build_info: buildInfo,
    is_sleeping: false,
    cors_proxy_enabled: false,
  };
}

/** What /slots shows about a slot that is decoding. */
export interface SlotTask {
  task: number;
  stream: boolean;
  maxTokens: number;
  promptTokens: number;
  promptProcessed: number;
  cacheTokens: number;
  decoded: number;
  remain: number;
}

export function slotBody(id: number, nCtx: number, task: SlotTask | null): unknown {
  const idle = { id, n_ctx: nCtx, speculative: false, is_processing: task !== null };
  if (!task) return idle;
  return {
    ...idle,
    id_task: task.task,
    n_prompt_tokens: task.promptTokens,
    n_prompt_tokens_processed: task.promptProcessed,
    n_prompt_tokens_cache: task.cacheTokens,
    params: { ...samplingParams, max_tokens: task.maxTokens, n_predict: task.maxTokens, stream: task.stream, chat_format: 'peg-native' },
    next_token: [{ has_next_token: true, has_new_line: false, n_remain: task.remain, n_decoded: task.decoded }],
  };
}
