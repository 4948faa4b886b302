// Recursive listing of a directory inside the scratch root that never follows symlinks,
// so a link to / cannot drag the tools outside.
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';

export interface WalkEntry {
  /** '/'-separated path relative to the walk's base. */
  rel: string;
  abs: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
}

/** Yields entries depth-first in name order; stops after `maxEntries` (sets `truncated`). */
export async function* walk(base: string, maxEntries: number, state = { seen: 0, truncated: false }, prefix = ''): AsyncGenerator<WalkEntry> {
  const dir = await opendir(base);
  const entries = [];
  for await (const entry of dir) entries.push(entry);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (state.seen >= maxEntries) {
      state.truncated = true;
      return;
    }
    state.seen++;
    const rel = prefix + entry.name;
    const abs = join(base, entry.name);
    const kind = entry.isSymbolicLink() ? 'symlink' : entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
    yield { rel, abs, kind };
    if (kind === 'dir') yield* walk(abs, maxEntries, state, rel + '/');
  }
}
