// The journal on open (issue 11, item 6): a damaged line in the middle is skipped and reported
// with its file and line, every later record kept; a torn last line (killed mid-write) is cut off.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/run/journal.js';
import type { AttemptRecord } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';

function journalPath(): string {
  return join(tempDir('bb-journal-'), 'journal.jsonl');
}

const record = (attempt: number): AttemptRecord => ({
  lane: 'demo',
  prompt_id: 'p1',
  attempt,
  outcome: 'pass',
  check_passed: true,
  why: 'ok',
  correct_tool: true,
  tools_called: [],
  turns: 1,
  tokens: { prompt: 1, completion: 1 },
  wall_s: 0.1,
  ttft_s: 0.01,
  answer: 'a',
  transcript: 't.json',
  escape_attempts: 0,
  started_at: '2026-01-01T00:00:00Z',
  ended_at: '2026-01-01T00:00:01Z',
});
const line = (attempt: number) => `${JSON.stringify(record(attempt))}\n`;

describe('opening a damaged journal', () => {
  it('skips a corrupt line in the middle, says which, and keeps every record after it', () => {
    const path = journalPath();
    writeFileSync(path, line(1) + '{"lane":"demo","prompt_id":"p1","att\u0000\u0000garbage\n' + line(2) + 'null\n' + line(3));
    const warnings: string[] = [];
    const journal = new Journal(path, { onWarning: (m) => warnings.push(m) });
    expect(journal.all().map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(warnings).toEqual([
      `${path}:2: not a journal record; skipped it (the records after it are kept)`,
      `${path}:4: not a journal record; skipped it (the records after it are kept)`,
    ]);
    // appends still land on a line of their own, and a reopen reads them
    journal.append(record(4));
    journal.close();
    expect(new Journal(path).all().map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('cuts off a torn last line (no newline: the kill came mid-write) and appends after the last whole record', () => {
    const path = journalPath();
    const torn = line(3).slice(0, 40);
    writeFileSync(path, line(1) + line(2) + torn);
    const warnings: string[] = [];
    const journal = new Journal(path, { onWarning: (m) => warnings.push(m) });
    expect(journal.all().map((r) => r.attempt)).toEqual([1, 2]);
    expect(warnings).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe(line(1) + line(2));
    journal.append(record(3));
    journal.close();
    expect(readFileSync(path, 'utf8')).toBe(line(1) + line(2) + line(3));
  });
});
