// Markdown pieces shared by summary.md's sections.
import { mdCell } from '../safeText.js';
import type { LaneScorecard } from '../types.js';

/** A markdown table from a header and rows of cells (cells already cleaned with mdCell). */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A lane's name in a Markdown cell, marked when no real model is behind it. */
export function laneLabel(card: Pick<LaneScorecard, 'lane' | 'simulated'>): string {
  return mdCell(card.lane) + (card.simulated ? ' (simulated)' : '');
}
