import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, ftruncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunRecord } from '../types.js';

/** The write the journal uses; a seam so tests can inject ENOSPC. */
export type WriteFn = (fd: number, buffer: Buffer, offset: number, length: number) => number;

export interface JournalOptions {
  write?: WriteFn;
  /** Told about each damaged line skipped on open (file:line and what was done). */
  onWarning?: (message: string) => void;
}

function parseRecord(line: string): RunRecord | null {
  try {
    const value = JSON.parse(line) as Partial<RunRecord> | null;
    const ok = typeof value === 'object' && value !== null && typeof value.lane === 'string' && typeof value.prompt_id === 'string' && typeof value.attempt === 'number';
    return ok ? (value as RunRecord) : null;
  } catch {
    return null;
  }
}

/** Appending failed (disk full, read-only, ...); the journal still holds every earlier record, whole. */
export class JournalWriteError extends Error {
  readonly code: string | undefined;

  constructor(path: string, kept: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException).code;
    super(
      `cannot write the journal ${path}: ${(cause as Error).message}. The ${kept} attempt(s) finished before are kept; ` +
        `make room or fix the folder, then carry on with --resume`,
    );
    this.name = 'JournalWriteError';
    this.code = code;
  }
}

/**
 * The append-only record of finished attempts (results/runs/<id>/journal.jsonl). Each record is
 * written and fsynced before the next attempt starts, so a kill at any point loses at most the
 * attempt in flight. A torn last line (killed mid-write) is cut off on open; a damaged line
 * elsewhere is skipped and reported.
 */
export class Journal {
  private fd: number;
  private readonly records: RunRecord[] = [];
  /** Bytes of whole records in the file: where a failed append is cut back to. */
  private size: number;
  private readonly write: WriteFn;

  constructor(
    readonly path: string,
    opts: JournalOptions = {},
  ) {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) this.records.push(...Journal.readAndRepair(path, opts.onWarning ?? (() => undefined)));
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
    this.write = opts.write ?? writeSync;
  }

  /**
   * Parses the journal. A torn last line (no newline: the kill came mid-write, as each record goes
   * out in one write ending in '\n') is truncated away so later appends stay valid; a whole line
   * that is not a record is skipped and reported, and the records after it are kept.
   */
  private static readAndRepair(path: string, warn: (message: string) => void): RunRecord[] {
    const bytes = readFileSync(path);
    const records: RunRecord[] = [];
    let lineStart = 0;
    for (let lineNo = 1; lineStart < bytes.length; lineNo++) {
      const newline = bytes.indexOf(0x0a, lineStart);
      if (newline === -1) {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, lineStart);
        closeSync(fd);
        break;
      }
      const line = bytes.subarray(lineStart, newline).toString('utf8');
      if (line.trim() !== '') {
        const record = parseRecord(line);
        if (record) records.push(record);
        else warn(`${path}:${lineNo}: not a journal record; skipped it (the records after it are kept)`);
      }
      lineStart = newline + 1;
    }
    return records;
  }

  all(): readonly RunRecord[] {
    return this.records;
  }

  /** Writes and fsyncs one record; on failure the partial line is cut off again and JournalWriteError thrown. */
  append(record: RunRecord): void {
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    try {
      for (let written = 0; written < line.length; ) written += this.write(this.fd, line, written, line.length - written);
      fsyncSync(this.fd);
    } catch (err) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // the torn line is cut off on the next open instead
      }
      throw new JournalWriteError(this.path, this.records.length, err);
    }
    this.size += line.length;
    this.records.push(record);
  }

  close(): void {
    closeSync(this.fd);
  }
}
