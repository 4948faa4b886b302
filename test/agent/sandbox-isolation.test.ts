// The sandbox's bounds hold per sandbox: what one exhausts (processes, memory, the work folder)
// leaves a parallel one working; /tmp is private, writable and capped. Real bubblewrap.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSandbox, sandboxAvailable, type Sandbox, type SandboxLimits } from '../../src/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';

const available = await sandboxAvailable();
if (!available) console.log('skipping sandbox isolation tests: bubblewrap cannot build a sandbox here');

const open: Sandbox[] = [];

async function sandbox(limits: Partial<SandboxLimits> = {}): Promise<{ box: Sandbox; root: string }> {
  const root = tempDir('bb-iso-', '/tmp');
  const box = await openSandbox({ workDir: root, limits });
  open.push(box);
  return { box, root };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

describe.runIf(available)('one sandbox cannot spend another one\'s limits', () => {
  it('has a private /tmp the sandbox user can write, capped in size', async () => {
    const { box } = await sandbox({ tmpBytes: 4 * 1024 ** 2 });
    const r = await box.run('echo hi > /tmp/a && cat /tmp/a; head -c 8000000 /dev/zero > /tmp/big; stat -c %s /tmp/big', { timeoutMs: 10_000 });
    expect(r.output).toMatch(/^hi\n.*No space left on device\n(\d+)\n$/s);
    expect(Number(/(\d+)\n$/.exec(r.output)![1])).toBeLessThanOrEqual(4 * 1024 ** 2);
  });

  it('a fork bomb in one sandbox leaves a parallel one able to start processes', async () => {
    const bomb = await sandbox();
    const innocent = await sandbox();
    const abort = new AbortController();
    // Takes every process it may have (the inner shell dies on the first failed fork), says so, holds them.
    const held = bomb.box.run("sh -c 'for i in $(seq 200); do sleep 60 & done' 2>/dev/null; touch /work/full; exec sleep 60", {
      timeoutMs: 60_000,
      signal: abort.signal,
    });
    await until(() => existsSync(join(bomb.root, 'full')));
    const r = await innocent.box.run('for i in $(seq 50); do /bin/true || exit 1; done; echo done', { timeoutMs: 30_000 });
    abort.abort();
    expect((await held).aborted).toBe(true);
    expect(r).toMatchObject({ code: 0, output: 'done\n' });
  });

  it('a memory bomb is stopped, and a parallel sandbox still gets memory', async () => {
    const bomb = await sandbox({ memoryBytes: 512 * 1024 ** 2 });
    const innocent = await sandbox({ memoryBytes: 512 * 1024 ** 2 });
    const [big, small] = await Promise.all([
      bomb.box.run(['perl', '-e', '$x = "x" x (2 * 1024 ** 3); print "alive\\n"'], { timeoutMs: 30_000 }),
      innocent.box.run(['perl', '-e', '$x = "x" x (64 * 1024 ** 2); print "alive\\n"'], { timeoutMs: 30_000 }),
    ]);
    expect(big.code).not.toBe(0);
    expect(big.output).toMatch(/Out of memory/);
    expect(small).toMatchObject({ code: 0, output: 'alive\n' });
  });

  it('a disk fill is stopped at the work-folder cap while a parallel sandbox still writes', async () => {
    const filler = await sandbox({ workBytes: 16 * 1024 ** 2 });
    const innocent = await sandbox({ workBytes: 16 * 1024 ** 2 });
    const [fill, write] = await Promise.all([
      filler.box.run('i=0; while true; do head -c 1000000 /dev/zero > f$i; i=$((i+1)); done', { timeoutMs: 60_000 }),
      innocent.box.run('head -c 4000000 /dev/zero > data && stat -c %s data', { timeoutMs: 60_000 }),
    ]);
    expect(fill).toMatchObject({ timedOut: false, overCap: 'the work folder grew past 16 MB' });
    expect(write).toMatchObject({ code: 0, output: '4000000\n', overCap: null });
  });

  it('a single file cannot outgrow the work-folder cap (RLIMIT_FSIZE)', async () => {
    const { box } = await sandbox({ workBytes: 8 * 1024 ** 2 });
    const r = await box.run('head -c 20000000 /dev/zero > big; stat -c %s big', { timeoutMs: 30_000 });
    expect(r.output).toMatch(/File size limit exceeded/);
  });
});
