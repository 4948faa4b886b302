// Reading the engine's event stream back: from `--json` output, and what it says about concurrency.
import type { EngineEvent } from '../../src/types.js';

/** The events in `--json` output (one JSON object a line; other lines are skipped). */
export function eventsFromJsonLines(chunks: unknown[]): EngineEvent[] {
  return chunks
    .flatMap((chunk) => String(chunk).split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as EngineEvent);
}

/** Most attempts in flight at once, counted from attempt.start / attempt.end events. */
export function maxAttemptsInFlight(events: EngineEvent[]): number {
  let inFlight = 0;
  let max = 0;
  for (const e of events) {
    if (e.type === 'attempt.start') max = Math.max(max, ++inFlight);
    else if (e.type === 'attempt.end') inFlight--;
  }
  return max;
}
