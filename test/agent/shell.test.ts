import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runShell, shellAvailable } from '../../src/agent/shell.js';
import { createToolbox } from '../../src/agent/tools.js';
import { openSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';

// Runs where bubblewrap works (it does on the dev and CI machines); elsewhere run_shell is not offered at all.
const available = await shellAvailable();
if (!available) console.log('skipping run_shell tests: bubblewrap cannot build a sandbox here');

describe.runIf(available)('run_shell inside bubblewrap', () => {
  let root: string;
  let sandbox: Sandbox;
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

  beforeEach(async () => {
    root = tempDir('bb-shell-', '/tmp');
    writeFileSync(join(root, 'input.txt'), 'three\nlines\nhere\n');
    sandbox = await openSandbox({ workDir: root });
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('is offered as a tool and runs in /work, where it can write', async () => {
    const toolbox = createToolbox(root, { shell: true });
    const r = await toolbox.call('run_shell', JSON.stringify({ command: 'pwd; wc -l < input.txt; echo made > out.txt' }));
    await toolbox.close();
    expect(r).toEqual({ ok: true, content: 'exit code 0\n/work\n3\n', escape: false });
    expect(readFileSync(join(root, 'out.txt'), 'utf8')).toBe('made\n');
  });

  it('sees only the allow-listed system, cannot write it, and gets none of the caller environment', async () => {
    process.env.BB_TEST_SECRET = 'sk-should-not-leak';
    const r = await runShell(sandbox, 'ls /; echo pwned > /usr/pwned; echo "secret=[$BB_TEST_SECRET]"; env | sort');
    delete process.env.BB_TEST_SECRET;
    expect(r.ok).toBe(true);
    // Readable system, read-only; stdout and stderr in order; the refusal counts as an escape attempt.
    expect(r.content).toMatch(
      /^exit code 0\nbin\ndev\netc\nlib\nlib64\nproc\nsbin\ntmp\nusr\nwork\n.*Read-only file system\nsecret=\[\]\nHOME=\/work\nLANG=C.UTF-8\nPATH=[^\n]*\nPWD=\/work\n\n\[sandbox refused: a write outside the working folder\]$/s,
    );
    expect(r.escape).toBe(true);
  });

  it('has no network: only the loopback device, and the host port is unreachable', async () => {
    const r = await runShell(
      sandbox,
      `tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; bash -c 'echo hi > /dev/tcp/127.0.0.1/${port}' 2>/dev/null && echo CONNECTED || echo REFUSED`,
    );
    // The network devices (loopback only), then the connect attempt.
    expect(r.content).toBe('exit code 0\nlo\nREFUSED\n');
    expect(connections).toBe(0);
  });

  it('cannot make a user namespace of its own', async () => {
    const r = await runShell(sandbox, 'unshare -U true && echo MADE || echo REFUSED');
    expect(r.content).toMatch(/REFUSED\n$/);
  });

  it('kills a command that runs past the limit, with everything it started', async () => {
    const r = await runShell(sandbox, '(while true; do echo t >> /work/tick; sleep 0.05; done) & sleep 60', { timeoutMs: 800 });
    expect(r.ok).toBe(false);
    expect(r.content).toMatch(/^ERROR: command timed out after 0.8 s/);
    const size = statSync(join(root, 'tick')).size;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statSync(join(root, 'tick')).size).toBe(size);
  });

  it('kills the command when the attempt is aborted', async () => {
    const abort = new AbortController();
    const pending = runShell(sandbox, 'sleep 60', { timeoutMs: 60_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    const r = await pending;
    expect(r.content).toMatch(/^ERROR: the attempt ended/);
  });

  it('caps the output', async () => {
    const r = await runShell(sandbox, 'head -c 100000 /dev/zero | tr "\\0" x');
    expect(r.content).toMatch(/\[truncated: showing the first 16384 characters of 100000 bytes\]$/);
  });
});
