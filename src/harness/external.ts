// An external agent CLI as a Harness (DESIGN §13), the third kind beside builtin and oracle. One
// trial: write the prompt, the forwarder and the preset's HOME files into the trial's folder →
// start the recording proxy on a unix socket there → run `node forward.mjs <port> <socket> <cli…>`
// in the §5 sandbox (workspace as working folder, private HOME, the CLI's own install read-only,
// no network but the forwarded lane) → close the proxy → the trajectory decides turns, tokens,
// tool calls and peeks, whatever the CLI printed.
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findExecutable } from '../os/proc.js';
import type { ReadyLane } from '../lanes/manager.js';
import { SANDBOX_PATH, type SandboxExit, type SandboxLimits } from '../sandbox/sandbox.js';
import { result, type Harness, type HarnessContext, type HarnessResult } from './types.js';
import { FORWARDER_NOT_STARTED, FORWARDER_SOURCE } from './forwarder.js';
import { installRefusal, resolveInstall, unreadableInstall, type HarnessInstall } from './install.js';
import { startProxy, type RecordingProxy } from './proxy.js';
import { fillHarness, type HarnessSpec, type TemplateValues } from './spec.js';
import { exchangeLogPath, writeTrajectory } from './trajectory.js';

/** Where the lane appears inside every harness sandbox (each has its own network namespace). */
export const PROXY_PORT = 8080;
export const HOME_AT = '/home/agent';
/** The trial's read-only folder inside: forward.mjs, the proxy's socket, prompt.md. */
export const IO_AT = '/brainbench-io';
/** The CLI never holds the lane's key: the proxy adds it. */
export const STAND_IN_KEY = 'brainbench-proxy';

/** The address space (RLIMIT_AS) is each harness's own: `limits.address_space_gb` in its entry (spec.ts). */
const CLI_LIMITS: Partial<SandboxLimits> = { processes: 256, outputBytes: 256 * 1024 };
/** A unix socket path must fit in 108 bytes. */
const MAX_SOCKET_PATH = 100;

function missingReason(spec: HarnessSpec, env: NodeJS.ProcessEnv): string | null {
  const program = spec.command[0]!;
  if (findExecutable(program, env)) return null;
  return `${program} is not installed (the ${spec.id} harness)${spec.install ? `; install it with: ${spec.install}` : ''}`;
}

function valuesFor(spec: HarnessSpec, ctx: HarnessContext, lane: ReadyLane): TemplateValues {
  return {
    prompt: ctx.instruction,
    prompt_file: `${IO_AT}/prompt.md`,
    base_url: `http://127.0.0.1:${PROXY_PORT}${spec.api === 'openai' ? '/v1' : ''}`,
    model: lane.model,
    api_key: STAND_IN_KEY,
  };
}

/** Every folder and file under `root` open to the sandbox's uid (it differs per sandbox). */
function openTree(root: string): void {
  chmodSync(root, 0o777);
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    chmodSync(join(entry.parentPath, entry.name), entry.isDirectory() ? 0o777 : 0o666);
  }
}

interface TrialFolders {
  home: string;
  io: string;
  /** The socket path the proxy listens on (maybe a short /proc/self/fd alias of io/). */
  socket: string;
  release(): void;
}

function prepareFolders(scratch: string, files: Record<string, string>, prompt: string): TrialFolders {
  const home = join(scratch, 'home');
  const io = join(scratch, 'io');
  mkdirSync(home, { recursive: true });
  mkdirSync(io, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(home, rel)), { recursive: true });
    writeFileSync(join(home, rel), text);
  }
  openTree(home);
  writeFileSync(join(io, 'forward.mjs'), FORWARDER_SOURCE);
  writeFileSync(join(io, 'prompt.md'), prompt);
  chmodSync(io, 0o755);
  let socket = join(io, 'lane.sock');
  let release = (): void => undefined;
  if (socket.length > MAX_SOCKET_PATH) {
    // a long trial path (long lane ids) reaches the folder through a short descriptor alias
    const fd = openSync(io, 'r');
    socket = `/proc/self/fd/${fd}/lane.sock`;
    release = () => closeSync(fd);
  }
  return { home, io, socket, release };
}

function execArgv(install: HarnessInstall, argv: readonly string[]): string[] {
  return [process.execPath, `${IO_AT}/forward.mjs`, String(PROXY_PORT), `${IO_AT}/lane.sock`, install.program, ...argv.slice(1)];
}

async function runInSandbox(ctx: HarnessContext, install: HarnessInstall, folders: TrialFolders, filled: ReturnType<typeof fillHarness>): Promise<SandboxExit> {
  const path = [...install.path, SANDBOX_PATH].join(':');
  return ctx.env.exec(execArgv(install, filled.argv), {
    binds: [
      { host: folders.io, at: IO_AT, readOnly: true },
      { host: folders.home, at: HOME_AT },
      ...install.binds,
    ],
    env: { ...filled.env, HOME: HOME_AT, USER: 'sandbox', LOGNAME: 'sandbox', TERM: 'dumb', NO_COLOR: '1', PATH: path },
    limits: { ...CLI_LIMITS, memoryBytes: filled.addressSpaceBytes, cpuSeconds: Math.max(60, ctx.timeoutS) },
    timeoutMs: ctx.timeoutS * 1000,
    ...(ctx.signal && { signal: ctx.signal }),
  });
}

