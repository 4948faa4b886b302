// An NVIDIA NIM container (DESIGN §3): ready on /v1/health/ready; the model name comes from /v1/models.
import type { LaneSpec } from '../manifest.js';
import { userHome } from '../userDirs.js';
import { httpGet, modelIds } from '../net.js';
import { containerDriver, containerName, envFlags, publishFlag } from './container.js';
import { laneUrl } from './urls.js';

const nimCache = () => `${userHome()}/.cache/nim`;

/**
 * The invoking user, for `-u`: NIM's own docs run the container as the user who owns the cache
 * folder (the image's user cannot write a folder Docker created as root). None where there is no uid.
 */
function userFlag(): string[] {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return uid === undefined || gid === undefined ? [] : ['-u', `${uid}:${gid}`];
}

export function nimArgv(spec: LaneSpec): string[] {
  // NGC_API_KEY is always passed through (the container downloads its model with it).
  const env = ['NGC_API_KEY', ...Object.keys(spec.env).filter((name) => name !== 'NGC_API_KEY')];
  return [
    'docker', 'run', '-d',
    '--name', containerName(spec.id),
    '--gpus', 'all',
    '--shm-size=16g',
    ...envFlags(env),
    '-v', `${nimCache()}:/opt/nim/.cache`,
    ...userFlag(),
    ...publishFlag(spec),
    // a nim lane's args are extra docker run flags: NIM is configured by environment, not flags
    ...spec.args,
    spec.image!,
  ];
}

export const nimDriver = containerDriver({
  argv: nimArgv,
  metricsPath: null,
  hostDirs: () => [nimCache()],
  async probe(spec, record) {
    const health = await httpGet(laneUrl(record, '/v1/health/ready'), { timeoutMs: 1000 });
    if (health?.status !== 200) return { ready: false, detail: health ? `/v1/health/ready answers ${health.status}` : 'port not open yet' };
    const models = await httpGet(laneUrl(record, '/v1/models'), { timeoutMs: 1000 });
    const model = spec.model ?? modelIds(models?.body)[0];
    return model ? { ready: true, model } : { ready: false, detail: '/v1/models lists no model yet' };
  },
});
