// The model's regular expressions (grep patterns, globs) run in a worker thread with a deadline:
// a catastrophic-backtracking pattern such as /(a+)+$/ on a long line would otherwise freeze the
// whole run (the regex engine cannot be interrupted on the main thread). Terminating the worker
// stops a regex mid-match.
import { Worker } from 'node:worker_threads';

/** How long all the matching of one tool call may take. */
export const REGEX_DEADLINE_MS = 2_000;

/** Plain CommonJS so it runs the same under tsx, vitest and the built package. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const regex = new RegExp(workerData.source, workerData.flags);
parentPort.on('message', ({ texts, maxHits }) => {
  const hits = [];
  for (let i = 0; i < texts.length && hits.length < maxHits; i++) if (regex.test(texts[i])) hits.push(i);
  parentPort.postMessage(hits);
});
`;

export class RegexTimeout extends Error {
  constructor(deadlineMs: number) {
    super(`the pattern took longer than ${deadlineMs / 1000} s to match (catastrophic backtracking?); use a simpler pattern`);
    this.name = 'RegexTimeout';
  }
}

export interface TextMatcher {
  /** Indices of the texts the regex matches, at most `maxHits`; rejects with RegexTimeout past the deadline. */
  match(texts: string[], maxHits: number): Promise<number[]>;
  close(): Promise<void>;
}

/** A matcher for one tool call; `regex` must already compile (the caller reports syntax errors). */
export function createTextMatcher(regex: RegExp, deadlineMs = REGEX_DEADLINE_MS): TextMatcher {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { source: regex.source, flags: regex.flags } });
  const deadline = performance.now() + deadlineMs;
  let failed: Error | undefined;
  worker.on('error', (err) => {
    failed = err;
  });

  return {
    match(texts, maxHits) {
      if (failed) return Promise.reject(failed);
      return new Promise<number[]>((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          worker.off('error', onError);
        };
        const onMessage = (hits: number[]) => {
          cleanup();
          resolve(hits);
        };
        const onError = (err: Error) => {
          cleanup();
          reject(err);
        };
        const timer = setTimeout(() => {
          cleanup();
          failed = new RegexTimeout(deadlineMs);
          void worker.terminate();
          reject(failed);
        }, Math.max(0, deadline - performance.now()));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.postMessage({ texts, maxHits });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
