// The fake lane's tokenizer: four code points make a token. Rough next to a real tokenizer,
// but every count (usage, timings, /metrics, max_tokens) uses this one rule, so they agree.

export const codePointsPerToken = 4;

export function countTokens(text: string): number {
  // Code points = UTF-16 units less one per surrogate pair.
  const pairs = text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0;
  return Math.ceil((text.length - pairs) / codePointsPerToken);
}

/** The text cut into its tokens, in order; joined they give the text back. */
export function tokenize(text: string): string[] {
  const points = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < points.length; i += codePointsPerToken) pieces.push(points.slice(i, i + codePointsPerToken).join(''));
  return pieces;
}

/** Length of the common prefix of two strings, in UTF-16 units. */
export function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
