/** Shorter values would blank out ordinary text (a secret "1" would hit every digit). */
const MIN_SECRET_LENGTH = 4;

export const REDACTED = '***';

/** Replaces every occurrence of every secret in `text` with ***; longest first, so overlaps go too. */
export function redact(text: string, secrets: string[]): string {
  const usable = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of usable) out = out.split(secret).join(REDACTED);
  return out;
}
