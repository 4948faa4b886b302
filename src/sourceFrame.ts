// Where a config or suite file is wrong, shown the way compilers show it: the file and position,
// then the source line and a caret under the column.
//   lanes.yaml:12:7: ...
//     12 |   port: : 8080
//        |       ^
import { isAbsolute, relative } from 'node:path';
import { oneLine } from './safeText.js';

/** How a file is named in messages: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Longest source line shown; a longer one is cut around the column. */
const MAX_SHOWN = 160;

/**
 * The source line `line` (1-based) and a caret under `column` (1-based), indented two spaces.
 * `mask` may rewrite the line first (it must keep its length, so the caret stays put). Empty when
 * the line does not exist.
 */
export function codeFrame(source: string, line: number, column: number, mask: (text: string) => string = (t) => t): string {
  const text = source.split(/\r?\n/)[line - 1];
  if (text === undefined) return '';
  let shown = mask(text);
  let col = Math.max(1, column);
  if (shown.length > MAX_SHOWN) {
    const start = Math.max(0, Math.min(col - 1 - MAX_SHOWN / 2, shown.length - MAX_SHOWN));
    shown = `${start > 0 ? '…' : ''}${shown.slice(start, start + MAX_SHOWN)}…`;
    col = col - start + (start > 0 ? 1 : 0);
  }
  // control characters and tabs are dropped or widened by oneLine; measure the caret on the same text
  const caret = oneLine(shown.slice(0, col - 1)).length;
  const gutter = String(line);
  return `  ${gutter} | ${oneLine(shown)}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(caret)}^`;
}
