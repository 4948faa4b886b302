// An external agent CLI as data (DESIGN §13): the headless command line its users type, with
// placeholders brainbench fills per trial, the config files it reads from HOME, extra env, and
// which HTTP dialect it speaks. Presets ship in fixtures/harnesses.yaml; lanes.yaml may add or
// override them in a `harnesses:` section.

export const API_KINDS = ['openai', 'anthropic'] as const;
export type HarnessApi = (typeof API_KINDS)[number];

/** What a template may name; `{prompt}` only in the command (one argv element, never a shell). */
export const PLACEHOLDERS = ['prompt', 'prompt_file', 'base_url', 'model', 'api_key'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export const CONFIG_PLACEHOLDERS: readonly Placeholder[] = ['prompt_file', 'base_url', 'model', 'api_key'];

/** `{name}` with a lowercase name: JSON's `{"key"` and `{}` never match. */
const PLACEHOLDER = /\{([a-z_]+)\}/g;

export interface HarnessSpec {
  id: string;
  /** argv[0] is the program (looked up on PATH), the rest its arguments, each one element. */
  command: string[];
  api: HarnessApi;
  env: Record<string, string>;
  /** HOME-relative path → contents, written into the trial's private HOME. */
  files: Record<string, string>;
  /** How to get the CLI, for a missing binary. */
  install?: string;
  /** Per-process bounds the CLI needs to start (default: DEFAULT_HARNESS_LIMITS). */
  limits?: HarnessLimits;
  /** Where it was declared: the preset file or a lanes.yaml. */
  source: string;
}

export interface HarnessLimits {
  /** RLIMIT_AS of every process of the CLI, in GiB: a hard bound, sized so the CLI starts. */
  address_space_gb: number;
}

/**
 * Node-based CLIs reserve ~10 GiB of address space per WebAssembly instance (undici's parser, a
 * tokenizer…): pi needs > 20 GiB, qwen-code > 24 GiB (agent-clis.md). 32 GiB lets them start and
 * still stops a runaway; the cgroup (where there is one) bounds what is really resident.
 */
export const DEFAULT_HARNESS_LIMITS: HarnessLimits = { address_space_gb: 32 };
export const MAX_ADDRESS_SPACE_GB = 1024;

/** The address-space bound (bytes) a trial of `spec` runs under. */
export function addressSpaceBytes(spec: Pick<HarnessSpec, 'limits'>): number {
  return (spec.limits ?? DEFAULT_HARNESS_LIMITS).address_space_gb * 1024 ** 3;
}

/** The placeholders in `text` that are not in `allowed`. */
export function unknownPlaceholders(text: string, allowed: readonly string[]): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !allowed.includes(name));
}

export type TemplateValues = Record<Placeholder, string>;

/** Fills every known placeholder; the value is spliced in as it is (argv elements never meet a shell). */
export function fill(text: string, values: Partial<TemplateValues>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in values ? values[name as Placeholder]! : whole));
}

export interface FilledHarness {
  argv: string[];
  env: Record<string, string>;
  files: Record<string, string>;
  /** RLIMIT_AS (and memory.max, under cgroup v2) of the CLI's sandbox. */
  addressSpaceBytes: number;
}

export function fillHarness(spec: HarnessSpec, values: TemplateValues): FilledHarness {
  const config: Partial<TemplateValues> = { ...values };
  delete config.prompt; // the prompt goes on the command line only
  const map = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fill(v, config)]));
  return { argv: spec.command.map((arg) => fill(arg, values)), env: map(spec.env), files: map(spec.files), addressSpaceBytes: addressSpaceBytes(spec) };
}
