// The do-nothing harness: every grader must then score 0 (DESIGN §12).
import { result, type Harness } from './types.js';

export const nullHarness: Harness = {
  name: 'null',
  needsLane: false,
  run: () => Promise.resolve(result('exited', 'did nothing (null harness)')),
};
