// Issue 11's families in the order of its "Why" list: what `npm run chaos` runs, one row each.
import type { FamilyRow } from './families.js';
import { hiddenInstalls } from './familyInstalls.js';
import { absurdFlags, escapeText, pathIds } from './familyNames.js';
import { regexCheck, stoppedRun, toolFlood } from './familyRun.js';
import { bombs, fifoTools, hostSockets, slowShells } from './familyShell.js';

export function issue11Families(shell: boolean, opts: { stopS: number }): (() => Promise<FamilyRow>)[] {
  return [
    () => hiddenInstalls(shell),
    () => hostSockets(shell),
    () => fifoTools(shell),
    () => slowShells(shell),
    toolFlood,
    () => bombs(shell),
    pathIds,
    escapeText,
    regexCheck,
    () => stoppedRun(opts.stopS),
    absurdFlags,
  ];
}