const tail = (text: string, n = 400) => text.trim().slice(-n).replace(/\s+/g, ' ');

/**
 * Why a trial that talked to the lane has no turn to show (a dialect or path the proxy does not
 * read, or only error answers): its requests by path; null when a turn was read or nothing was sent.
 */
function unreadTraffic(proxy: RecordingProxy, turns: number): string | null {
  const { requests, unrecordedPaths } = proxy.stats;
  if (turns > 0 || requests === 0) return null;
  const byPath = new Map<string, number>(Object.entries(unrecordedPaths));
  for (const t of proxy.record.turns) {
    const key = `${t.path.split('?')[0]} answered HTTP ${t.status}`;
    byPath.set(key, (byPath.get(key) ?? 0) + 1);
  }
  const list = [...byPath].map(([path, n]) => `${n} to ${path}`).join(', ');
  return `the CLI talked to the lane (${requests} request${requests === 1 ? '' : 's'}: ${list}) but no turn could be read`;
}

/** The bucket from how the CLI ended and what the proxy saw. */
function classify(spec: HarnessSpec, exit: SandboxExit, proxy: RecordingProxy): HarnessResult {
  const totals = proxy.record.totals();
  const seen: Partial<HarnessResult> = {
    toolCalls: totals.toolCalls,
    toolsCalled: totals.toolsCalled,
    turns: totals.turns,
    tokens: totals.tokens,
    ttftS: totals.ttftS,
    answer: totals.answer || tail(exit.output, 2048),
    peekAttempts: totals.peekAttempts,
    decodeTokS: totals.decodeTokS,
  };
  if (proxy.stats.upstreamErrors > 0 && totals.turns === 0) return result('lane_error', `the lane failed behind the proxy: ${proxy.stats.lastUpstreamError}`, seen);
  if (exit.timedOut) return result('timeout', `${spec.id} ran past its timeout and was killed`, seen);
  if (exit.code !== null && FORWARDER_NOT_STARTED.includes(exit.code)) return result('error', `${spec.id} could not start: ${tail(exit.output)}`, seen);
  const unread = unreadTraffic(proxy, totals.turns);
  if (unread) return result('error', `${spec.id}: ${unread}${exit.code === 0 ? '' : `; it exited with code ${exit.code ?? 'killed'}: ${tail(exit.output)}`}`, seen);
  if (exit.code !== 0 && totals.turns === 0) return result('error', `${spec.id} crashed before working (exit ${exit.code ?? 'killed'}): ${tail(exit.output)}`, seen);
  return result('exited', `${spec.id} exited with code ${exit.code ?? 'killed'} after ${totals.turns} turns`, seen);
}

async function runExternal(spec: HarnessSpec, ctx: HarnessContext, env: NodeJS.ProcessEnv): Promise<HarnessResult> {
  const missing = missingReason(spec, env);
  if (missing) return result('error', missing);
  if (!ctx.lane) return result('error', `the ${spec.id} harness needs a lane`);
  if (ctx.env.kind !== 'bwrap') return result('error', `external harnesses run tasks in the bubblewrap environment only (for now)`);
  const install = resolveInstall(spec.command[0]!, ctx.hide, env);
  if (!install) return result('error', missingReason(spec, {})!);
  const unreadable = unreadableInstall(install, spec.install);
  if (unreadable) return result('error', `${spec.id}: ${unreadable}`);
  const filled = fillHarness(spec, valuesFor(spec, ctx, ctx.lane));
  const folders = prepareFolders(ctx.scratch, filled.files, ctx.instruction);
  const t0 = performance.now();
  let proxy: RecordingProxy | undefined;
  try {
    proxy = await startProxy({
      socketPath: folders.socket, lane: ctx.lane, api: spec.api, logPath: exchangeLogPath(ctx.transcriptPath),
      // request bodies pass through the trial's own folder, outside everything the sandbox binds
      spoolDir: join(ctx.scratch, 'spool'),
      ...(ctx.onProgress && { onProgress: ctx.onProgress }),
    });
    const exit = await runInSandbox(ctx, install, folders, filled);
    await proxy.close();
    if (exit.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    const outcome = classify(spec, exit, proxy);
    const written = await writeTrajectory(ctx.transcriptPath, {
      harness: spec.id, api: spec.api, taskId: ctx.taskId, model: ctx.lane.model, baseURL: ctx.lane.baseURL,
      status: outcome.status, error: outcome.status === 'exited' ? null : outcome.detail,
      wallS: Math.round(performance.now() - t0) / 1000, record: proxy.record, output: exit.output.slice(-8192), proxy: proxy.stats, log: proxy.logPath ?? undefined,
      logError: proxy.logError,
    });
    return written ? { ...outcome, detail: `${outcome.detail}; ${written}` } : outcome;
  } finally {
    await proxy?.close();
    folders.release();
  }
}

export function externalHarness(spec: HarnessSpec, env: NodeJS.ProcessEnv = process.env): Harness {
  return {
    name: spec.id,
    needsLane: true,
    preflight: () => missingReason(spec, env) ?? installRefusal(spec.command[0]!, spec.install, env),
    run: (ctx) => runExternal(spec, ctx, env),
  };
}
