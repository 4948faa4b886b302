// Where a YAML (or JSON) syntax error really is. The `yaml` package reports an unclosed quote or
// flow collection where it gave up — often the end of the file, many lines after the mistake — so
// for those the concrete syntax tree is asked where the unclosed string or bracket opened.
import { CST, LineCounter, Parser, parseDocument, type YAMLError } from 'yaml';

export interface SyntaxProblem {
  /** 1-based line and column of the mistake. */
  line: number;
  column: number;
  /** What is wrong, in one line, without the library's position suffix. */
  message: string;
}

type Token = CST.Token;

/** An opening quote or bracket whose closing one never came. */
function isUnclosed(token: Token): boolean {
  if (token.type === 'double-quoted-scalar' || token.type === 'single-quoted-scalar') {
    const quote = token.source[0]!;
    const body = token.source.slice(1);
    return !(body.endsWith(quote) && (quote === "'" || !/(^|[^\\])(\\\\)*\\"$/.test(body)));
  }
  if (token.type === 'flow-collection') return !token.end.some((t) => t.type === 'flow-map-end' || t.type === 'flow-seq-end');
  return false;
}

function openingOffset(token: Token): number {
  return token.type === 'flow-collection' ? token.start.offset : token.offset;
}

/** The last unclosed quote or bracket that opens before `before`, if any. */
function unclosedOpening(source: string, before: number): Token | undefined {
  let found: Token | undefined;
  const consider = (token: Token | undefined) => {
    if (token && isUnclosed(token) && openingOffset(token) < before && (!found || openingOffset(token) > openingOffset(found))) found = token;
  };
  for (const token of new Parser().parse(source)) {
    if (token.type !== 'document') continue;
    consider(token.value);
    CST.visit(token, (item) => {
      consider(item.key ?? undefined);
      consider(item.value);
    });
  }
  return found;
}

const UNCLOSED = /closing|end with a/i;

/** Positions and words for the first error of a parse (later ones usually follow from it). */
export function describeSyntaxError(source: string, error: YAMLError, lines: LineCounter): SyntaxProblem {
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const opening = UNCLOSED.test(message) ? unclosedOpening(source, error.pos[0]) : undefined;
  if (opening) {
    const what = opening.type === 'flow-collection' ? `'${opening.start.source}' is never closed` : 'this quoted string is never closed';
    const at = lines.linePos(openingOffset(opening));
    return { line: at.line, column: at.col, message: `${what} (${message.charAt(0).toLowerCase()}${message.slice(1)})` };
  }
  const at = lines.linePos(error.pos[0]);
  return { line: at.line, column: at.col, message };
}

/** The first syntax error of a YAML or JSON text, or undefined when it parses. */
export function firstSyntaxError(source: string): SyntaxProblem | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const error = doc.errors[0];
  return error && describeSyntaxError(source, error, lines);
}
