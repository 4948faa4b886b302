import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runShell, shellAvailable } from '../../src/agent/shell.js';
import { createToolbox } from '../../src/agent/tools.js';

// Runs where bubblewrap works (it does on the dev and CI machines); elsewhere run_shell is not offered at all.
const available = await shellAvailable();

describe.runIf(available)('run_shell inside bubblewrap', () => {
  let root: string;
  // Outside /tmp, /home and /root, so the sandbox sees it (read-only) rather than a tmpfs.
  let outsideDir: string;
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((socket) => {
      connections++;
      socket.end('hello\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    root = realpathSync(mkdtempSync('/tmp/bb-shell-'));
    outsideDir = realpathSync(mkdtempSync('/var/tmp/bb-shell-outside-'));
    // Readable by everyone: a brainbench running as root runs the sandbox as nobody.
    chmodSync(outsideDir, 0o755);
    writeFileSync(join(outsideDir, 'canary.txt'), 'untouched');
    writeFileSync(join(root, 'input.txt'), 'three\nlines\nhere\n');
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outsideDir, { recursive: true, force: true });
  });

  it('is offered as a tool and runs in /work, where it can write', async () => {
    const toolbox = createToolbox(root, { shell: true });
    const r = await toolbox.call('run_shell', JSON.stringify({ command: 'pwd; wc -l < input.txt; echo made > out.txt' }));
    expect(r).toEqual({ ok: true, content: 'exit code 0\n/work\n3\n', escape: false });
    expect(readFileSync(join(root, 'out.txt'), 'utf8')).toBe('made\n');
  });

  it('cannot write outside /work, and does not see /home, /root or the caller environment', async () => {
    process.env.BB_TEST_SECRET = 'sk-should-not-leak';
    const canary = join(outsideDir, 'canary.txt');
    const r = await runShell(
      root,
      `cat ${canary}; echo pwned > ${canary}; echo new > ${outsideDir}/new.txt; ls -A /home /root; echo "secret=[$BB_TEST_SECRET]"`,
    );
    delete process.env.BB_TEST_SECRET;
    expect(r.ok).toBe(true);
    // Readable but read-only; the output keeps stdout and stderr in order; the refusal counts as an escape attempt.
    expect(r.content).toMatch(
      /^exit code 0\nuntouched.*Read-only file system\n.*Read-only file system\n\/home:\n\n\/root:\nsecret=\[\]\n\n\[sandbox refused: a write outside the working folder\]$/,
    );
    expect(r.escape).toBe(true);
    expect(readFileSync(canary, 'utf8')).toBe('untouched');
    expect(existsSync(join(outsideDir, 'new.txt'))).toBe(false);
  });

  it('has no network: only the loopback device, and the host port is unreachable', async () => {
    const r = await runShell(
      root,
      `tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; bash -c 'echo hi > /dev/tcp/127.0.0.1/${port}' 2>/dev/null && echo CONNECTED || echo REFUSED`,
    );
    // The network devices (loopback only), then the connect attempt.
    expect(r.content).toBe('exit code 0\nlo\nREFUSED\n');
    expect(connections).toBe(0);
  });

  it('kills a command that runs past the limit, with everything it started', async () => {
    const started = Date.now();
    const r = await runShell(root, '(while true; do echo t >> /work/tick; sleep 0.05; done) & sleep 60', 800);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.ok).toBe(false);
    expect(r.content).toMatch(/^ERROR: command timed out after 0.8 s/);
    const size = statSync(join(root, 'tick')).size;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statSync(join(root, 'tick')).size).toBe(size);
  });

  it('caps the output', async () => {
    const r = await runShell(root, 'head -c 100000 /dev/zero | tr "\\0" x');
    expect(r.content).toMatch(/\[truncated: showing the first 16384 of \d+ characters\]$/);
  });
});
