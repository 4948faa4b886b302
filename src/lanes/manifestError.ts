// An invalid lanes.yaml, said the way a compiler says it: file:line:column, the field, what was
// expected there, and the source line with a caret under the column. Values that may be secrets
// (api_key:, anything under env:) are masked in the shown line.
import { codeFrame, displayPath } from '../sourceFrame.js';
import { oneLine } from '../safeText.js';

export interface Problem {
  line: number;
  column: number;
  /** Dotted path of the field ("lanes[0].port"), or SYNTAX for a YAML syntax error. */
  field: string;
  expected: string;
  /** For a syntax error: what the parser found wrong. */
  detail?: string;
}

export const SYNTAX = '(yaml syntax)';

const KEY_LINE = /^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)\s*:(.*)$/;

/** 1-based numbers of the lines whose value may be a secret: api_key: lines and lines under env:. */
function secretLines(source: string): Set<number> {
  const lines = source.split(/\r?\n/);
  const secret = new Set<number>();
  let envIndent = -1; // indentation of the `env:` key we are under, -1 when none
  lines.forEach((text, i) => {
    if (text.trim() === '' || text.trimStart().startsWith('#')) return;
    const indent = text.length - text.trimStart().length;
    if (envIndent >= 0 && indent > envIndent) secret.add(i + 1);
    else envIndent = -1;
    const key = KEY_LINE.exec(text);
    if (key?.[2] === 'api_key' || (key?.[2] === 'env' && key[3]!.trim() !== '')) secret.add(i + 1);
    else if (key?.[2] === 'env') envIndent = key[1]!.length + (text.trimStart().startsWith('-') ? 2 : 0);
  });
  return secret;
}

/** Every character of a value except ${VAR} references and quotes becomes '*': same length, so the caret stays. */
function maskValue(text: string): string {
  const colon = KEY_LINE.test(text) ? text.indexOf(':') + 1 : text.search(/\S/);
  const value = text.slice(colon).replace(/(\$\{[A-Za-z_][A-Za-z0-9_]*\})|[^\s"'{}[\],:]/g, (m, ref: string | undefined) => ref ?? '*'.repeat(m.length));
  return text.slice(0, colon) + value;
}

function header(file: string, p: Problem): string {
  const where = `${displayPath(file)}:${p.line}:${p.column}`;
  return p.field === SYNTAX ? `${where}: YAML syntax error: ${oneLine(p.detail ?? p.expected)}` : `${where}: ${p.field}: expected ${oneLine(p.expected)}`;
}

/** An invalid lanes.yaml: where (file, line, column), which field, and what was expected there. */
export class ManifestError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly field: string;
  readonly expected: string;
  /** Every problem found, the first of which the fields above describe. */
  readonly problems: Problem[];
  /** The first problem on one line, without the source excerpt (for a table cell or a status line). */
  readonly summary: string;

  /** `source`: the text of the file, to show each problem's line; absent when it could not be read. */
  constructor(file: string, problems: Problem[], source?: string) {
    const secret = source === undefined ? new Set<number>() : secretLines(source);
    const shown = problems.map((p) => {
      const frame = source === undefined ? '' : codeFrame(source, p.line, p.column, secret.has(p.line) ? maskValue : undefined);
      return frame ? `${header(file, p)}\n${frame}` : header(file, p);
    });
    super(shown.join('\n'));
    this.name = 'ManifestError';
    const first = problems[0]!;
    this.file = file;
    this.line = first.line;
    this.column = first.column;
    this.field = first.field;
    this.expected = first.expected;
    this.problems = problems;
    this.summary = header(file, first);
  }
}
