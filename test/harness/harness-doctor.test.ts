// `brainbench doctor`'s harness lines (src/harness/doctor.ts): a CLI on PATH is run once in the
// sandbox, as a trial runs it, and what fails there is reported — not a ✓ for being on PATH.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessDoctorChecks } from '../../src/harness/doctor.js';
import { PRESETS_FILE } from '../../src/harness/presets.js';
import type { HarnessSpec } from '../../src/harness/spec.js';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';

const bwrap = await sandboxAvailable();
if (!bwrap) console.log('skipping the sandboxed harness doctor checks: bubblewrap cannot build a sandbox here');

/** A folder of fake CLIs the sandbox's uid can read (tests' TMPDIR is private). */
function bin(scripts: Record<string, string>): NodeJS.ProcessEnv {
  const dir = tempDir('bb-doctor-bin-', '/tmp');
  chmodSync(dir, 0o755);
  for (const [name, body] of Object.entries(scripts)) writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return { PATH: `${dir}:/usr/bin:/bin` };
}

const spec = (id: string, program: string, source = '/etc/lanes.yaml'): HarnessSpec => ({
  id, command: [program, '{prompt}'], api: 'openai', env: {}, files: {}, source, install: `npm install -g ${program}`,
});

describe('harness doctor checks', () => {
  it('a missing CLI is ✗ with how to install it; it counts only when lanes.yaml declared it', async () => {
    const [declared, preset] = await harnessDoctorChecks([spec('a', 'no-such-cli'), spec('b', 'no-such-cli', PRESETS_FILE)], { PATH: '/nonexistent' });
    expect(declared).toEqual({ ok: false, needed: true, text: 'harness a: no-such-cli not installed — npm install -g no-such-cli' });
    expect(preset).toMatchObject({ ok: false, needed: false });
  });

  it.runIf(bwrap)('runs each CLI once in the sandbox: its version when it starts, what it printed when it fails', async () => {
    const env = bin({
      'good-cli': 'echo "good-cli 1.2.3"; echo "second line"',
      'broken-cli': "echo \"Error: Cannot find module 'undici'\" >&2; exit 4",
      // only what a trial's sandbox shows: no host HOME, a private one
      'nosy-cli': 'test -e /root/.bashrc && exit 9; test "$HOME" = /home/agent || exit 8; echo nosy 1',
    });
    const [good, broken, nosy] = await harnessDoctorChecks([spec('good', 'good-cli'), spec('broken', 'broken-cli'), spec('nosy', 'nosy-cli')], env);
    expect(good).toEqual({ ok: true, needed: true, text: `harness good: good-cli 1.2.3 at ${join(env.PATH!.split(':')[0]!, 'good-cli')}, starts in the sandbox` });
    expect(broken!.ok).toBe(false);
    expect(broken!.text).toContain("fails in the sandbox: --version exited 4: Error: Cannot find module 'undici'");
    expect(nosy, nosy!.text).toMatchObject({ ok: true });
  });

  it.runIf(bwrap)('runs it under the harness\'s own address-space bound', async () => {
    // a 1 GiB RLIMIT_AS: a program that maps 2 GiB fails; with the bound raised it starts
    const env = bin({ 'big-cli': 'exec /usr/bin/env node -e "new ArrayBuffer(2 * 1024 ** 3); console.log(\'big 1\')"' });
    const small = { ...spec('big', 'big-cli'), limits: { address_space_gb: 1 } };
    const [tight] = await harnessDoctorChecks([small], env);
    expect(tight!.ok, tight!.text).toBe(false);
    const [roomy] = await harnessDoctorChecks([{ ...small, limits: { address_space_gb: 32 } }], env);
    expect(roomy!.ok, roomy!.text).toBe(true);
  });
});
