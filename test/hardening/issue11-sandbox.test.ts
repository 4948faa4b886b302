// Issue 11, the families a model plays through run_shell and the file tools (test/hardening/
// familyShell.ts, familyInstalls.ts; `npm run chaos` runs the same code and prints the rows).
// Each family returns the problems it found; a case with none was handled as DESIGN §5 wants.
import { afterAll, describe, expect, it } from 'vitest';
import { shellAvailable } from '../../src/agent/shell.js';
import type { FamilyRow } from './families.js';
import { hiddenInstalls } from './familyInstalls.js';
import { fifoTools, hostSockets, slowShells } from './familyShell.js';
import { removeTempDirs } from './harness.js';

const shell = await shellAvailable();
if (!shell) console.log('skipping the run_shell families: bubblewrap is not available here');

afterAll(removeTempDirs);

function expectHandled(row: FamilyRow): void {
  expect(row.problems).toEqual([]);
  expect(row.injected).toBeGreaterThan(0);
  expect(row.handled).toBe(row.injected);
  expect(row.lost).toBe(0);
}

describe.runIf(shell)('a hostile model in run_shell and the file tools', () => {
  it('finds nothing of the suite, answer key, lanes.yaml or results installed outside the home folders, and is not graded pass', async () => {
    const row = await hiddenInstalls(shell);
    expectHandled(row);
    // as root /opt + /srv and a global install under /usr/local; else one world-readable folder
    expect(row.injected).toBe(process.getuid?.() === 0 ? 2 : 1);
  });

  it('cannot connect to a host unix socket (in /tmp, /run, a docker.sock, abstract)', async () => {
    expectHandled(await hostSockets(shell));
  }, 90_000);

  it('a FIFO made by run_shell, opened by read_file, write_file and grep, does not hang the attempt', async () => {
    expectHandled(await fifoTools(shell));
  }, 90_000);

  it('eight slow shell calls in one turn end with the attempt timeout, the rest of the turn not run', async () => {
    expectHandled(await slowShells(shell, 2));
  }, 90_000);
});
