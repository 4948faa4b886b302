// Aligned columns for terminal output (compare, report --history). Cells are cleaned to one line.
import stringWidth from 'string-width';
import { oneLine } from '../safeText.js';

/** Left-aligned columns two spaces apart, the header first; trailing spaces trimmed. */
export function textTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows].map((row) => row.map(oneLine));
  const widths = header.map((_, i) => Math.max(...all.map((row) => stringWidth(row[i] ?? ''))));
  return all
    .map((row) => row.map((cell, i) => cell + ' '.repeat(widths[i]! - stringWidth(cell))).join('  ').trimEnd())
    .join('\n');
}
