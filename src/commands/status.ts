import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFlags, UsageError, type Command } from '../cli/args.js';
import { defaultResultsDir, runDir } from '../paths.js';
import { isRunId } from '../run/plan.js';
import { readStatus, runStateOf, statusPath, type RunStatus } from '../run/status-file.js';
import { oneLine } from '../safeText.js';

const HELP = `brainbench status — one screen of a run's progress (detached or not)

Usage:
  brainbench status [RUN_ID] [--results DIR] [--json]

Without RUN_ID, shows the newest run in results/runs/. Tells whether the run is running,
paused, stopped, done or died (and then how to resume it), which lane it is on and in what
state, attempt k of total, passes so far, the ETA and the last error. The queue marks each lane
done (✓), failed (✗, with its reason on a 'failed' line), on now (●) or still to come (·).`;

function clock(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.max(0, Math.round(seconds));
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

export function renderStatus(status: RunStatus, resultsDir: string, now = Date.now()): string {
  const state = runStateOf(status);
  const ago = Math.round((now - Date.parse(status.updatedAt)) / 1000);
  const failed = status.laneErrors ?? {};
  // done ✓, failed ✗ (to start, or crashed), the lane on now ●, still to come ·
  const mark = (id: string) => (status.lanesDone.includes(id) ? '✓' : failed[id] !== undefined ? '✗' : id === status.lane ? '●' : '·');
  const queue = status.queue.map((id) => `${id} ${mark(id)}`).join(' → ');
  const failures = Object.entries(failed).map(([id, why]) => `failed   ${oneLine(id)}: ${oneLine(why)}`);
  const lines = [
    `run ${status.runId}  ${state}${state === 'running' || state === 'paused' ? ` (pid ${status.pid})` : ''}  started ${status.startedAt.replace('T', ' ').slice(0, 19)}  updated ${ago} s ago`,
    `queue    ${queue}`,
    ...failures,
    `lane     ${oneLine(status.lane ?? '—')}  ${status.laneState ?? ''}`.trimEnd(),
    `attempt  ${status.done}/${status.total}  pass ${status.passes}  ETA ${state === 'running' ? clock(status.etaS) : '—'}  tok/s ${state === 'running' && status.tokPerSec != null ? status.tokPerSec.toFixed(1) : '—'}`,
    `last error  ${oneLine(status.lastError ?? '—')}`,
    `results  ${join(resultsDir, 'summary.md')}`,
  ];
  if (state === 'died' || state === 'stopped') {
    lines.push(`resume   brainbench run --resume ${status.runId} --results ${resultsDir}`);
  }
  return lines.join('\n');
}

/** The newest run that has started (has a status.json); a folder without one is skipped. */
export async function newestRunId(resultsDir: string): Promise<string | null> {
  let ids: string[];
  try {
    ids = (await readdir(join(resultsDir, 'runs'))).sort().reverse();
  } catch {
    return null;
  }
  for (const id of ids) if (existsSync(statusPath(runDir(resultsDir, id)))) return id;
  return null;
}

/** What to say about a run folder with no status.json: planned and never started, or not a run at all. */
function notStarted(resultsDir: string, runId: string): string {
  const dir = runDir(resultsDir, runId);
  if (!existsSync(join(dir, 'run.json'))) return `no run ${oneLine(runId)} in ${join(resultsDir, 'runs')}`;
  return `run ${oneLine(runId)} was planned but never started (no status.json in ${dir}); start it with: brainbench run --resume ${oneLine(runId)} --results ${resultsDir}`;
}

export const statusCommand: Command = {
  name: 'status',
  summary: "one screen of a run's progress: lane, attempt k/total, passes, ETA, last error",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { results: { type: 'string' }, json: { type: 'boolean' } }, true);
    const resultsDir = values.results ?? defaultResultsDir();
    if (positionals[0] !== undefined && !isRunId(positionals[0])) {
      throw new UsageError(`RUN_ID is a run id like 20261122-221500-ab12 (the folder names in results/runs/), got '${oneLine(positionals[0])}'`);
    }
    const runId = positionals[0] ?? (await newestRunId(resultsDir));
    if (!runId) {
      console.error(`no runs in ${join(resultsDir, 'runs')} — start one with 'brainbench run --lane demo'`);
      return 1;
    }
    const status = await readStatus(runDir(resultsDir, runId));
    if (!status) {
      console.error(notStarted(resultsDir, runId));
      return 1;
    }
    console.log(values.json ? JSON.stringify({ ...status, state: runStateOf(status) }, null, 2) : renderStatus(status, resultsDir));
    return 0;
  },
};
