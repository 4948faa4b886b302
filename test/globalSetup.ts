// Every test run gets its own temp root: os.tmpdir() (TMPDIR), the per-attempt scratch root and
// the XDG state and config folders point into it, for the test processes and every child they
// start. Tests remove what they make (test/helpers/tmp.ts does it for them) and stop what they
// start. At the end, anything a test left behind, a temp entry or a process still running, is
// named, removed or killed, and fails the run.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Marks every process a test run starts (children inherit it), so strays can be found at the end. */
const RUN_MARK = 'BRAINBENCH_TEST_RUN';
/** tsx's own compile cache (tsx-<uid>), made by every CLI child: the tool's, not a test's. */
const TOOL_CACHE = /^tsx-\d+$/;
/** The run's stand-ins for ~/.local/state, ~/.config and tmux's socket folder (ours, not a leftover). */
const HOME_DIRS = 'xdg-home';

/** Processes other than this one and its test workers (its children) that carry this run's mark. */
function strays(mark: string): { pid: number; ppid: number; cmd: string }[] {
  const found: { pid: number; ppid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${RUN_MARK}=${mark}`)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]);
      if (ppid === process.pid) continue; // a test worker still closing; what tests start are its children
      found.push({ pid, ppid, cmd });
    } catch {
      // gone already, or not ours to read
    }
  }
  return found;
}

/** A few names inside a leftover folder (the run ids a test file left). */
function listing(dir: string): string {
  try {
    return readdirSync(dir).slice(0, 8).join(' ');
  } catch {
    return '';
  }
}

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'brainbench-tests-'));
  const scratch = join('/dev/shm', `brainbench-tests-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  process.env.TMPDIR = root;
  process.env.BRAINBENCH_SCRATCH_DIR = scratch;
  process.env.BRAINBENCH_TEST_SCRATCH = scratch; // test/fileScratch.ts gives each file a folder in it
  process.env[RUN_MARK] = root;
  // Lane state and config default to the user's own folders: tests neither read a developer's
  // lanes.yaml or resident lanes there nor write into them.
  process.env.XDG_STATE_HOME = join(root, HOME_DIRS, 'state');
  process.env.XDG_CONFIG_HOME = join(root, HOME_DIRS, 'config');
  // A tmux server of the run's own (tmux ignores TMPDIR; inside tmux, $TMUX would pick the user's).
  process.env.TMUX_TMPDIR = join(root, HOME_DIRS);
  delete process.env.TMUX;
  // a stop's wait for unified memory to come back (issue 16) is off: other tests' memory would blur it
  process.env.BRAINBENCH_MEMORY_WAIT_S = '0';
  mkdirSync(process.env.TMUX_TMPDIR, { recursive: true });
  return () => {
    const problems: string[] = [];
    const running = strays(root);
    for (const { pid } of running) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    if (running.length) problems.push(`${running.length} processes left running by tests (killed):\n  ${running.map((p) => `pid ${p.pid} (parent ${p.ppid}): ${p.cmd.slice(0, 160)}`).join('\n  ')}`);
    const left = readdirSync(root).filter((name) => name !== HOME_DIRS && !TOOL_CACHE.test(name));
    if (left.length) problems.push(`${left.length} temp entries left by tests (removed): ${left.join(', ')}`);
    const scratchLeft = readdirSync(scratch);
    if (scratchLeft.length) problems.push(`scratch roots left in ${scratch} (removed), by test file: ${scratchLeft.map((e) => `${e} [${listing(join(scratch, e))}]`).join(', ')}`);
    rmSync(root, { recursive: true, force: true, maxRetries: 5 });
    rmSync(scratch, { recursive: true, force: true, maxRetries: 5 });
    // Thrown, vitest reports it and exits non-zero: a test that leaks fails the run.
    if (problems.length) throw new Error(`[globalSetup] ${problems.join('\n')}\nMake temp folders with tempDir() from test/helpers/tmp.ts and stop every child a test starts.`);
  };
}
