import { displayPath } from '../sourceFrame.js';

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
