// Per-sandbox uids (root only) are leased in one folder every brainbench process of the box shares,
// beside the default scratch roots (/dev/shm/brainbench-0/uid-leases) and never under a per-test or
// per-run override, so two processes never hand out the same uid.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { defaultScratchParent } from '../../src/run/scratch-root.js';
import { leaseUid, releaseUid, SLOT_UID_BASE, SLOT_UID_COUNT } from '../../src/sandbox/uidPool.js';
import { repoRoot } from '../helpers/cli.js';

const root = process.getuid?.() === 0;
const shm = defaultScratchParent();
if (!root || !shm) console.log('skipping the uid lease tests: they need root and /dev/shm (leases are only taken as root)');

describe.runIf(root && shm)('uid leases', () => {
  const leases = join(shm!, 'uid-leases');

  it('live in the shared folder beside the default scratch roots, whatever BRAINBENCH_SCRATCH_DIR says', () => {
    expect(process.env.BRAINBENCH_SCRATCH_DIR).toBeTruthy(); // the tests' own scratch root (globalSetup)
    const uid = leaseUid();
    try {
      expect(uid).toBeGreaterThanOrEqual(SLOT_UID_BASE);
      expect(uid).toBeLessThan(SLOT_UID_BASE + SLOT_UID_COUNT);
      expect(readFileSync(join(leases, String(uid)), 'utf8')).toBe(String(process.pid));
    } finally {
      releaseUid(uid);
    }
    expect(existsSync(join(leases, String(uid)))).toBe(false);
  });

  it('two processes with different scratch overrides never hold the same uid', async () => {
    const mine = leaseUid();
    try {
      const script = `import { leaseUid } from ${JSON.stringify(join(repoRoot, 'src/sandbox/uidPool.ts'))};
console.log(leaseUid());`;
      const other = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: repoRoot,
        env: { BRAINBENCH_SCRATCH_DIR: '/dev/shm/bb-elsewhere-never-made', BRAINBENCH_STATE_DIR: '/nonexistent/bb-state' },
        timeout: 25_000,
      });
      const theirs = Number(String(other.stdout).trim());
      expect(theirs).toBeGreaterThanOrEqual(SLOT_UID_BASE);
      expect(theirs).not.toBe(mine);
      expect(existsSync(join(leases, String(theirs)))).toBe(false); // given back when that process exited
    } finally {
      releaseUid(mine);
    }
  });
});
