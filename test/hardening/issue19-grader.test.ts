// Issue 19: the grader is the model's target. A model that plants files (a hostile solve.sh run by
// the oracle harness, test/hardening/familyTasks.ts) must not change a verdict, hang brainbench or
// get host content into a record; task folders and a prompt suite's scratch/ are untrusted input;
// the recording proxy holds a bounded amount whatever flows through it. `npm run chaos` prints the
// same families as rows (plus the limits no grader rule can stop, reported there, not asserted).
// One set of CLI runs, as root and as uid 65534 where brainbench runs as root, serves every case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAvailable } from '../../src/sandbox/sandbox.js';
import type { FamilyRow } from './families.js';
import { hostileFolders, isRoot, leaks, proxyFlood, sandboxPytest, sigtermMidTrial, taskFamilies, whoAll, type TaskFamilies, type TaskFamily } from './familyTasks.js';
import { removeTempDirs } from './harness.js';

const bwrap = await sandboxAvailable();
if (!bwrap) console.log('skipping the issue 19 task families: bubblewrap cannot build a sandbox here');
if (bwrap && !sandboxPytest()) console.log("skipping the pytest-config family: the sandbox's /usr/bin/python3 has no pytest");

afterAll(removeTempDirs);

const ASSERTED: TaskFamily[] = ['path', 'home', 'pytest', 'git', 'reward', 'leftover', 'many'];
const who = whoAll();
if (isRoot && who.length < 2) console.log('uid 65534 cannot run node here: the families run as root only');

let tasks: TaskFamilies;
let folders: FamilyRow;
let sigterm: FamilyRow;

beforeAll(async () => {
  // a hang on a blocking reward read costs a stall bound per hostile case: generous for a regression
  const trials = bwrap ? Promise.all([taskFamilies({ families: ASSERTED, who, many: 25_000 }), sigtermMidTrial({ who })]) : null;
  folders = await hostileFolders({ who });
  if (trials) [tasks, sigterm] = await trials;
}, 400_000);

function expectHolds(row: FamilyRow | undefined): void {
  expect(row).toBeDefined();
  expect(row!.problems).toEqual([]);
  expect(row!.injected).toBeGreaterThan(0);
  expect(row!.handled).toBe(row!.injected);
  expect(row!.lost).toBe(0);
}

const rowOf = (family: TaskFamily) => tasks.byFamily[family];

describe.runIf(bwrap)(`a model that plants files does not change a verdict (as ${who.map((w) => w.label).join(' and ')})`, () => {
  it('a bash, python3, pytest, env (and every tool test.sh runs) planted on a workspace PATH entry, relative or empty, is never run by the grader', () => {
    expectHolds(rowOf('path'));
  });

  it('HOME dotfiles, ~/.local/bin/env, usercustomize.py and .pth in the user site, and BASH_ENV/ENV/PYTHON* in brainbench\'s own environment do not reach the grader', () => {
    expectHolds(rowOf('home'));
  });

  it.runIf(sandboxPytest())('pytest run on tests copied into the workspace ignores a planted conftest.py, pytest.ini and pyproject.toml', () => {
    expectHolds(rowOf('pytest'));
  });

  it('git run by test.sh on the workspace does not run the repo\'s core.fsmonitor, pager or hooks', () => {
    expectHolds(rowOf('git'));
  });

  it('reward.txt / reward.json as a FIFO, a link to /dev/zero or a host secret, a directory or a sparse file: grader_error, no hang, no host content', () => {
    const row = rowOf('reward');
    expectHolds(row);
    expect(tasks.verdicts.filter((v) => v.family === 'reward').every((v) => v.outcome === 'grader_error')).toBe(true);
  });

  it('a process the agent leaves behind is gone before the grader runs, and none is left on the host', () => {
    expectHolds(rowOf('leftover'));
  });

  it('25,000 files in the workspace: no pass, no hang', () => {
    expectHolds(rowOf('many'));
  });

  it('SIGTERM during the agent step of a trial whose grader then meets a FIFO reward: brainbench stops, no SIGKILL needed', () => {
    expectHolds(sigterm);
  });

});

describe('untrusted suites', () => {
  it('hostile task folders (links out, FIFOs, a device, timeout_sec = 1e7 or inf) are refused naming the file; a FIFO in scratch/ never blocks loading', () => {
    expectHolds(folders);
  });
});

describe('the recording proxy under a flood', () => {
  it('40 requests of 4 MB leave a bounded amount held, not every body', async () => {
    expectHolds(await proxyFlood({ requests: 40, mb: 4 }));
  }, 120_000);
});

describe('the leak check itself', () => {
  it('sees any ten characters running of the secret, as a JSON error quoting its start does', () => {
    const secret = '0123456789abcdef0123456789abcdef';
    expect(leaks('reward.json is not JSON: Unexpected token, "0123456789"... is not valid JSON', secret)).toBe(true);
    expect(leaks(`x${secret.slice(7, 17)}y`, secret)).toBe(true);
    expect(leaks('reward.txt is a symbolic link: refused', secret)).toBe(false);
    expect(leaks(secret.slice(0, 9), secret)).toBe(false);
  });
});
