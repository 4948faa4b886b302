// The model's regular expressions (grep patterns, globs) and the suite's regexes run on the model's
// text in a worker thread with a deadline: a catastrophic-backtracking pattern such as /(a+)+$/ on
// a long line would otherwise freeze the whole run (the regex engine cannot be interrupted on the
// main thread). One long-lived worker serves every match, one request at a time (starting a
// worker costs tens of milliseconds, a match usually microseconds); it is unref'd while idle so it
// never keeps the process alive, and it is terminated, and replaced on the next request, only
// when a match runs past its deadline.
import { Worker } from 'node:worker_threads';
import { clampDelayMs } from '../timers.js';

/** How long all the matching of one tool call (or one check) may take. */
export const REGEX_DEADLINE_MS = 2_000;

/** Plain CommonJS so it runs the same under tsx, vitest and the built package. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const compiled = new Map();
parentPort.on('message', ({ source, flags, texts, maxHits }) => {
  try {
    const key = flags + '/' + source;
    let regex = compiled.get(key);
    if (!regex) {
      if (compiled.size >= 64) compiled.clear();
      regex = new RegExp(source, flags);
      compiled.set(key, regex);
    }
    const hits = [];
    for (let i = 0; i < texts.length && hits.length < maxHits; i++) {
      regex.lastIndex = 0;
      if (regex.test(texts[i])) hits.push(i);
    }
    parentPort.postMessage({ hits });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

export class RegexTimeout extends Error {
  constructor(deadlineMs: number) {
    super(`the pattern took longer than ${deadlineMs / 1000} s to match (catastrophic backtracking?); use a simpler pattern`);
    this.name = 'RegexTimeout';
  }
}

interface Job {
  source: string;
  flags: string;
  texts: string[];
  maxHits: number;
  /** Milliseconds this job may run in the worker (time queued behind another job is not counted). */
  budgetMs: number;
  /** `ranMs`: how long it ran, charged to its matcher's deadline. */
  done(result: { hits: number[]; ranMs: number } | { error: Error }): void;
}

/** The worker and the queue of requests it serves, one at a time. */
class MatchService {
  private worker: Worker | null = null;
  private online = false;
  private running: { job: Job; timer: NodeJS.Timeout | null; startedAt: number } | null = null;
  private readonly queue: Job[] = [];

  submit(job: Job): void {
    this.queue.push(job);
    this.next();
  }

  private spawn(): Worker {
    // no inherited flags: the source is plain CommonJS, and loaders (tsx) would only slow its start
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    this.online = false;
    worker.on('online', () => {
      if (worker !== this.worker) return;
      this.online = true;
      this.startClock();
    });
    worker.on('message', (reply: { hits: number[] } | { error: string }) => {
      if (worker !== this.worker) return;
      this.settle('hits' in reply ? { hits: reply.hits, ranMs: this.ranMs() } : { error: new Error(reply.error) });
    });
    const gone = (err: Error) => {
      if (worker !== this.worker) return;
      this.worker = null;
      this.settle({ error: err });
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the regex worker exited (code ${code})`)));
    return worker;
  }

  private next(): void {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) {
      this.worker?.unref(); // idle: never what keeps the process alive
      return;
    }
    this.worker ??= this.spawn();
    this.worker.ref(); // a request is pending: someone awaits it
    this.running = { job, timer: null, startedAt: 0 };
    this.worker.postMessage({ source: job.source, flags: job.flags, texts: job.texts, maxHits: job.maxHits });
    this.startClock();
  }

  /** The deadline runs from when the worker can start on the job (a fresh worker boots first). */
  private startClock(): void {
    const running = this.running;
    if (!running || running.timer || !this.online) return;
    running.startedAt = performance.now();
    running.timer = setTimeout(() => {
      const worker = this.worker;
      this.worker = null; // its messages and exit no longer count
      void worker?.terminate();
      this.settle({ error: new RegexTimeout(running.job.budgetMs) });
    }, clampDelayMs(running.job.budgetMs));
  }

  private ranMs(): number {
    return this.running?.startedAt ? performance.now() - this.running.startedAt : 0;
  }

  private settle(result: Parameters<Job['done']>[0]): void {
    const running = this.running;
    if (!running) return;
    this.running = null;
    if (running.timer) clearTimeout(running.timer);
    running.job.done(result);
    this.next();
  }
}

const service = new MatchService();

export interface TextMatcher {
  /**
   * Indices of the texts the regex matches, at most `maxHits`; rejects with RegexTimeout once this
   * matcher's matching has taken longer than its deadline in all (and from then on).
   */
  match(texts: string[], maxHits: number): Promise<number[]>;
}

/** A matcher for one tool call or check; `regex` must already compile (the caller reports syntax errors). */
export function createTextMatcher(regex: RegExp, deadlineMs = REGEX_DEADLINE_MS): TextMatcher {
  let leftMs = deadlineMs;
  let failed: Error | undefined;
  return {
    match(texts, maxHits) {
      if (failed) return Promise.reject(failed);
      return new Promise<number[]>((resolve, reject) => {
        service.submit({
          source: regex.source,
          flags: regex.flags,
          texts,
          maxHits,
          budgetMs: Math.max(1, leftMs),
          done(result) {
            if ('error' in result) {
              if (result.error instanceof RegexTimeout) failed = new RegexTimeout(deadlineMs);
              reject(failed ?? result.error);
              return;
            }
            leftMs -= result.ranMs;
            resolve(result.hits);
          },
        });
      });
    },
  };
}
