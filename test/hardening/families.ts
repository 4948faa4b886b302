// Issue 11's families (the "Why" list), each thrown at brainbench through its real code paths: the
// real runner in-process against a scripted hostile lane, or the real CLI where a flag, a terminal
// or a file location is the point. `npm run chaos` prints one row per family; the tests in this
// folder run the cheap ones and assert the same problems list is empty.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli } from '../helpers/cli.js';
import { caseTag, startHostileLane, type HostileScript, type HostileTurn, type TurnContext } from './hostileLane.js';
import { runScenario, tempDir, type ScenarioResult } from './harness.js';

export interface FamilyRow {
  family: string;
  injected: number;
  /** Injected cases that were handled as they must be (no problem found). */
  handled: number;
  /** Runs that completed / runs started ('-' where none). */
  runs: string;
  /** Planned attempts with no journal record. */
  lost: number;
  note: string;
  /** Why a case was not handled; empty when every one was. */
  problems: string[];
}

export interface SuitePrompt {
  id: string;
  check?: Record<string, unknown>;
  category?: string;
  turn_budget?: number;
  conditional?: string;
}

export interface SuiteFiles {
  /** Files of scratch/, by relative path. */
  scratch?: Record<string, string>;
  groundTruth?: Record<string, unknown>;
  /** Written beside prompts.jsonl as it is in brainbench's own suites. */
  solutions?: unknown;
}

/** A suite folder whose prompts name their case (`[case id]`) for the hostile lane. */
export function writeSuite(dir: string, prompts: SuitePrompt[], files: SuiteFiles = {}): string {
  mkdirSync(join(dir, 'scratch'), { recursive: true });
  for (const [rel, text] of Object.entries(files.scratch ?? { 'notes.txt': 'nothing here\n' })) {
    mkdirSync(join(dir, 'scratch', rel, '..'), { recursive: true });
    writeFileSync(join(dir, 'scratch', rel), text);
  }
  if (files.groundTruth) writeFileSync(join(dir, 'ground_truth.json'), JSON.stringify(files.groundTruth));
  if (files.solutions) writeFileSync(join(dir, 'solutions.json'), JSON.stringify(files.solutions));
  const lines = prompts.map((p) =>
    JSON.stringify({ prompt: `Chaos ${caseTag(p.id)}: do as you please.`, category: 'chaos', core: false, check: { kind: 'honesty' }, ...p }),
  );
  writeFileSync(join(dir, 'prompts.jsonl'), `${lines.join('\n')}\n`);
  return dir;
}

export const shellCall = (command: string) => ({ name: 'run_shell', args: { command } });
export const call = (name: string, args: Record<string, unknown>) => ({ name, args });

/** A script that takes the given turns, then answers with everything its tools said (a peeking model). */
export function turns(...steps: HostileTurn[]): (ctx: TurnContext) => HostileTurn {
  return ({ turn, all }) => steps[turn - 1] ?? { answer: all.join('\n') };
}

export interface HostileRun extends ScenarioResult {
  requests: Record<string, number>;
}

/** The suite through the real runner against the hostile lane playing `script`. */
export async function runHostile(
  prompts: SuitePrompt[],
  script: HostileScript,
  opts: { files?: SuiteFiles; timeoutS?: number; parallel?: number; shell: boolean },
): Promise<HostileRun> {
  const lane = await startHostileLane(script);
  try {
    const suitePath = writeSuite(tempDir('bb-chaos-suite-'), prompts, opts.files);
    const result = await runScenario({
      suitePath,
      laneUrl: lane.url,
      enabled: opts.shell ? ['shell'] : [],
      timeoutS: opts.timeoutS ?? 30,
      idleTimeoutS: 10,
      ...(opts.parallel && { parallel: opts.parallel }),
    });
    return { ...result, requests: lane.requests };
  } finally {
    await lane.close();
  }
}

/** A row from the cases injected and the problems found (a case with any problem is not handled). */
export function row(family: string, cases: string[], problems: string[], extra: { runs: string; lost: number; note: string }): FamilyRow {
  const broken = new Set(cases.filter((c) => problems.some((p) => p.startsWith(`${c}:`))));
  const general = problems.some((p) => !cases.some((c) => p.startsWith(`${c}:`)));
  return { family, injected: cases.length, handled: general ? 0 : cases.length - broken.size, ...extra, problems };
}

/** A row for a family that cannot run here, with the reason. */
export function notRun(family: string, why: string): FamilyRow {
  return { family, injected: 0, handled: 0, runs: '-', lost: 0, note: `not run: ${why}`, problems: [] };
}

/** What must never reach a terminal or Markdown from a model or a lane: ESC, BEL, the C1 CSI, CR. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const ESCAPES = /[\u001b\u0007\u009b\r]/;

export interface CliResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The real brainbench CLI as a child process, its output as text. */
export async function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const r = await spawnCli(args, { env });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), timedOut: r.timedOut };
}
