// Width-exact text helpers for the cockpit. Every width is measured in terminal cells with
// string-width (what Ink measures with), never with String.length.
import stringWidth from 'string-width';

export { stringWidth };

const pad2 = (x: number) => String(x).padStart(2, '0');

/** Seconds as hh:mm:ss (the run clock). */
export function hms(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
}

/** Seconds as mm:ss, or h:mm:ss from an hour up (an ETA). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const rest = `${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
  return h > 0 ? `${h}:${rest}` : rest;
}

/** Cuts `text` to at most `width` cells, ending in '…' when something was cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = stringWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/**
 * Cuts `text` to at most `width` cells at a space, so no word (a run id, a path) is shown in part:
 * what follows is left to `e` or the detail view. A single word wider than half the width is cut.
 */
export function truncateWords(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  const cut = truncate(text, width).slice(0, -1);
  const space = cut.lastIndexOf(' ');
  return space >= width / 2 ? `${cut.slice(0, space)} …` : `${cut}…`;
}

/** Cuts `text` to `width` cells by removing its middle, keeping the distinguishing end of ids. */
export function truncateMiddle(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  if (width < 5) return truncate(text, width);
  const chars = [...text];
  const tail = Math.floor((width - 1) / 2);
  const head = width - 1 - tail;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/** `text` cut or right-padded to exactly `width` cells. */
export function fit(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + ' '.repeat(Math.max(0, width - stringWidth(cut)));
}

/** `text` cut or left-padded to exactly `width` cells. */
export function fitRight(text: string, width: number): string {
  const cut = truncate(text, width);
  return ' '.repeat(Math.max(0, width - stringWidth(cut))) + cut;
}

/** A horizontal bar of `width` cells, `fraction` (0..1) of it filled. */
export function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return '█'.repeat(filled) + '░'.repeat(Math.max(0, width - filled));
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** The last `width` values as a sparkline between min and max; a null value is a blank. */
export function sparkline(values: readonly (number | null)[], width: number, min: number, max: number): string {
  const tail = values.slice(-width);
  let out = ' '.repeat(Math.max(0, width - tail.length));
  const span = max - min || 1;
  for (const v of tail) {
    if (v === null) out += ' ';
    else out += SPARKS[Math.round((Math.min(max, Math.max(min, v)) - min) / span * (SPARKS.length - 1))];
  }
  return out;
}

/** A rate 0..1 as a whole percentage without a space ("67%"), for tight columns; null → "". */
export function pctTight(rate: number | null): string {
  return rate === null ? '' : `${Math.round(rate * 100)}%`;
}

/** Seconds for a column: "12 s", "1.4 s" below ten; null → "". */
export function seconds(s: number | null): string {
  if (s === null) return '';
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

/** A styled piece of a line. */
export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

/** Total width of a run of segments. */
export function segmentsWidth(segments: readonly Segment[]): number {
  return segments.reduce((sum, s) => sum + stringWidth(s.text), 0);
}

/** Cuts a run of segments to `width` cells (the last kept segment ends in '…'). */
export function clipSegments(segments: readonly Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let left = width;
  for (const s of segments) {
    if (left <= 0) break;
    const w = stringWidth(s.text);
    if (w <= left) {
      out.push(s);
      left -= w;
    } else {
      out.push({ ...s, text: truncate(s.text, left) });
      left = 0;
    }
  }
  return out;
}

const sameStyle = (a: Segment, b: Segment) =>
  a.color === b.color && Boolean(a.bold) === Boolean(b.bold) && Boolean(a.dim) === Boolean(b.dim) && Boolean(a.inverse) === Boolean(b.inverse);

/** Joins neighbouring segments of the same style into one. */
export function mergeSegments(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && sameStyle(last, s)) out[out.length - 1] = { ...last, text: last.text + s.text };
    else out.push(s);
  }
  return out;
}

/** A starting lane's progress: `loading 00:42 / ~01:30 · <log tail>` (the cockpit and the line reporter). */
export function loadingText(p: { elapsedS: number; expectedS: number | null; tail: string }): string {
  const estimate = p.expectedS === null ? ' · first load: no estimate' : ` / ~${clock(p.expectedS)}`;
  return `loading ${clock(p.elapsedS)}${estimate}${p.tail ? ` · ${p.tail}` : ''}`;
}
