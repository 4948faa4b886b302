// What vllm and nim lanes share: a detached container named brainbench-<id>, checked with
// docker inspect, its log from docker logs (stdout and stderr), stopped with docker stop, its full
// log saved, then docker rm.
import { isIP } from 'node:net';
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { docker, dockerQuiet } from '../docker.js';
import { LaneError } from '../errors.js';
import type { LaneSpec } from '../manifest.js';
import { portOpen, waitFor } from '../net.js';
import type { LaneRecord } from '../state.js';
import type { LaneDriver, Probe } from './driver.js';

const PORT_RELEASE_MS = 5000;

export const containerName = (id: string) => `brainbench-${id}`;

/** `-e NAME` for every env entry: docker copies the value from its own environment. */
export const envFlags = (names: string[]) => names.flatMap((name) => ['-e', name]);

/**
 * `-p` publishing the container's `inner` port on the lane's host only: `host: 127.0.0.1` must not
 * be reachable from the LAN (Docker's own iptables rules go past UFW). `localhost` is 127.0.0.1; a
 * host name that is no address publishes on every interface, as Docker would.
 */
export function publishFlag(spec: Pick<LaneSpec, 'host' | 'port'>, inner = 8000): string[] {
  const host = spec.host === 'localhost' ? '127.0.0.1' : spec.host;
  const kind = isIP(host);
  const bind = kind === 4 ? `${host}:` : kind === 6 ? `[${host}]:` : '';
  return ['-p', `${bind}${spec.port}:${inner}`];
}

/** Error text of a `docker run --name X` that found an old container called X. */
const NAME_IN_USE = /is already in use/;
/** Error text of `docker image inspect` for an image that was never pulled. */
const NO_SUCH_IMAGE = /No such image/i;

/** `docker logs` of the whole container, stdout and stderr, into `logPath` (a failure is written there too). */
async function saveLog(lane: string, container: string, logPath: string): Promise<void> {
  const logs = await dockerQuiet(lane, ['logs', container], { interleaved: true });
  await mkdir(dirname(logPath), { recursive: true });
  const text = logs.ok ? logs.stdout : `brainbench: could not read the container's log: ${logs.error.message}`;
  await writeFile(logPath, text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

/** The image must be on the box: `docker run` would pull it, for minutes to hours, by surprise. */
async function imagePreflight(spec: LaneSpec, prepare?: (spec: LaneSpec) => Promise<void>): Promise<string[]> {
  await prepare?.(spec);
  let inspected;
  try {
    inspected = await dockerQuiet(spec.id, ['image', 'inspect', '--format', '{{.Id}}', spec.image!]);
  } catch (err) {
    return [(err as Error).message]; // docker itself is missing
  }
  if (inspected.ok) return [];
  if (NO_SUCH_IMAGE.test(inspected.error.message)) return [`image ${spec.image} is not on this box — pull it first: docker pull ${spec.image}`];
  return [inspected.error.message];
}

/** `docker run -d …` as brainbench-<id>; a container left behind by an earlier crash is replaced (its log kept). */
async function launchContainer(spec: LaneSpec, logPath: string, argv: string[], hostDirs: string[]): Promise<{ record: LaneRecord }> {
  const name = containerName(spec.id);
  for (const dir of hostDirs) await mkdir(dir, { recursive: true });
  const run = () => docker(spec.id, argv.slice(1), { env: spec.env });
  try {
    await run();
  } catch (err) {
    if (!(err instanceof LaneError && NAME_IN_USE.test(err.message))) throw err;
    // its log may be the only trace of how that earlier run ended
    await saveLog(spec.id, name, logPath.replace(/(\.log)?$/, '.previous.log'));
    await docker(spec.id, ['rm', '-f', name]);
    await run();
  }
  const record: LaneRecord = {
    id: spec.id,
    kind: spec.kind,
    host: spec.host,
    port: spec.port,
    container: name,
    startedAt: new Date().toISOString(),
    command: '',
    logPath,
    stopTimeoutS: spec.stop_timeout_s,
  };
  return { record };
}

async function containerLiveness(record: LaneRecord): Promise<{ alive: true } | { alive: false; reason: string }> {
  const inspected = await dockerQuiet(record.id, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', record.container!]);
  if (!inspected.ok) return { alive: false, reason: `container ${record.container} is gone` };
  const [status, code] = inspected.stdout.trim().split(/\s+/);
  if (status === 'running' || status === 'created' || status === 'restarting') return { alive: true };
  return { alive: false, reason: `container ${record.container} ${status ?? 'stopped'} (exit code ${code ?? '?'})` };
}

/** docker stop, the full log saved (the lane's record once the container is gone), docker rm, the port free. */
async function removeContainer(record: LaneRecord): Promise<void> {
  const name = record.container!;
  const stopped = await dockerQuiet(record.id, ['stop', '-t', String(Math.ceil(record.stopTimeoutS)), name]);
  if (!stopped.ok && !/No such container/i.test(stopped.error.message)) throw stopped.error;
  await saveLog(record.id, name, record.logPath);
  const removed = await dockerQuiet(record.id, ['rm', name]);
  if (!removed.ok && !/No such container/i.test(removed.error.message)) throw removed.error;
  if (!(await waitFor(async () => !(await portOpen(record.host, record.port)), PORT_RELEASE_MS, 25))) {
    throw new LaneError(record.id, 'failed', `container ${name} stopped but port ${record.port} still accepts connections`);
  }
}

export function containerDriver(opts: {
  argv(spec: LaneSpec): string[];
  probe(spec: LaneSpec, record: LaneRecord): Promise<Probe>;
  metricsPath: string | null;
  /** Host folders the container mounts: made beforehand as the invoking user (Docker would make them as root). */
  hostDirs?(spec: LaneSpec): string[];
  /** What the kind learns about its image before its command is built (e.g. vLLM's entrypoint). */
  prepare?(spec: LaneSpec): Promise<void>;
}): LaneDriver {
  return {
    managed: true,
    persistent: true,
    livenessEveryMs: 1000,
    metricsPath: opts.metricsPath,
    hasProps: false,
    command: opts.argv,
    probe: opts.probe,
    prepare: opts.prepare,

    preflight: (spec) => imagePreflight(spec, opts.prepare),
    launch: (spec, logPath) => launchContainer(spec, logPath, opts.argv(spec), opts.hostDirs?.(spec) ?? []),
    liveness: containerLiveness,

    async outputTail(record) {
      const logs = await dockerQuiet(record.id, ['logs', '--tail', '20', record.container!], { interleaved: true });
      return logs.ok ? logs.stdout : '';
    },

    terminate: removeContainer,
  };
}
