// The README's commands work from any folder: the CLI finds its shipped lanes.yaml and built-in
// suite next to its own install, not in the current folder.
import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

// `--import tsx` would resolve tsx from the current folder, which here is not the repo.
const tsx = join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs');

describe('brainbench from another folder', () => {
  it('finds the lanes.yaml shipped with it when the folder and the config dir have none', async () => {
    const dir = tempDir('bb-anywhere-');
    const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), BRAINBENCH_STATE_DIR: join(dir, 'state'), BRAINBENCH_LANES: '' };
    const lanes = await execa(process.execPath, ['--import', tsx, join(repoRoot, 'src/cli.ts'), 'lanes'], { cwd: dir, env, reject: false });
    expect(lanes.stderr).toBe('');
    expect(lanes.exitCode).toBe(0);
    expect(lanes.stdout).toContain('qwen3-30b-moe-llamacpp-q4km');
    expect(lanes.stdout).toMatch(/^demo\s+demo/m);
  });
});
