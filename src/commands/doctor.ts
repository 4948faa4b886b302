import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { shellAvailable } from '../agent/shell.js';
import { describeLimitsMode, limitsMode } from '../sandbox/sandbox.js';
import { parseFlags, type Command } from '../cli/args.js';
import { DOCKER_MISSING } from '../lanes/docker.js';
import { llamaServerBinary } from '../lanes/kinds/llamacpp.js';
import { preflight } from '../lanes/kinds/index.js';
import type { LaneSpec, Manifest } from '../lanes/manifest.js';
import { portOpen } from '../lanes/net.js';
import { findExecutable, portHolder } from '../os/proc.js';
import { admit, memoryNeed, residentGb, type Admission } from '../lanes/memory.js';
import { LaneStateStore, type LaneRecord } from '../lanes/state.js';
import { gpuDriverInfo } from '../telemetry/gpu-info.js';
import { readUnifiedMemory, type Meminfo } from '../telemetry/meminfo.js';
import { runBounded } from '../telemetry/nvidia-smi.js';
import { defaultStateDir } from '../lanes/userDirs.js';
import { defaultResultsDir } from '../paths.js';
import { loadLanesForCli } from './lanes.js';
import { harnessCatalog } from '../harness/presets.js';
import { harnessDoctorChecks } from '../harness/doctor.js';

const HELP = `brainbench doctor — check this box before a run

Checks, one line each, ✓ or ✗ with what to do next:
  lanes.yaml      found and valid (and every \${VAR} it uses is set)
  docker          the docker CLI is installed and its daemon answers (vllm and nim lanes)
  lane ID         each lane can start, as a swap checks it: llamacpp: llama-server (bin:, else
                  $LLAMA_SERVER, else PATH) and the model file; vllm and nim: the image is pulled;
                  and its memory fits, as a swap weighs it: the larger of the kind's estimate
                  (llamacpp: every GGUF shard + KV cache at ctx from the GGUF header + 2 GB;
                  vLLM: gpu_memory_utilization × memory, against free memory excluding the page
                  cache, as vLLM checks) and the lane's recorded peak over its pre-load baseline
  memory          memory in use and the page cache (a large one crowds a model load)
  nvidia-smi      present, for the GPU gauges (without it only memory is shown); each call is
                  killed after 5 s, so a stuck driver cannot hang doctor (lines print as they come)
  bubblewrap      bwrap can build a sandbox (the run_shell tool needs it)
  limits          which per-attempt sandbox limits are in force (cgroup v2, rlimits + a uid per slot, rlimits only)
  ports           each managed lane's port is free, or held by a lane brainbench started
  disk            free space where results are written
  harness ID      each agent CLI harness (presets + lanes.yaml harnesses:): installed, readable by the
                  sandbox's user, and starts in the sandbox (--version, as a trial runs it)

A ✗ that no lane in lanes.yaml needs is shown but does not fail the check.
Exit code 0 when everything needed is in order, 1 otherwise.

Flags:
  --lanes-file FILE   the manifest to check (default: as 'brainbench lanes' finds it)`;

/** Below this, an overnight run's journals and transcripts may not fit. */
const MIN_FREE_GB = 1;

interface Check {
  ok: boolean;
  /** A failure that counts: something the manifest needs. */
  needed: boolean;
  text: string;
}

const pass = (text: string): Check => ({ ok: true, needed: true, text });
const fail = (text: string, needed = true): Check => ({ ok: false, needed, text });

/** Where no llamacpp lane needs it, whether llama-server is at hand (shown, never failing). */
function llamaServerCheck(): Check {
  const found = findExecutable(llamaServerBinary({}));
  return found ? pass(`llama-server: ${found}`) : fail('llama-server: not found (no llamacpp lane needs it) — install llama.cpp or set $LLAMA_SERVER', false);
}

/** What a lane's start rests on, once its preflight found nothing in the way. */
function laneBasis(lane: LaneSpec): string {
  if (lane.kind === 'llamacpp') return `llama-server ${findExecutable(llamaServerBinary(lane))}, model ${lane.model}`;
  if (lane.kind === 'demo') return 'simulated, built in';
  return `image ${lane.image}`;
}

/**
 * Each managed lane through the same preflight a swap uses (binary, model file, image). Container
 * lanes are left out when docker itself failed: that line already says what to do.
 */
