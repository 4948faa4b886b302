// llama.cpp: llama-server as a child in its own process group, output to the lane's log file.
import { closeSync, constants, openSync } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { LaneError } from '../errors.js';
import { shardSizes } from '../gguf.js';
import type { LaneSpec } from '../manifest.js';
import { httpGet } from '../net.js';
import { findExecutable, logTail, processAlive, processStartTime } from '../../os/proc.js';
import { stopProcessGroup } from '../processGroup.js';
import type { LaneRecord } from '../state.js';
import type { ExitInfo, LaneDriver } from './driver.js';
import { laneUrl } from './urls.js';

/** bin: from lanes.yaml, else $LLAMA_SERVER, else llama-server on PATH. */
export function llamaServerBinary(spec: Pick<LaneSpec, 'bin'>, env: NodeJS.ProcessEnv = process.env): string {
  return spec.bin ?? env.LLAMA_SERVER ?? 'llama-server';
}

export function llamacppArgv(spec: LaneSpec): string[] {
  return [
    llamaServerBinary(spec),
    '-m', spec.model!,
    '--host', spec.host,
    '--port', String(spec.port),
    ...(spec.ctx ? ['-c', String(spec.ctx)] : []),
    '--alias', spec.id,
    '--metrics',
    ...spec.args,
  ];
}

function binaryMissing(program: string): string {
  return `llama-server not found (looked for '${program}') — set bin: in lanes.yaml, export LLAMA_SERVER=/path/to/llama-server, or put it on PATH`;
}

/** Why the GGUF file cannot be loaded, or null when it is a readable file. */
async function modelProblem(model: string): Promise<string | null> {
  try {
    if (!(await stat(model)).isFile()) return `model '${model}' is not a file — model: in lanes.yaml names the .gguf file`;
    await access(model, constants.R_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `model file '${model}' not found — check model: in lanes.yaml` : `model file '${model}' cannot be read (${code})`;
  }
}

export const llamacppDriver: LaneDriver = {
  managed: true,
  persistent: true,
  livenessEveryMs: 0,
  metricsPath: '/metrics',
  hasProps: true,
  command: llamacppArgv,

  async preflight(spec) {
    const program = llamaServerBinary(spec);
    const problems = findExecutable(program) ? [] : [binaryMissing(program)];
    const model = await modelProblem(spec.model!);
    if (model) return [...problems, model];
    // a split GGUF loads only with every shard beside the first
    const { missing } = await shardSizes(spec.model!);
    return missing.length > 0 ? [...problems, `model '${spec.model}' is split and ${missing.length} shard(s) are missing: ${missing.join(', ')}`] : problems;
  },

  async launch(spec, logPath) {
    const [program, ...args] = llamacppArgv(spec);
    const bin = findExecutable(program!);
    if (!bin) throw new LaneError(spec.id, 'missing', binaryMissing(program!));
    await mkdir(dirname(logPath), { recursive: true });
    // An integer fd goes to the child as is: it writes the log itself, nothing passes through this
    // process (which may exit while the lane runs on). execa's types list only fds 3–9.
    const log = openSync(logPath, 'w') as 3;
    // detached: its own process group (stop signals the whole group) that outlives this process.
    const child = execa(bin, args, { detached: true, cleanup: false, reject: false, stdin: 'ignore', stdout: log, stderr: log, env: spec.env });
    closeSync(log);
    child.unref();
    const exited: Promise<ExitInfo> = child.then((r) => ({ code: r.exitCode ?? null, signal: r.signal ?? null }));
    if (child.pid === undefined) {
      const result = await child;
      throw new LaneError(spec.id, 'failed', `could not start ${bin}: ${result.shortMessage ?? result.message}`);
    }
    const record: LaneRecord = {
      id: spec.id,
      kind: spec.kind,
      host: spec.host,
      port: spec.port,
      pid: child.pid,
      pgid: child.pid,
      procStart: processStartTime(child.pid),
      startedAt: new Date().toISOString(),
      command: '',
      logPath,
      stopTimeoutS: spec.stop_timeout_s,
    };
    return { record, exited };
  },

  async liveness(record) {
    return processAlive(record.pid!, record.procStart) ? { alive: true } : { alive: false, reason: `process ${record.pid} is gone` };
  },

  async probe(spec, record) {
    const health = await httpGet(laneUrl(record, '/health'), { timeoutMs: 1000 });
    if (health?.status === 200) return { ready: true, model: spec.id };
    return { ready: false, detail: health ? `/health answers ${health.status}` : 'port not open yet' };
  },

  outputTail: (record) => logTail(record.logPath),
  terminate: (record) => stopProcessGroup(record),
};
