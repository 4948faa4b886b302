import { laneStateRepeats } from '../lanes/state-repeats.js';
import { loadingText } from '../cockpit/format.js';
import { oneLine, stripControl } from '../safeText.js';
import type { EngineEvent, Outcome } from '../types.js';
import { formatPct } from '../stats.js';
import { partialLabel } from '../verdict/scorecard.js';

const GLYPH: Record<Outcome, string> = {
  pass: '✓',
  wrong_answer: '✗',
  no_tool_call: '✗',
  format_error: '✗',
  runaway: '∞',
  lane_error: '!',
};

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

/**
 * The plain reporter for pipes, CI and `ssh host brainbench run`: one line per finished attempt
 * with progress and ETA, and a verdict per lane. Consumes the same events as the cockpit.
 * Everything a model or a lane produced (ids, tool names, answers, errors) goes through
 * safeText first: no escape sequence from them reaches the terminal.
 */
export function createLineReporter(write: (line: string) => void): (event: EngineEvent) => void {
  let total = 0;
  let done = 0;
  let parallel = 1;
  let startedMs = Date.now();
  let ranThisSession = 0;
  let idWidth = 20;
  const isRepeat = laneStateRepeats();
  const loadingDue = loadingThrottle();
  return (event) => {
    switch (event.type) {
      case 'run.start': {
        total = event.total;
        done = event.done.filter((r) => r.outcome !== 'lane_error').length;
        parallel = event.parallel;
        startedMs = Date.now();
        ranThisSession = 0;
        idWidth = Math.max(12, ...event.prompts.map((p) => oneLine(p.id).length));
        const skipped = event.prompts.filter((p) => p.skipped);
        write(
          `run ${event.runId} · lane ${oneLine(event.lane)}${event.simulated ? ' (simulated)' : ''} · suite ${oneLine(event.suite)} · N=${event.n}` +
            ` · ${total} attempts${parallel > 1 ? ` · ${parallel} in parallel` : ''}${done ? ` · ${done} already done (resumed)` : ''}`,
        );
        for (const p of skipped) write(`  skipped ${oneLine(p.id)}: ${oneLine(p.skipped ?? '')}`);
        break;
      }
      case 'attempt.end': {
        const r = event.record;
        if (r.outcome !== 'lane_error') done++;
        ranThisSession++;
        const elapsed = (Date.now() - startedMs) / 1000;
        const remaining = Math.max(0, total - done);
        const eta = ranThisSession > 0 ? clock((elapsed / ranThisSession) * remaining) : '--:--';
        const tools = r.tools_called.length ? oneLine(r.tools_called.join(',')) : '-';
        const counter = `[${String(Math.min(done, total)).padStart(String(total).length)}/${total} ETA ${eta}]`;
        write(
          `${counter} ${oneLine(r.prompt_id).padEnd(idWidth)} #${r.attempt}${r.retry ? 'r' : ' '} ${GLYPH[r.outcome]} ${r.outcome.padEnd(12)} ` +
            `${r.wall_s.toFixed(1).padStart(6)} s  ${tools.slice(0, 40).padEnd(20)} ${oneLine(r.why)}`,
        );
        break;
      }
      case 'lane.state': {
        if (!isRepeat(event)) write(laneStateLine(event));
        break;
      }
      case 'lane.loading':
        if (loadingDue(event)) write(`lane ${oneLine(event.lane)}: ${loadingText({ ...event, tail: oneLine(event.tail) })}`);
        break;
      case 'probe':
        write(
          event.result.error
            ? `throughput probe on ${oneLine(event.lane)} failed: ${oneLine(event.result.error)}`
            : `throughput ${oneLine(event.lane)}: ${event.result.tokens_per_sec?.toFixed(1) ?? '—'} tok/s end-to-end` +
                (event.result.decode_tokens_per_sec != null ? `, ${event.result.decode_tokens_per_sec.toFixed(1)} tok/s decode` : ''),
        );
        break;
      case 'run.paused':
        write(`paused ${oneLine(event.lane)}: ${stripControl(event.reason)}`);
        break;
      case 'run.resumed':
        write(`resumed ${oneLine(event.lane)}`);
        break;
      case 'run.end': {
        const c = event.scorecard;
        write(
          `lane ${oneLine(c.lane)}${c.simulated ? ' (simulated)' : ''}: core ${c.core_pass}/${c.core_n} · pass_rate ${formatPct(c.core_pass_rate)}` +
            ` · consistency ${formatPct(c.consistency)} · runaway ${formatPct(c.runaway_rate)} · honesty ${formatPct(c.honesty_pass_rate)}` +
            ` · ${c.tokens_per_sec != null ? `${c.tokens_per_sec.toFixed(1)} tok/s` : 'tok/s —'}` +
            (partialLabel(c) ? ` · ${partialLabel(c)}, not ranked` : ''),
        );
        write(`wrote ${oneLine(event.scorecardPath)} and ${oneLine(event.summaryPath)}`);
        break;
      }
      case 'log':
        write(`${event.level === 'info' ? '' : `${event.level}: `}${stripControl(event.message)}`);
        break;
      default:
        break;
    }
  };
}
