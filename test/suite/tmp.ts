export { tmpTree } from '../helpers/tmp.js';

/** JSONL text: one JSON line per object. */
export function jsonl(...rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
