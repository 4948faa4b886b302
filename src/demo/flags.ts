import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { suggest, UsageError } from '../cli/args.js';
import { brainNames, isBrainName, type BrainName } from './brains.js';
import { faultNames, isFaultName, type FaultName } from './faults.js';

// The command line of the fake lane as a child process: llama-server's own flags (so a lane
// manager can start it as `llama-server`), plus the fake's. Flags llama-server has and the fake
// does not need (-t, -fa, --no-webui, ...) are accepted and ignored.

export interface FakeServerArgs {
  host: string;
  port: number;
  brain: BrainName;
  alias: string;
  modelPath: string;
  ctx: number;
  slots: number;
  metrics: boolean;
  tokPerSec: number;
  loadDelayMs: number;
  faults: FaultName[];
  solutionsPath?: string;
}

const options = {
  model: { type: 'string', short: 'm' },
  host: { type: 'string' },
  port: { type: 'string' },
  'ctx-size': { type: 'string', short: 'c' },
  alias: { type: 'string' },
  metrics: { type: 'boolean' },
  parallel: { type: 'string' },
  jinja: { type: 'boolean' },
  'n-gpu-layers': { type: 'string' },
  brain: { type: 'string' },
  'tok-per-sec': { type: 'string' },
  'load-delay-ms': { type: 'string' },
  fault: { type: 'string', multiple: true },
  solutions: { type: 'string' },
} as const;

/** llama-server's multi-letter short flags, which node's parser would read as letter groups. */
const multiLetterShorts: Record<string, string> = { '-ngl': '--n-gpu-layers', '-np': '--parallel' };

function normalise(argv: string[]): string[] {
  return argv.map((arg) => multiLetterShorts[arg] ?? (/^-[a-zA-Z]{2,}$/.test(arg) ? `-${arg}` : arg));
}

function numberFlag(value: string | boolean | undefined, name: string, fallback: number, min: number, whole = true): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isNaN(n) || n < min || (whole && !Number.isInteger(n))) {
    throw new UsageError(`--${name} wants a ${whole ? 'whole ' : ''}number ≥ ${min}, got '${String(value)}'`);
  }
  return n;
}

function brainFrom(value: string, source: string): BrainName {
  if (isBrainName(value)) return value;
  const hint = suggest(value, [...brainNames]);
  throw new UsageError(`${source}: unknown brain '${value}'${hint ? `; did you mean ${hint}?` : ''} (brains: ${brainNames.join(', ')})`);
}

export function parseServerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): FakeServerArgs {
  const { values } = parseArgs({ args: normalise(argv), options, strict: false, allowPositionals: true });
  const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);

  const modelPath = text(values.model);
  const modelBase = modelPath ? basename(modelPath, extname(modelPath)) : undefined;
  const brainFlag = text(values.brain) ?? env.FAKE_LANE_BRAIN;
  const brain =
    modelBase && isBrainName(modelBase) ? modelBase : brainFlag ? brainFrom(brainFlag, values.brain ? '--brain' : 'FAKE_LANE_BRAIN') : 'strong';

  const faults = (values.fault ?? []).map((fault) => {
    const name = String(fault);
    if (isFaultName(name)) return name;
    const hint = suggest(name, [...faultNames]);
    throw new UsageError(`--fault: unknown fault '${name}'${hint ? `; did you mean ${hint}?` : ''}`);
  });

  return {
    host: text(values.host) ?? '127.0.0.1',
    port: numberFlag(values.port, 'port', 8080, 0),
    brain,
    // llama-server names the model by its path when no alias is given.
    alias: text(values.alias) ?? modelPath ?? 'demo',
    modelPath: modelPath ?? 'demo',
    ctx: numberFlag(values['ctx-size'], 'ctx-size', 4096, 1),
    slots: numberFlag(values.parallel, 'parallel', 1, 1),
    metrics: values.metrics === true,
    tokPerSec: numberFlag(values['tok-per-sec'] ?? env.FAKE_LANE_TOK_PER_SEC, 'tok-per-sec', 40, 0, false),
    loadDelayMs: numberFlag(values['load-delay-ms'], 'load-delay-ms', 300, 0),
    faults,
    solutionsPath: text(values.solutions),
  };
}
