import type { EngineEvent, Outcome } from '../types.js';
import { formatPct } from './stats.js';

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

/**
 * The plain reporter for pipes, CI and `ssh host brainbench run`: one line per finished attempt
 * with progress and ETA, and a verdict per lane. Consumes the same events as the cockpit.
 */
export function createLineReporter(write: (line: string) => void): (event: EngineEvent) => void {
  let total = 0;
  let done = 0;
  let parallel = 1;
  let startedMs = Date.now();
  let ranThisSession = 0;
  let idWidth = 20;
  return (event) => {
    switch (event.type) {
      case 'run.start': {
        total = event.total;
        done = event.done.filter((r) => r.outcome !== 'lane_error').length;
        parallel = event.parallel;
        startedMs = Date.now();
        ranThisSession = 0;
        idWidth = Math.max(12, ...event.prompts.map((p) => p.id.length));
        const skipped = event.prompts.filter((p) => p.skipped);
        write(
          `run ${event.runId} · lane ${event.lane}${event.simulated ? ' (simulated)' : ''} · suite ${event.suite} · N=${event.n}` +
            ` · ${total} attempts${parallel > 1 ? ` · ${parallel} in parallel` : ''}${done ? ` · ${done} already done (resumed)` : ''}`,
        );
        for (const p of skipped) write(`  skipped ${p.id}: ${p.skipped}`);
        break;
      }
      case 'attempt.end': {
        const r = event.record;
        if (r.outcome !== 'lane_error') done++;
        ranThisSession++;
        const elapsed = (Date.now() - startedMs) / 1000;
        const remaining = Math.max(0, total - done);
        const eta = ranThisSession > 0 ? clock((elapsed / ranThisSession) * remaining) : '--:--';
        const tools = r.tools_called.length ? r.tools_called.join(',') : '-';
        const counter = `[${String(Math.min(done, total)).padStart(String(total).length)}/${total} ETA ${eta}]`;
        write(
          `${counter} ${r.prompt_id.padEnd(idWidth)} #${r.attempt}${r.retry ? 'r' : ' '} ${GLYPH[r.outcome]} ${r.outcome.padEnd(12)} ` +
            `${r.wall_s.toFixed(1).padStart(6)} s  ${tools.slice(0, 40).padEnd(20)} ${r.why}`,
        );
        break;
      }
      case 'lane.state':
        if (event.state !== 'ready' || event.detail) write(`lane ${event.lane}: ${event.state}${event.detail ? ` — ${event.detail}` : ''}`);
        else write(`lane ${event.lane}: ready${event.port ? ` on :${event.port}` : ''}`);
        break;
      case 'probe':
        write(
          event.result.error
            ? `throughput probe on ${event.lane} failed: ${event.result.error}`
            : `throughput ${event.lane}: ${event.result.tokens_per_sec?.toFixed(1) ?? '—'} tok/s end-to-end` +
                (event.result.decode_tokens_per_sec != null ? `, ${event.result.decode_tokens_per_sec.toFixed(1)} tok/s decode` : ''),
        );
        break;
      case 'run.paused':
        write(`paused ${event.lane}: ${event.reason}`);
        break;
      case 'run.resumed':
        write(`resumed ${event.lane}`);
        break;
      case 'run.end': {
        const c = event.scorecard;
        write(
          `lane ${c.lane}${c.simulated ? ' (simulated)' : ''}: core ${c.core_pass}/${c.core_n} · pass_rate ${formatPct(c.core_pass_rate)}` +
            ` · consistency ${formatPct(c.consistency)} · runaway ${formatPct(c.runaway_rate)} · honesty ${formatPct(c.honesty_pass_rate)}` +
            ` · ${c.tokens_per_sec != null ? `${c.tokens_per_sec.toFixed(1)} tok/s` : 'tok/s —'}`,
        );
        write(`wrote ${event.scorecardPath} and ${event.summaryPath}`);
        break;
      }
      case 'log':
        write(`${event.level === 'info' ? '' : `${event.level}: `}${event.message}`);
        break;
      default:
        break;
    }
  };
}
