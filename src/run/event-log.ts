import { appendFileSync, closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent } from '../types.js';

export function eventLogPath(runDir: string): string {
  return join(runDir, 'events.jsonl');
}

/**
 * Appends the run's events to runs/<id>/events.jsonl so a cockpit in another process can attach
 * and replay them. Telemetry has its own file and token progress is too chatty to keep: the live
 * decode rate reaches watchers as the engine's throttled lane.rate events (telemetry/rate.ts).
 */
export function createEventLog(runDir: string): (event: EngineEvent) => void {
  const path = eventLogPath(runDir);
  return (event) => {
    if (event.type === 'telemetry' || event.type === 'attempt.progress') return;
    try {
      appendFileSync(path, `${JSON.stringify(event)}\n`);
    } catch {
      // an attaching cockpit is a nicety; the journal is what must not fail
    }
  };
}

/**
 * Follows a JSONL file that another process appends to: each `read()` returns the complete lines
 * added since the last call (a half-written last line waits for the next call).
 */
export class JsonlTail<T> {
  private offset = 0;
  private partial = '';

  constructor(
    readonly path: string,
    /** Start this many bytes before the end instead of at the beginning (for long files). */
    fromEndBytes?: number,
  ) {
    if (fromEndBytes !== undefined) {
      try {
        this.offset = Math.max(0, statSync(path).size - fromEndBytes);
        this.partial = this.offset > 0 ? '\u0000skip' : '';
      } catch {
        this.offset = 0;
      }
    }
  }

  read(): T[] {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      return [];
    }
    if (size < this.offset) this.offset = 0; // replaced or truncated: start over
    if (size === this.offset) return [];
    const fd = openSync(this.path, 'r');
    const buffer = Buffer.alloc(size - this.offset);
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.partial + buffer.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    // when starting mid-file, the first line is a fragment of an earlier line
    if (lines[0]?.startsWith('\u0000skip')) lines.shift();
    const out: T[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        // a line we cannot read is skipped, not fatal
      }
    }
    return out;
  }
}
