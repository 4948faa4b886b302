import Conf from 'conf';

/** What the cockpit remembers between sessions, in the user's config dir (via conf). */
export interface Preferences {
  lastLane?: string;
  suite?: string;
  n?: number;
  /** The harnesses picked for task runs (the `h` menu), in run order. */
  harnesses?: string[];
  /** Frame-rate cap of the cockpit. */
  fps?: number;
}

export function openPreferences(): Conf<Preferences> {
  return new Conf<Preferences>({
    projectName: 'brainbench',
    projectSuffix: '',
    configName: 'preferences',
    // BRAINBENCH_CONFIG_DIR keeps tests (and odd setups) away from the user's own file
    ...(process.env.BRAINBENCH_CONFIG_DIR ? { cwd: process.env.BRAINBENCH_CONFIG_DIR } : {}),
    schema: {
      lastLane: { type: 'string' },
      suite: { type: 'string' },
      n: { type: 'number', minimum: 1 },
      harnesses: { type: 'array', items: { type: 'string' } },
      fps: { type: 'number', minimum: 1, maximum: 60 },
    },
    clearInvalidConfig: true,
  });
}
