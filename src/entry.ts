// Whether a module is the program being run (node dist/src/cli.js, the npm bin link, tsx), not
// imported by another module or a test: compared by real path, so a symlinked bin counts.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function isEntry(moduleUrl: string): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