async function lanePreflightChecks(manifest: Manifest, dockerOk: boolean): Promise<Check[]> {
  const lanes = manifest.lanes.filter((l) => !l.unresolved && l.kind !== 'openai' && (dockerOk || (l.kind !== 'vllm' && l.kind !== 'nim')));
  const memory = readUnifiedMemory(meminfoPath());
  const resident = Object.values(await new LaneStateStore(defaultStateDir()).read());
  const checks = await Promise.all(
    lanes.map(async (lane) => {
      const problems = await preflight(lane);
      const room = lane.kind === 'demo' ? null : await laneRoom(lane, memory, resident);
      if (room && !room.ok) problems.push(`${room.message} — free memory, or swap with --force`);
      const fits = room ? `; ${room.message.replace(/^lane \S+ /, '')}` : '';
      return problems.length === 0 ? pass(`lane ${lane.id}: ${laneBasis(lane)}${fits}`) : fail(`lane ${lane.id}: ${problems.join('; ')}`);
    }),
  );
  return manifest.lanes.some((l) => l.kind === 'llamacpp') ? checks : [llamaServerCheck(), ...checks];
}

/** The same memory admission a swap makes: the lane against what is free once the resident lanes stop. */
async function laneRoom(lane: LaneSpec, memory: Meminfo | null, resident: LaneRecord[]): Promise<Admission | null> {
  if (!memory) return null;
  const need = await memoryNeed(lane, defaultResultsDir(), memory.total_gb);
  const stopping = resident.filter((r) => r.id !== lane.id);
  return need ? admit(lane, need, memory, residentGb(stopping, memory.used_gb), stopping.map((r) => r.id)) : null;
}

/** $BRAINBENCH_MEMINFO: a meminfo file to read instead of /proc/meminfo (tests, what-if checks). */
const meminfoPath = () => process.env.BRAINBENCH_MEMINFO || undefined;

/** Memory in use and the page cache, with what to do when the cache is large. */
function memoryCheck(): Check {
  const memory = readUnifiedMemory(meminfoPath());
  if (!memory) return fail('memory: /proc/meminfo unreadable — unified-memory gauges and swap admission are off', false);
  const text = `memory: ${memory.used_gb.toFixed(1)} of ${memory.total_gb.toFixed(1)} GB in use, page cache ${memory.cache_gb?.toFixed(1) ?? '—'} GB`;
  if (memory.cache_gb !== null && memory.cache_gb >= 0.25 * memory.total_gb) {
    return fail(`${text} — a large page cache crowds a model load on unified memory: sudo sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches' (or drop_caches: true on a lane, as root)`, false);
  }
  return pass(text);
}

async function dockerCheck(manifest: Manifest): Promise<Check> {
  const needed = manifest.lanes.some((l) => l.kind === 'vllm' || l.kind === 'nim');
  const why = needed ? '' : ' (no vllm or nim lane needs it)';
  const result = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false, timeout: 15_000 });
  if ((result as { code?: string }).code === 'ENOENT') return fail(`docker: ${DOCKER_MISSING}${why}`, needed);
  if (result.failed) {
    const text = (result.stderr || result.stdout || '').trim().split('\n')[0];
    return fail(`docker: installed but not usable: ${text}${why} — start the daemon, or add yourself to the docker group (sudo usermod -aG docker $USER, then log in again)`, needed);
  }
  return pass(`docker: server ${result.stdout.trim()}`);
}

/** Each nvidia-smi call doctor makes is killed (as a process group) after this: a stuck driver cannot hang doctor. */
const NVIDIA_SMI_BOUND_MS = 5000;

