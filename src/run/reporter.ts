import { laneStateRepeats } from '../lanes/state-repeats.js';
import { loadingText } from '../cockpit/format.js';
import { oneLine, stripControl } from '../safeText.js';
import { CELL_STYLE } from '../cockpit/glyphs.js';
import type { EngineEvent } from '../types.js';
import { formatPct } from '../stats.js';
import { gradedLabel, partialLabel } from '../verdict/scorecard.js';
import { taskCardLines } from '../verdict/task-scorecard.js';
import { PROBE_ETA_S } from '../telemetry/probe.js';

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** `lane x: error — why`: text from a lane, so stripped of control sequences (newlines stay). */
function laneStateLine(event: Extract<EngineEvent, { type: 'lane.state' }>): string {
  if (event.state === 'ready' && !event.detail) return `lane ${oneLine(event.lane)}: ready${event.port ? ` on :${event.port}` : ''}`;
  return `lane ${oneLine(event.lane)}: ${event.state}${event.detail ? ` — ${stripControl(event.detail)}` : ''}`;
}

/** A load's progress prints once at first, then at most every this many seconds of the load (not a flood). */
export const LOADING_LINE_EVERY_S = 5;

/** Whether a lane.loading event is due a line: by the load's own clock, so a test needs no waiting. */
export function loadingThrottle(): (event: Extract<EngineEvent, { type: 'lane.loading' }>) => boolean {
  const printedAt = new Map<string, number>();
  return (event) => {
    const last = printedAt.get(event.lane);
    // a smaller elapsed time than last printed: a new load of the lane
    if (last !== undefined && event.elapsedS >= last && event.elapsedS - last < LOADING_LINE_EVERY_S) return false;
    printedAt.set(event.lane, event.elapsedS);
    return true;
  };
}

/** What the line reporter keeps between events: the lane's count and this session's pace. */
interface ReporterState {
  total: number;
  done: number;
  startedMs: number;
  ranThisSession: number;
  idWidth: number;
  /** The lane's live decode rate (lane.rate, telemetry/rate.ts); null while nothing decodes. */
  tokPerSec: number | null;
  /** The throughput probe still to come after a prompt suite, for the ETA. */
  probeS: number;
}

function runStartLines(event: Extract<EngineEvent, { type: 'run.start' }>, st: ReporterState): string[] {
  st.total = event.total;
  st.done = event.done.filter((r) => r.outcome !== 'lane_error').length;
  st.startedMs = Date.now();
  st.ranThisSession = 0;
  st.tokPerSec = null;
  st.probeS = event.harness === undefined ? PROBE_ETA_S : 0;
  st.idWidth = Math.max(12, ...event.prompts.map((p) => oneLine(p.id).length));
  const head =
    `run ${event.runId} · lane ${oneLine(event.lane)}${event.simulated ? ' (simulated)' : ''} · suite ${oneLine(event.suite)} · N=${event.n}` +
    ` · ${st.total} attempts${event.parallel > 1 ? ` · ${event.parallel} in parallel` : ''}${st.done ? ` · ${st.done} already done (resumed)` : ''}`;
  return [head, ...event.prompts.filter((p) => p.skipped).map((p) => `  skipped ${oneLine(p.id)}: ${oneLine(p.skipped ?? '')}`)];
}

function attemptEndLine({ record: r }: Extract<EngineEvent, { type: 'attempt.end' }>, st: ReporterState): string {
  if (r.outcome !== 'lane_error') st.done++;
  st.ranThisSession++;
  const elapsed = (Date.now() - st.startedMs) / 1000;
  const remaining = Math.max(0, st.total - st.done);
  const eta = clock((elapsed / st.ranThisSession) * remaining + st.probeS);
  const tools = r.tools_called.length ? oneLine(r.tools_called.join(',')) : '-';
  const rate = st.tokPerSec === null ? '' : ` · ${st.tokPerSec.toFixed(1)} tok/s`;
  const counter = `[${String(Math.min(st.done, st.total)).padStart(String(st.total).length)}/${st.total} ETA ${eta}${rate}]`;
  return (
    `${counter} ${oneLine(r.prompt_id).padEnd(st.idWidth)} #${r.attempt}${r.retry ? 'r' : ' '} ${CELL_STYLE[r.outcome].glyph} ${r.outcome.padEnd(12)} ` +
    `${r.wall_s.toFixed(1).padStart(6)} s  ${tools.slice(0, 40).padEnd(20)} ${oneLine(r.why)}`
  );
}

