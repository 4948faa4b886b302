import { join } from 'node:path';
import { parseFlags, UsageError, type Command } from '../cli/args.js';
import { EventBus } from '../events.js';
import { LaneManager, type LaneStatus } from '../lanes/manager.js';
import { findManifestPath, loadManifest, type Manifest } from '../lanes/manifest.js';
import { defaultStateDir } from '../lanes/userDirs.js';
import { loadingText } from '../cockpit/format.js';
import { loadingThrottle } from '../run/reporter.js';
import { oneLine, stripControl } from '../safeText.js';
import type { EngineEvent } from '../types.js';

const HELP = `brainbench lanes — list lanes; start, stop or swap one

Usage:
  brainbench lanes [--json]          table of every lane in lanes.yaml: id, kind, port, status
  brainbench lanes start ID          start lane ID and wait until it is ready
  brainbench lanes swap ID           the same, said the way you think of it: the resident lane goes, ID comes
  brainbench lanes stop ID           stop lane ID (a run using it pauses that lane's suite:
                                     carry it on later with 'brainbench run --resume RUN_ID')
  brainbench lanes stop --all        stop every lane brainbench started on this box

Only one lane is resident at a time: starting one first stops any other lane brainbench
started (from this or any other brainbench process). Before stopping anything, a swap checks that
the target fits in unified memory and that no running brainbench run holds the resident lane;
either refusal names the numbers or the run. After a stop, brainbench waits (up to
$BRAINBENCH_MEMORY_WAIT_S, default 60 s) for the memory to come back and says if it does not. A port held by a program brainbench did
not start is never touched; the start is refused and the holder named.

Statuses: ready (answers requests), starting (loading), stopped, crashed (brainbench started it
and it died), foreign (its port is held by something brainbench did not start), error.

Lane output goes to <state dir>/logs/<id>.log (state dir: $BRAINBENCH_STATE_DIR, else
~/.local/state/brainbench); a run keeps its own copy under results/runs/<run>/lanes/.
The demo lane lives inside brainbench itself: 'brainbench run --lane demo' or the cockpit start it.

Flags:
  --lanes-file FILE   the manifest (default: $BRAINBENCH_LANES, ./lanes.yaml,
                      ~/.config/brainbench/lanes.yaml, then the one shipped with brainbench)
  --all               with stop: every lane brainbench started
  --force             start/swap: go on although the lane's memory need does not fit (the larger
                      of its kind's estimate — llamacpp: every GGUF shard + KV cache at ctx from
                      the GGUF header + 2 GB; vLLM: gpu_memory_utilization × memory, weighed
                      against free memory excluding the page cache — and its recorded peak over
                      the idle baseline measured before its load); start/swap/stop: stop a lane
                      another run is using (its lease)
  --json              with the table: print the statuses as JSON`;

const FLAGS = {
  'lanes-file': { type: 'string' },
  all: { type: 'boolean' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** Loads the manifest without refusing it for one lane's unset ${VAR}: that lane alone is unusable. */
export async function loadLanesForCli(flag: string | undefined): Promise<Manifest> {
  return loadManifest(findManifestPath(flag), process.env, { missingEnv: 'defer' });
}

function cliManager(manifest: Manifest, bus?: EventBus): LaneManager {
  const stateDir = defaultStateDir();
  return new LaneManager({ manifest, bus, stateDir, logDir: join(stateDir, 'logs') });
}

export function formatLaneTable(rows: LaneStatus[]): string {
  const cells = [
    ['ID', 'KIND', 'PORT', 'STATUS', 'DETAIL'],
    ...rows.map((r) => [oneLine(r.id), r.kind, r.port ? String(r.port) : '—', r.state, oneLine(r.detail ?? '')]),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd()).join('\n');
}

/** Trouble states come with a thrown LaneError, which the CLI prints: printing them here too said it twice. */
const THROWN_STATES = new Set(['error', 'crashed', 'foreign']);

/** Lane state changes and load progress as lines on stderr, so stdout keeps only the result. */
function progressPrinter(): (event: EngineEvent) => void {
  const loadingDue = loadingThrottle();
  return (event) => {
    if (event.type === 'log') process.stderr.write(`  ${event.level === 'warn' ? 'warning: ' : ''}${stripControl(event.message)}\n`);
    if (event.type === 'lane.loading' && loadingDue(event)) {
      process.stderr.write(`  ${oneLine(event.lane)}: ${loadingText({ ...event, tail: oneLine(event.tail) })}\n`);
    }
    if (event.type !== 'lane.state' || THROWN_STATES.has(event.state)) return;
    const detail = event.detail && event.state !== 'ready' ? ` — ${stripControl(event.detail)}` : '';
    process.stderr.write(`  ${oneLine(event.lane)}: ${event.state}${detail}\n`);
  };
}

async function startLane(manifest: Manifest, id: string, force: boolean): Promise<number> {
  if (manifest.lanes.find((l) => l.id === id)?.kind === 'demo') {
    console.log(`${id} is the built-in simulated lane: it runs inside brainbench, so there is nothing to start here. Try 'brainbench run --lane ${id}' or the cockpit ('brainbench --demo').`);
    return 0;
  }
  const bus = new EventBus();
  bus.on(progressPrinter());
  const started = Date.now();
  const lane = await cliManager(manifest, bus).start(id, { force });
  console.log(`${lane.id} ready at ${oneLine(lane.baseURL)} (model ${oneLine(lane.model)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

export const lanesCommand: Command = {
  name: 'lanes',
  summary: 'list lanes; start, stop or swap one',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS, true);
    const [action, id, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected '${extra.join(' ')}'`);
    const manifest = await loadLanesForCli(values['lanes-file']);
    switch (action) {
      case undefined: {
        const rows = await cliManager(manifest).status();
        console.log(values.json ? JSON.stringify(rows, null, 2) : formatLaneTable(rows));
        return 0;
      }
      case 'start':
      case 'swap':
        if (!id) throw new UsageError(`lanes ${action} needs a lane id (one of ${manifest.lanes.map((l) => l.id).join(', ')})`);
        return startLane(manifest, id, values.force ?? false);
      case 'stop': {
        if (!id && !values.all) throw new UsageError('lanes stop needs a lane id, or --all');
        const bus = new EventBus();
        bus.on(progressPrinter());
        const manager = cliManager(manifest, bus);
        // by the user: a run using the lane pauses its suite for --resume instead of restarting it
        const force = values.force ?? false;
        if (values.all) await manager.stopAll({ byUser: true, force });
        else await manager.stop(id!, { byUser: true, force });
        console.log(values.all ? 'stopped every lane brainbench started' : `${id} stopped`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action '${action}' (start, stop or swap)`);
    }
  },
};
