import { isAbsolute, relative } from 'node:path';

/** How a suite file is named in messages: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * A suite that cannot be loaded. The message reads
 * "fixtures/x/prompts.jsonl:7: field 'check.kind': unknown check kind 'subtring' (...)".
 */
export class SuiteError extends Error {
  /** Absolute path of the offending file (or directory). */
  readonly file: string;
  /** 1-based line, where the problem has one. */
  readonly line?: number;
  /** Dotted field path inside the prompt ("check.any[0]"), where the problem has one. */
  readonly field?: string;

  constructor(file: string, detail: string, where: { line?: number; field?: string } = {}) {
    const location = where.line === undefined ? displayPath(file) : `${displayPath(file)}:${where.line}`;
    const field = where.field === undefined ? '' : ` field '${where.field}':`;
    super(`${location}:${field} ${detail}`);
    this.name = 'SuiteError';
    this.file = file;
    this.line = where.line;
    this.field = where.field;
  }
}