function probeLine(event: Extract<EngineEvent, { type: 'probe' }>): string {
  const { result } = event;
  if (result.error) return `throughput probe on ${oneLine(event.lane)} failed: ${oneLine(result.error)}`;
  const decode = result.decode_tokens_per_sec != null ? `, ${result.decode_tokens_per_sec.toFixed(1)} tok/s decode` : '';
  const early = result.stopped_early ? ` (stopped at its ${result.stopped_early === 'stable' ? 'stable rate' : 'time ceiling'}, after ${result.duration_s?.toFixed(1) ?? '?'} s)` : '';
  return `throughput ${oneLine(event.lane)}: ${result.tokens_per_sec?.toFixed(1) ?? '—'} tok/s end-to-end${decode}${early}`;
}

function runEndLines(event: Extract<EngineEvent, { type: 'run.end' }>): string[] {
  const c = event.scorecard;
  const verdict =
    `lane ${oneLine(c.lane)}${c.simulated ? ' (simulated)' : ''}: core ${c.core_pass}/${c.core_n} · pass_rate ${formatPct(c.core_pass_rate)}` +
    ` · consistency ${formatPct(c.consistency)} · runaway ${formatPct(c.runaway_rate)} · honesty ${formatPct(c.honesty_pass_rate)}` +
    ` · ${c.tokens_per_sec != null ? `${c.tokens_per_sec.toFixed(1)} tok/s` : 'tok/s —'}` +
    (c.completeness ? ` · ${gradedLabel(c.completeness)}` : '') +
    (partialLabel(c) ? ` · ${partialLabel(c)}, not ranked` : '');
  return [verdict, `wrote ${oneLine(event.scorecardPath)} and ${oneLine(event.summaryPath)}`];
}

/**
 * The plain reporter for pipes, CI and `ssh host brainbench run`: one line per finished attempt
 * with progress and ETA, and a verdict per lane. Consumes the same events as the cockpit.
 * Everything a model or a lane produced (ids, tool names, answers, errors) goes through
 * safeText first: no escape sequence from them reaches the terminal.
 */
export function createLineReporter(write: (line: string) => void): (event: EngineEvent) => void {
  const st: ReporterState = { total: 0, done: 0, startedMs: Date.now(), ranThisSession: 0, idWidth: 20, tokPerSec: null, probeS: 0 };
  const isRepeat = laneStateRepeats();
  const loadingDue = loadingThrottle();
  const lines = (event: EngineEvent): string[] => {
    switch (event.type) {
      case 'run.start':
        return runStartLines(event, st);
      case 'attempt.end':
        return [attemptEndLine(event, st)];
      case 'lane.state':
        return isRepeat(event) ? [] : [laneStateLine(event)];
      case 'lane.loading':
        return loadingDue(event) ? [`lane ${oneLine(event.lane)}: ${loadingText({ ...event, tail: oneLine(event.tail) })}`] : [];
      case 'lane.rate':
        st.tokPerSec = event.tokPerSec;
        return [];
      case 'probe':
        return [probeLine(event)];
      case 'run.paused':
        return [`paused ${oneLine(event.lane)}: ${stripControl(event.reason)}`];
      case 'run.resumed':
        return [`resumed ${oneLine(event.lane)}`];
      case 'run.end':
        return runEndLines(event);
      case 'cell.end':
        return taskCardLines(event.scorecard, event.scorecardPath);
      case 'log':
        return [`${event.level === 'info' ? '' : `${event.level}: `}${stripControl(event.message)}`];
      default:
        return [];
    }
  };
  return (event) => lines(event).forEach(write);
}