async function nvidiaSmiCheck(): Promise<Check> {
  if (!findExecutable('nvidia-smi')) return fail('nvidia-smi: not found — GPU gauges will say "no GPU" (memory still works); install the NVIDIA driver to get them', false);
  const result = await runBounded('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], NVIDIA_SMI_BOUND_MS);
  if (result.timedOut) {
    return fail(`nvidia-smi: no answer within ${NVIDIA_SMI_BOUND_MS / 1000} s (killed) — the driver may be stuck (on a Spark, often under memory pressure); GPU gauges will say "stale"`, false);
  }
  if (!result.ok) return fail(`nvidia-smi: present but failing: ${(result.stderr || result.stdout).trim().split('\n')[0]} — check the driver (nvidia-smi on its own)`, false);
  const versions = await gpuDriverInfo('nvidia-smi', NVIDIA_SMI_BOUND_MS);
  const driver = versions ? ` (driver ${versions.driver_version ?? '?'}, CUDA ${versions.cuda_version ?? '?'})` : '';
  return pass(`nvidia-smi: ${result.stdout.trim().split('\n').join(', ')}${driver}`);
}

async function bubblewrapCheck(): Promise<Check> {
  if (!findExecutable('bwrap')) return fail('bubblewrap: bwrap not found — the run_shell tool stays off; install it (sudo apt install bubblewrap)', false);
  if (await shellAvailable()) return pass('bubblewrap: sandbox works (run_shell enabled)');
  return fail('bubblewrap: bwrap cannot create a sandbox — allow unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 24.04)', false);
}

/** Informational: per-slot totals need root or cgroup v2, so a plain user is told what holds. */
function limitsCheck(): Check {
  const text = `sandbox limits: ${describeLimitsMode()}`;
  return limitsMode() === 'rlimits' ? fail(text, false) : pass(text);
}

async function portChecks(manifest: Manifest): Promise<Check[]> {
  const records = Object.values(await new LaneStateStore(defaultStateDir()).read());
  const lanesByPort = new Map<number, string[]>();
  for (const lane of manifest.lanes) {
    if (lane.kind === 'openai' || lane.kind === 'demo' || lane.port === 0) continue;
    lanesByPort.set(lane.port, [...(lanesByPort.get(lane.port) ?? []), lane.id]);
  }
  const checks: Check[] = [];
  for (const [port, ids] of lanesByPort) {
    const host = manifest.lanes.find((l) => l.id === ids[0])!.host;
    if (!(await portOpen(host, port))) {
      checks.push(pass(`port ${port}: free (${ids.join(', ')})`));
      continue;
    }
    const ours = records.find((r) => r.port === port);
    if (ours) {
      checks.push(pass(`port ${port}: in use by lane ${ours.id}, which brainbench started`));
      continue;
    }
    const holder = await portHolder(port);
    const who = holder ? `pid ${holder.pid} (${holder.name})` : 'another process';
    checks.push(fail(`port ${port}: held by ${who}, which brainbench did not start — stop it or change the port of ${ids.join(', ')}`));
  }
  return checks;
}

/** The nearest existing directory at or above `path` (results/ may not exist yet). */
function existingAncestor(path: string): string {
  while (!existsSync(path) && dirname(path) !== path) path = dirname(path);
  return path;
}

async function diskCheck(): Promise<Check> {
  const dir = defaultResultsDir();
  const stats = await statfs(existingAncestor(dir));
  const freeGb = (stats.bavail * stats.bsize) / 1e9;
  const text = `disk: ${freeGb.toFixed(1)} GB free for ${dir}`;
  return freeGb >= MIN_FREE_GB ? pass(text) : fail(`${text} — free some space or point BRAINBENCH_RESULTS elsewhere`);
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check this box: each lane can start, docker, nvidia-smi, bubblewrap, ports, disk',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, { 'lanes-file': { type: 'string' } });
    const checks: Check[] = [];
    // each line is printed as soon as its check is done: a slow check never hides the others' answers
    const say = (...done: Check[]) => {
      for (const check of done) console.log(`${check.ok ? '✓' : '✗'} ${check.text}`);
      checks.push(...done);
    };
    let manifest: Manifest | null = null;
    try {
      manifest = await loadLanesForCli(values['lanes-file']);
      say(pass(`lanes.yaml: ${manifest.file} (${manifest.lanes.length} lanes)`));
      for (const lane of manifest.lanes) if (lane.unresolved) say(fail(`lane ${lane.id}: ${lane.unresolved}`));
    } catch (err) {
      say(fail(`lanes.yaml: ${(err as Error).message}`));
    }
    if (manifest) {
      const docker = await dockerCheck(manifest);
      say(docker);
      say(...(await lanePreflightChecks(manifest, docker.ok)));
    }
    say(await nvidiaSmiCheck());
    say(memoryCheck());
    say(await bubblewrapCheck(), limitsCheck());
    if (manifest) say(...(await portChecks(manifest)));
    say(await diskCheck(), ...(await harnessDoctorChecks(harnessCatalog(manifest?.harnesses).values())));
    return checks.some((c) => !c.ok && c.needed) ? 1 : 0;
  },
};
