import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, ftruncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AttemptRecord } from '../types.js';

/** The slot an attempt fills: one (lane, prompt, attempt). */
export function slotKey(lane: string, promptId: string, attempt: number): string {
  return `${lane}\u0000${promptId}\u0000${attempt}`;
}

/**
 * The append-only record of finished attempts (results/runs/<id>/journal.jsonl). Each record is
 * written and fsynced before the next attempt starts, so a kill at any point loses at most the
 * attempt in flight. A torn last line (killed mid-write) is cut off on open.
 */
export class Journal {
  private fd: number;
  private readonly records: AttemptRecord[] = [];

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) this.records.push(...Journal.readAndRepair(path));
    this.fd = openSync(path, 'a');
  }

  /** Parses the journal; a torn last line is truncated away so later appends stay valid. */
  private static readAndRepair(path: string): AttemptRecord[] {
    const bytes = readFileSync(path);
    const records: AttemptRecord[] = [];
    let lineStart = 0;
    while (lineStart < bytes.length) {
      const newline = bytes.indexOf(0x0a, lineStart);
      const lineEnd = newline === -1 ? bytes.length : newline;
      const line = bytes.subarray(lineStart, lineEnd).toString('utf8');
      let record: AttemptRecord | undefined;
      try {
        if (line.trim() !== '') record = JSON.parse(line) as AttemptRecord;
      } catch {
        record = undefined;
      }
      // A line without its newline, or one that does not parse, is a write the kill interrupted
      // (each record goes out in one write ending in '\n').
      if (newline === -1 || (line.trim() !== '' && !record)) {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, lineStart);
        closeSync(fd);
        break;
      }
      if (record) records.push(record);
      lineStart = newline + 1;
    }
    return records;
  }

  all(): readonly AttemptRecord[] {
    return this.records;
  }

  /** The latest record of each slot (a lane_error retried later is superseded by the retry). */
  latestBySlot(): Map<string, AttemptRecord> {
    const latest = new Map<string, AttemptRecord>();
    for (const r of this.records) latest.set(slotKey(r.lane, r.prompt_id, r.attempt), r);
    return latest;
  }

  append(record: AttemptRecord): void {
    const line = `${JSON.stringify(record)}\n`;
    writeSync(this.fd, line);
    fsyncSync(this.fd);
    this.records.push(record);
  }

  close(): void {
    closeSync(this.fd);
  }
}
