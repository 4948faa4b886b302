// A shell glob turned into an anchored RegExp over '/'-separated relative paths:
// `**` spans directories, `*` and `?` stay within one, `[...]`/`[!...]` classes, `{a,b}` alternatives.

const REGEX_SPECIAL = /[\\^$.+()|{}[\]*?]/;

export function globToRegExp(pattern: string): RegExp {
  let out = '';
  let braceDepth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        const atSegmentStart = i === 0 || pattern[i - 1] === '/';
        i++;
        if (atSegmentStart && pattern[i + 1] === '/') {
          i++;
          out += '(?:[^/]*/)*'; // `**/`: zero or more whole directories
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/\\/g, '\\\\').replace(/]/g, '\\]')}]`;
      i = close;
    } else if (ch === '{') {
      braceDepth++;
      out += '(?:';
    } else if (ch === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else if (ch === ',' && braceDepth > 0) {
      out += '|';
    } else if (ch === '\\' && i + 1 < pattern.length) {
      i++;
      out += escapeChar(pattern[i]!);
    } else {
      out += escapeChar(ch);
    }
  }
  out += ')'.repeat(braceDepth); // an unclosed `{` still yields a valid expression
  return new RegExp(`^${out}$`, 'u');
}

function escapeChar(ch: string): string {
  return REGEX_SPECIAL.test(ch) ? `\\${ch}` : ch;
}
